using System.Globalization;

namespace AkkaKd.Reports;

/// <summary>
/// How numbers look wherever a person reads them (terminal, leaderboard files, report.html): one place, invariant culture.
/// Accuracies are fractions in the data and percent on the screen.
/// </summary>
public static class Formats
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>An accuracy in percent, two decimals: 0.91234 gives "91.23".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("0.00", C);

    /// <summary>The half-width of a 95% interval in points: 0.005 gives "±0.50".</summary>
    public static string Interval(double ci95) => "±" + Percent(ci95);

    /// <summary>An accuracy with its interval when there is one: "91.23 ±0.50", or "91.23".</summary>
    public static string PercentInterval(double fraction, double? ci95) =>
        Percent(fraction) + (ci95 is { } ci ? " " + Interval(ci) : "");

    /// <summary>A difference of accuracies in signed points: 0.02 gives "+2.00", -0.1 gives "-10.00".</summary>
    public static string Points(double fractionDifference) => (fractionDifference >= 0 ? "+" : "") + Percent(fractionDifference);

    /// <summary>A setting (T, alpha) as the leaderboard's columns show it: at most two decimals.</summary>
    public static string Setting(double v) => v.ToString("0.##", C);

    /// <summary>A setting as the grids' and plots' axes show it: at most three decimals.</summary>
    public static string Axis(double v) => v.ToString("0.###", C);

    /// <summary>A number for a machine (CSV, data attributes): round-trips exactly.</summary>
    public static string Exact(double v) => v.ToString("R", C);

    /// <summary>A count of parameters with thousands separators: "2,395,210".</summary>
    public static string Parameters(long n) => n.ToString("N0", C);

    /// <summary>A compression factor: "80.0x".</summary>
    public static string Ratio(double r) => r.ToString("0.0", C) + "x";

    /// <summary>A number with a fixed format (e.g. seconds in a table column, "0.00").</summary>
    public static string Fixed(double v, string format) => v.ToString(format, C);

    /// <summary>A training time with its unit: "1.23 s" under ten seconds, "41.5 s" above.</summary>
    public static string TrainTime(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", C) + " s";

    /// <summary>Elapsed time and ETA in the live table: "12.3s", then "4:05", then "1:02:03".</summary>
    public static string Clock(double seconds) => seconds < 60 ? seconds.ToString("0.0", C) + "s" : Minutes(seconds);

    /// <summary>A span in prose (the report's wall clock): "12.3 s", then "4:05", then "1:02:03".</summary>
    public static string Duration(double seconds) => seconds < 60 ? seconds.ToString("0.0", C) + " s" : Minutes(seconds);

    private static string Minutes(double seconds) =>
        TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", C);
}
