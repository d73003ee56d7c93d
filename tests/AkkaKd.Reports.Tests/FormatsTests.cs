namespace AkkaKd.Reports.Tests;

/// <summary>Numbers as people read them: one format per kind, invariant culture.</summary>
public sealed class FormatsTests
{
    [Fact]
    public void Accuracies_are_percent_with_two_decimals_and_gains_are_signed_points()
    {
        Assert.Equal("91.23", Formats.Percent(0.91234));
        Assert.Equal("100.00", Formats.Percent(1));
        Assert.Equal("±0.50", Formats.Interval(0.005));
        Assert.Equal("91.23 ±0.50", Formats.PercentInterval(0.91234, 0.005));
        Assert.Equal("91.23", Formats.PercentInterval(0.91234, null));
        Assert.Equal("+2.00", Formats.Points(0.02));
        Assert.Equal("-10.00", Formats.Points(-0.1));
    }

    [Fact]
    public void Settings_parameters_and_ratios()
    {
        Assert.Equal("0.5", Formats.Setting(0.5));
        Assert.Equal("0.13", Formats.Setting(0.125));
        Assert.Equal("0.125", Formats.Axis(0.125));
        Assert.Equal("2,395,210", Formats.Parameters(2_395_210));
        Assert.Equal("80.0x", Formats.Ratio(80));
        Assert.Equal("0.1", Formats.Exact(0.1));
    }

    [Fact]
    public void Times_in_seconds_then_minutes_then_hours()
    {
        Assert.Equal("12.3s", Formats.Clock(12.34));
        Assert.Equal("4:05", Formats.Clock(245));
        Assert.Equal("1:02:03", Formats.Clock(3723));
        Assert.Equal("12.3 s", Formats.Duration(12.34));
        Assert.Equal("4:05", Formats.Duration(245));
        Assert.Equal("1.23 s", Formats.TrainTime(1.234));
        Assert.Equal("41.5 s", Formats.TrainTime(41.5));
    }
}
