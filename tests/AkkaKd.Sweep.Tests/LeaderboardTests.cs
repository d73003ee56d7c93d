namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Ranking, statistics over seeds, paired gains (the files and cells are AkkaKd.Reports' tests). <c>R</c> makes a result
/// of an old journal (test accuracy only: ranked on test); <c>V</c> one with validation and test accuracy.
/// </summary>
public sealed class LeaderboardTests
{
    private const long TeacherParams = 2_000_000;
    private const double TeacherAccuracy = 0.98;

    /// <summary>A student MLP 784-w-10's parameter count.</summary>
    private static long ParamsOf(int width) => 784L * width + width + (long)width * 10 + 10;

    private static int _next;

    private static TrialResult R(int width, double? t, double alpha, int seed, double acc,
        string node = "node-a", double seconds = 1.0, long? prms = null, double? teacherAcc = TeacherAccuracy) =>
        new($"{Interlocked.Increment(ref _next):x12}", width, alpha == 0 ? null : t, alpha, seed, acc, 0.1, teacherAcc,
            prms ?? ParamsOf(width), TeacherParams, seconds, node, DateTimeOffset.UnixEpoch);

    private static TrialResult V(int width, double? t, double alpha, int seed, double val, double test) =>
        R(width, t, alpha, seed, test) with { ValAcc = val, ValLoss = 0.2, ValAccCurve = [val - 0.1, val], Epochs = 2 };

    private static LeaderboardRow Row(IReadOnlyList<LeaderboardRow> rows, int width, double? t, double alpha) =>
        Assert.Single(rows, r => r.Width == width && r.Temperature == t && r.Alpha == alpha);

    [Fact]
    public void Ranks_by_mean_accuracy_best_first()
    {
        var rows = Leaderboard.Rank([
            R(32, 4, 0.5, 1, 0.91),
            R(32, 2, 0.5, 1, 0.95),
            R(32, null, 0, 1, 0.89),
            R(64, 8, 0.9, 1, 0.93),
        ]);
        Assert.Equal([0.95, 0.93, 0.91, 0.89], rows.Select(r => r.Acc));
        Assert.Equal([1, 2, 3, 4], rows.Select(r => r.Rank));
        Assert.Equal((32, (double?)2.0, 0.5), (rows[0].Width, rows[0].Temperature, rows[0].Alpha));
        Assert.True(rows[3].IsBaseline);
    }

    [Fact]
    public void Ranks_by_the_mean_over_seeds_not_the_best_seed()
    {
        // A: one lucky seed (0.97) but mean 0.90; B: steady 0.93.
        var rows = Leaderboard.Rank([
            R(32, 4, 0.5, 1, 0.97), R(32, 4, 0.5, 2, 0.83),
            R(32, 8, 0.5, 1, 0.93), R(32, 8, 0.5, 2, 0.93),
        ]);
        Assert.Equal(8.0, rows[0].Temperature);
        Assert.Equal(0.93, rows[0].Acc, 12);
        Assert.Equal(4.0, rows[1].Temperature);
        Assert.Equal(0.90, rows[1].Acc, 12);
        Assert.All(rows, r => Assert.Equal(2, r.Seeds));
    }

    [Fact]
    public void Ties_are_broken_by_fewer_parameters()
    {
        var rows = Leaderboard.Rank([
            R(128, 4, 0.5, 1, 0.92),
            R(16, 4, 0.5, 1, 0.92),
            R(64, 4, 0.5, 1, 0.92),
        ]);
        Assert.Equal([16, 64, 128], rows.Select(r => r.Width));
        Assert.Equal([1, 2, 3], rows.Select(r => r.Rank));
    }

    [Fact]
    public void Ties_at_equal_parameters_go_to_lower_alpha_then_lower_T()
    {
        var rows = Leaderboard.Rank([
            R(32, 8, 0.9, 1, 0.92),
            R(32, 8, 0.5, 1, 0.92),
            R(32, 2, 0.9, 1, 0.92),
        ]);
        Assert.Equal([(0.5, 8.0), (0.9, 2.0), (0.9, 8.0)], rows.Select(r => (r.Alpha, r.Temperature!.Value)));
    }

    [Fact]
    public void Mean_standard_deviation_and_95_percent_interval_over_seeds()
    {
        var rows = Leaderboard.Rank([R(32, 4, 0.5, 1, 0.90), R(32, 4, 0.5, 2, 0.92), R(32, 4, 0.5, 3, 0.94)]);
        var r = Assert.Single(rows);
        Assert.Equal(3, r.Seeds);
        Assert.Equal(0.92, r.Acc, 12);
        Assert.NotNull(r.StdDev);
        Assert.Equal(0.02, r.StdDev!.Value, 12); // sample standard deviation (n - 1)
        const double t975df2 = 4.302652729911275;
        Assert.NotNull(r.Ci95);
        Assert.Equal(t975df2 * 0.02 / Math.Sqrt(3), r.Ci95!.Value, 9);
        Assert.Equal(0.049683, r.Ci95.Value, 6);
    }

    [Fact]
    public void Interval_with_two_seeds_uses_t_with_one_degree_of_freedom()
    {
        var r = Assert.Single(Leaderboard.Rank([R(32, 4, 0.5, 1, 0.90), R(32, 4, 0.5, 2, 0.94)]));
        double sd = Math.Sqrt(2) * 0.02; // deviations ±0.02, n - 1 = 1
        Assert.Equal(sd, r.StdDev!.Value, 12);
        Assert.Equal(12.706204736174707 * sd / Math.Sqrt(2), r.Ci95!.Value, 9);
    }

    [Fact]
    public void A_single_seed_has_no_interval()
    {
        var r = Assert.Single(Leaderboard.Rank([R(32, 4, 0.5, 1, 0.90)]));
        Assert.Equal(1, r.Seeds);
        Assert.Null(r.StdDev);
        Assert.Null(r.Ci95);
    }

    [Fact]
    public void Gain_over_the_baseline_is_paired_by_seed()
    {
        // Baseline at width 32 ran seeds 1, 2, 3; the distilled config only seeds 1 and 2.
        var rows = Leaderboard.Rank([
            R(32, null, 0, 1, 0.80), R(32, null, 0, 2, 0.82), R(32, null, 0, 3, 0.90),
            R(32, 4, 0.5, 1, 0.85), R(32, 4, 0.5, 2, 0.86),
        ]);
        var d = Row(rows, 32, 4, 0.5);
        double paired = ((0.85 - 0.80) + (0.86 - 0.82)) / 2;           // 0.045
        double unpaired = (0.85 + 0.86) / 2 - (0.80 + 0.82 + 0.90) / 3; // 0.015
        Assert.NotNull(d.Gain);
        Assert.Equal(paired, d.Gain!.Value, 12);
        Assert.NotEqual(unpaired, d.Gain.Value, 6);
        Assert.Equal(0.84, Row(rows, 32, null, 0).Acc, 12);
    }

    [Fact]
    public void Gain_is_against_the_same_width_baseline_only()
    {
        var rows = Leaderboard.Rank([
            R(16, null, 0, 1, 0.85),
            R(32, null, 0, 1, 0.88),
            R(16, 4, 0.5, 1, 0.87),
            R(32, 4, 0.5, 1, 0.89),
            R(64, 4, 0.5, 1, 0.90), // no width-64 baseline
        ]);
        Assert.Equal(0.02, Row(rows, 16, 4, 0.5).Gain!.Value, 12);
        Assert.Equal(0.01, Row(rows, 32, 4, 0.5).Gain!.Value, 12);
        Assert.Null(Row(rows, 64, 4, 0.5).Gain);
    }

    [Fact]
    public void Gain_without_a_shared_seed_is_unknown()
    {
        var rows = Leaderboard.Rank([R(32, null, 0, 1, 0.85), R(32, 4, 0.5, 2, 0.90)]);
        Assert.Null(Row(rows, 32, 4, 0.5).Gain);
    }

    [Fact]
    public void Gap_to_the_teacher_and_compression()
    {
        var rows = Leaderboard.Rank([R(32, 4, 0.5, 1, 0.91, prms: 25_000), R(32, 4, 0.5, 2, 0.93, prms: 25_000)]);
        var r = Assert.Single(rows);
        Assert.Equal(0.92 - TeacherAccuracy, r.GapToTeacher!.Value, 12);
        Assert.True(r.GapToTeacher < 0);
        Assert.Equal(25_000, r.Params);
        Assert.Equal(TeacherParams / 25_000.0, r.Compression!.Value, 12); // 80x
    }

    [Fact]
    public void Without_a_teacher_accuracy_there_is_no_gap()
    {
        var r = Assert.Single(Leaderboard.Rank([R(32, 4, 0.5, 1, 0.91, teacherAcc: null)]));
        Assert.Null(r.GapToTeacher);
    }

    [Fact]
    public void The_sweeps_teacher_gives_the_gap_even_for_baselines_that_finished_before_it()
    {
        var teacher = new TeacherRecord("k", new string('a', 64), 0.95, 1000, 1, "n");
        var r = Assert.Single(Leaderboard.Rank([R(32, null, 0, 1, 0.91, teacherAcc: null)], teacher));
        Assert.Equal(0.91 - 0.95, r.GapToTeacher!.Value, 12);
    }

    [Fact]
    public void Train_time_is_averaged_and_nodes_are_listed_once()
    {
        var r = Assert.Single(Leaderboard.Rank([
            R(32, 4, 0.5, 1, 0.9, node: "node-b", seconds: 2),
            R(32, 4, 0.5, 2, 0.9, node: "node-a", seconds: 4),
            R(32, 4, 0.5, 3, 0.9, node: "node-b", seconds: 6),
        ]));
        Assert.Equal(4.0, r.TrainSeconds, 12);
        Assert.Equal("node-a,node-b", r.Nodes);
    }

    [Fact]
    public void Ranks_on_validation_accuracy_never_on_test()
    {
        // The orders disagree: by validation A (T 2) > B (T 4) > C (T 8); by test C > B > A. Ranking on test would put C first.
        var rows = Leaderboard.Rank([
            V(32, 2, 0.5, 1, val: 0.95, test: 0.90), V(32, 2, 0.5, 2, val: 0.93, test: 0.90),
            V(32, 4, 0.5, 1, val: 0.93, test: 0.92), V(32, 4, 0.5, 2, val: 0.93, test: 0.92),
            V(32, 8, 0.5, 1, val: 0.91, test: 0.97), V(32, 8, 0.5, 2, val: 0.91, test: 0.95),
        ]);
        Assert.Equal([2.0, 4.0, 8.0], rows.Select(r => r.Temperature!.Value));
        Assert.Equal([0.94, 0.93, 0.91], rows.Select(r => Math.Round(r.Acc, 12)));
        Assert.Equal([0.90, 0.92, 0.96], rows.Select(r => Math.Round(r.TestAccuracy, 12)));
        Assert.All(rows, r => Assert.False(r.SelectedOnTest));
        Assert.Equal(0.94, rows[0].ValAcc!.Value, 12);
        // The intervals are the validation's and the test's own: A's validation varies by seed, its test does not.
        Assert.NotNull(rows[0].Ci95);
        Assert.Equal(0.0, rows[0].TestStdDev!.Value, 12);
        Assert.Equal(Statistics.TCritical95(1) * (0.02 / Math.Sqrt(2)) / Math.Sqrt(2), rows[2].TestCi95!.Value, 9);
    }

    [Fact]
    public void Gains_are_paired_by_seed_in_validation_and_on_test()
    {
        var rows = Leaderboard.Rank([
            V(16, null, 0, 1, val: 0.80, test: 0.81), V(16, null, 0, 2, val: 0.82, test: 0.80), V(16, null, 0, 3, val: 0.81, test: 0.82),
            V(16, 4, 0.9, 1, val: 0.85, test: 0.83), V(16, 4, 0.9, 2, val: 0.86, test: 0.82), V(16, 4, 0.9, 3, val: 0.86, test: 0.85),
        ]);
        var d = Row(rows, 16, 4, 0.9);
        double[] valDiffs = [0.05, 0.04, 0.05], testDiffs = [0.02, 0.02, 0.03];
        Assert.Equal(valDiffs.Average(), d.Gain!.Value, 12);
        Assert.Equal(testDiffs.Average(), d.TestGain!.Value, 12);
        Assert.Equal(Statistics.Summarize(valDiffs).Ci95!.Value, d.GainCi95!.Value, 12);
        Assert.Equal(Statistics.Summarize(testDiffs).Ci95!.Value, d.TestGainCi95!.Value, 12);
        Assert.Equal(GainVerdict.Better, Leaderboard.Verdict(d.TestGain, d.TestGainCi95));
        var b = Row(rows, 16, null, 0);
        Assert.Null(b.GainCi95);
        Assert.Null(b.TestGainCi95);
    }

    [Fact]
    public void An_old_journal_without_validation_is_ranked_on_test_and_says_so()
    {
        var rows = Leaderboard.Rank([R(32, 2, 0.5, 1, 0.90), R(32, 4, 0.5, 1, 0.93)]);
        Assert.All(rows, r => Assert.True(r.SelectedOnTest));
        Assert.Equal([0.93, 0.90], rows.Select(r => r.Acc));
        Assert.Equal(rows.Select(r => r.Acc), rows.Select(r => r.TestAccuracy));
        Assert.All(rows, r => Assert.Null(r.ValAcc));
        Assert.Equal("selected on test (no validation rows)", Leaderboard.SelectedOnTestNote);
    }

    [Fact]
    public void Accuracies_of_two_kinds_are_never_mixed_one_result_without_validation_puts_all_on_test()
    {
        // With validation B would win (0.99); on test A does. One old line makes the whole ranking a test ranking.
        var rows = Leaderboard.Rank([V(32, 4, 0.5, 1, val: 0.90, test: 0.95), V(32, 8, 0.5, 1, val: 0.99, test: 0.91), R(64, 4, 0.5, 1, 0.92)]);
        Assert.All(rows, r => Assert.True(r.SelectedOnTest));
        Assert.Equal([0.95, 0.92, 0.91], rows.Select(r => r.Acc));
    }

    [Theory]
    [InlineData(0.02, 0.01, GainVerdict.Better)]
    [InlineData(-0.02, 0.01, GainVerdict.Worse)]
    [InlineData(0.02, 0.03, GainVerdict.Unclear)]
    [InlineData(-0.02, 0.02, GainVerdict.Unclear)] // touching 0 is not excluding it
    [InlineData(0.02, null, GainVerdict.NoInterval)]
    [InlineData(null, null, GainVerdict.None)]
    public void A_gain_is_better_or_worse_only_when_its_interval_excludes_zero(double? gain, double? ci, GainVerdict expected)
    {
        Assert.Equal(expected, Leaderboard.Verdict(gain, ci));
    }

    [Fact]
    public void Empty_results_give_an_empty_leaderboard()
    {
        Assert.Empty(Leaderboard.Rank([]));
    }
}
