using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace AkkaKd.Sweep;

/// <summary>A sample summarised: its size, mean, sample standard deviation and the half-width of its 95% interval.</summary>
public readonly record struct SampleStats(int N, double Mean, double? StdDev, double? Ci95)
{
    public double? Low => Ci95 is { } c ? Mean - c : null;
    public double? High => Ci95 is { } c ? Mean + c : null;
}

/// <summary>Statistics over seeds, with Math.NET.</summary>
public static class Statistics
{
    /// <summary>
    /// Mean, sample standard deviation (n - 1) and the 95% interval of the mean from Student's t with n - 1 degrees of
    /// freedom: t(0.975, n - 1) * sd / sqrt(n). One value has no spread and no interval.
    /// </summary>
    public static SampleStats Summarize(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        double mean = values.Mean();
        if (values.Count == 1) return new SampleStats(1, mean, null, null);
        double sd = values.StandardDeviation();
        return new SampleStats(values.Count, mean, sd, TCritical95(values.Count - 1) * sd / Math.Sqrt(values.Count));
    }

    /// <summary>The two-sided 95% critical value of Student's t: its 0.975 quantile.</summary>
    public static double TCritical95(int degreesOfFreedom) => StudentT.InvCDF(0, 1, degreesOfFreedom, 0.975);
}
