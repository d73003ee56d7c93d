namespace AkkaKd.Sweep.Tests;

/// <summary>Mean, standard deviation and Student's t interval over seeds, against values computed by hand.</summary>
public sealed class StatisticsTests
{
    [Theory]
    [InlineData(1, 12.706204736174707)]
    [InlineData(2, 4.302652729911275)]
    [InlineData(4, 2.7764451051977987)]
    [InlineData(9, 2.2621571627409915)]
    [InlineData(1000, 1.9623390808264078)]
    public void The_critical_value_is_the_975_quantile_of_t(int df, double expected)
    {
        Assert.Equal(expected, Statistics.TCritical95(df), 9);
    }

    [Fact]
    public void Five_values()
    {
        // 0.90 0.91 0.92 0.93 0.94: mean 0.92, sd sqrt(0.001/4) = 0.0158113883, ci = 2.7764451 * sd / sqrt(5).
        var s = Statistics.Summarize([0.90, 0.91, 0.92, 0.93, 0.94]);
        Assert.Equal(5, s.N);
        Assert.Equal(0.92, s.Mean, 12);
        Assert.Equal(0.015811388300841896, s.StdDev!.Value, 12);
        Assert.Equal(0.019632, s.Ci95!.Value, 6);
        Assert.Equal(0.92 - s.Ci95.Value, s.Low!.Value, 12);
        Assert.Equal(0.92 + s.Ci95.Value, s.High!.Value, 12);
    }

    [Fact]
    public void One_value_has_no_spread_and_no_interval()
    {
        var s = Statistics.Summarize([0.9]);
        Assert.Equal((1, 0.9), (s.N, s.Mean));
        Assert.Null(s.StdDev);
        Assert.Null(s.Ci95);
        Assert.Null(s.Low);
    }

    [Fact]
    public void The_gain_interval_is_the_paired_t_interval_of_the_differences()
    {
        // Differences by seed: +0.02, +0.03, +0.04 (the baselines vary a lot; the differences hardly).
        var rows = Leaderboard.Rank([
            Trial(1, null, 0, 0.80), Trial(2, null, 0, 0.90), Trial(3, null, 0, 0.70),
            Trial(1, 4, 0.5, 0.82), Trial(2, 4, 0.5, 0.93), Trial(3, 4, 0.5, 0.74),
        ]);
        var d = Assert.Single(rows, r => !r.IsBaseline);
        Assert.Equal(0.03, d.Gain!.Value, 12);
        Assert.Equal(4.302652729911275 * 0.01 / Math.Sqrt(3), d.GainCi95!.Value, 9);
        Assert.Null(Assert.Single(rows, r => r.IsBaseline).GainCi95);
    }

    private static TrialResult Trial(int seed, double? t, double alpha, double acc) =>
        new($"{seed}-{t}-{alpha}", 32, t, alpha, seed, acc, 0.1, 0.98, 25_000, 2_000_000, 1, "n", DateTimeOffset.UnixEpoch);
}
