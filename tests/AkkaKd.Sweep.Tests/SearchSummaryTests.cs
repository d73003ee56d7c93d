using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep.Tests;

/// <summary>What a search spent and selected, read from its journal lines.</summary>
public sealed class SearchSummaryTests
{
    private static TrialResult Final(string id, int width, double? t, double alpha, int seed, double? val, double test, int? epochs = 9) =>
        new(id, width, t, alpha, seed, test, 0.3, 0.9, 10, 100, 1, "n", DateTimeOffset.UnixEpoch, ValAcc: val, Epochs: epochs);

    private static RungRecord Rung(string id, int epoch) => new("c" + id, id, 0, epoch, 0.5, 0.4, 1, "n", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Epochs_spent_count_each_trial_to_the_furthest_epoch_it_reached_and_baselines_apart()
    {
        var finals = new[] { Final("a", 8, 2, 0.5, 1, 0.8, 0.7), Final("b", 8, null, 0, 1, 0.7, 0.6) };
        var rungs = new[] { Rung("a", 1), Rung("a", 3), Rung("c", 1), Rung("d", 1), Rung("d", 3) };
        var s = SearchSummary.Of(finals, rungs, 9);
        Assert.Equal(9 + 1 + 3, s.StudentEpochs);
        Assert.Equal(9, s.BaselineEpochs);
        Assert.Equal(1, s.FullyTrained);
    }

    [Fact]
    public void The_selected_configuration_has_the_best_mean_validation_accuracy_over_its_seeds_never_the_best_test()
    {
        var finals = new[]
        {
            Final("a1", 8, 2, 0.5, 1, 0.90, 0.70), Final("a2", 8, 2, 0.5, 2, 0.80, 0.72), // mean val 0.85
            Final("b1", 8, 4, 0.5, 1, 0.86, 0.99), Final("b2", 8, 4, 0.5, 2, 0.86, 0.99), // mean val 0.86, best test
            Final("c1", 8, 8, 0.5, 1, 0.99, 0.99, epochs: 3), // stopped early: not a candidate
            Final("d1", 8, null, 0, 1, 0.95, 0.95), // a baseline: the reference, not a searched configuration
        };
        var s = SearchSummary.Of(finals, [], 9);
        Assert.Equal((8, 4.0, 0.5), (s.Selected!.Width, s.Selected.Temperature!.Value, s.Selected.Alpha));
        Assert.Equal(0.86, s.Selected.ValAcc, 12);
        Assert.Equal(2, s.Selected.Seeds);
        Assert.Equal(0.99, s.Selected.Test.Mean, 12);

        var noValidation = SearchSummary.Of(finals.Select(f => f with { ValAcc = null }).ToList(), [], 9);
        Assert.Null(noValidation.Selected);
    }
}
