namespace AkkaKd.Sweep.Tests;

/// <summary>Ranking, statistics over seeds, paired gains (the files and cells are AkkaKd.Reports' tests).</summary>
public sealed class LeaderboardTests
{
    private const long TeacherParams = 2_000_000;
    private const double TeacherAcc = 0.98;

    /// <summary>A student MLP 784-w-10's parameter count.</summary>
    private static long ParamsOf(int width) => 784L * width + width + (long)width * 10 + 10;

    private static int _next;

    private static TrialResult R(int width, double? t, double alpha, int seed, double acc,
        string node = "node-a", double seconds = 1.0, long? prms = null, double? teacherAcc = TeacherAcc) =>
        new($"{Interlocked.Increment(ref _next):x12}", width, alpha == 0 ? null : t, alpha, seed, acc, 0.1, teacherAcc,
            prms ?? ParamsOf(width), TeacherParams, seconds, node, DateTimeOffset.UnixEpoch);

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
        Assert.Equal([0.95, 0.93, 0.91, 0.89], rows.Select(r => r.MeanAcc));
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
        Assert.Equal(0.93, rows[0].MeanAcc, 12);
        Assert.Equal(4.0, rows[1].Temperature);
        Assert.Equal(0.90, rows[1].MeanAcc, 12);
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
        Assert.Equal(0.92, r.MeanAcc, 12);
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
        Assert.Equal(0.84, Row(rows, 32, null, 0).MeanAcc, 12);
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
        Assert.Equal(0.92 - TeacherAcc, r.GapToTeacher!.Value, 12);
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
    public void Empty_results_give_an_empty_leaderboard()
    {
        Assert.Empty(Leaderboard.Rank([]));
    }
}
