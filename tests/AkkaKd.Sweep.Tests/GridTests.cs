using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AkkaKd.Sweep.Tests;

/// <summary>Grid expansion, the alpha-0 collapse, trial keys and ids, and student seeds.</summary>
public sealed class GridTests
{
    private static SweepSettings Settings(string hocon = "") => SweepFile.Parse(hocon, "t.hocon");

    private static SweepSettings WithGrid(double[] t, double[] alpha, int[] width, int[] seeds)
    {
        var s = Settings();
        return s with { Grid = new GridSettings(t, alpha, width, seeds) };
    }

    /// <summary>The expected count, worked out the long way (distinct values, one baseline per width and seed).</summary>
    private static long Expected(GridSettings g)
    {
        var alphas = g.Alpha.Distinct().ToArray();
        long perWidthSeed = alphas.Count(a => a != 0) * g.Temperature.Distinct().Count() + (alphas.Contains(0.0) ? 1 : 0);
        return perWidthSeed * g.Width.Distinct().Count() * g.Seeds.Distinct().Count();
    }

    public static TheoryData<double[], double[], int[], int[], int> Grids => new()
    {
        // T, alpha, width, seeds, expected
        { [1, 2, 4, 8, 20], [0, 0.5, 0.9], [16, 32, 64, 128], [1], 44 },
        { [1, 2, 4, 8, 20], [0, 0.5, 0.9], [16, 32, 64, 128], [1, 2, 3], 132 },
        { [2, 4], [0.5], [8], [1, 2], 4 },
        { [1, 2, 3], [0], [8, 16], [1, 2, 3], 6 },
        { [3], [0, 1], [10], [5], 2 },
        { [2, 2, 4], [0.5, 0.5, 0], [8, 8], [1, 1], 3 },
        { [1, 4], [0, 0.1, 0.2, 0.3], [1, 2, 3, 4, 5], [0, 1], 70 },
    };

    [Theory]
    [MemberData(nameof(Grids))]
    public void Count_agrees_with_Expand(double[] t, double[] alpha, int[] width, int[] seeds, int expected)
    {
        var s = WithGrid(t, alpha, width, seeds);
        Assert.Equal(expected, Expected(s.Grid));
        Assert.Equal(expected, Grid.Count(s.Grid));
        var trials = Grid.Expand(s);
        Assert.Equal(expected, trials.Count);
        Assert.Equal(trials.Count, trials.Select(x => x.Id).Distinct().Count());
        Assert.Equal(trials.Count, trials.Select(x => x.Key).Distinct().Count());
    }

    [Fact]
    public void Negative_zero_alpha_is_the_same_baseline_as_zero()
    {
        // "-0.0" parses to negative zero, which == 0: it must not be a second baseline with another id.
        var s = Settings("sweep.grid { alpha = [0, -0.0, 0.5], temperature = [2, 4], width = [8], seeds = [1] }");
        var trials = Grid.Expand(s);
        Assert.Equal(Grid.Count(s.Grid), trials.Count);
        Assert.Equal(3, trials.Count);
        Assert.Single(trials, x => x.IsBaseline);
        var onlyNegative = Settings("sweep.grid { alpha = [-0.0, 0.5], temperature = [2, 4], width = [8], seeds = [1] }");
        var plain = Settings("sweep.grid { alpha = [0, 0.5], temperature = [2, 4], width = [8], seeds = [1] }");
        Assert.Equal(plain.Hash(), onlyNegative.Hash());
        Assert.Equal(Grid.Expand(plain).Select(x => x.Id), Grid.Expand(onlyNegative).Select(x => x.Id));
    }

    [Fact]
    public void Alpha_zero_collapses_to_one_baseline_per_width_and_seed()
    {
        var s = WithGrid([1, 2, 4, 8, 20], [0], [16, 32], [1, 2]);
        var trials = Grid.Expand(s);
        Assert.Equal(4, trials.Count);
        Assert.All(trials, x =>
        {
            Assert.True(x.IsBaseline);
            Assert.Null(x.Temperature);
            Assert.Equal(0.0, x.Alpha);
            Assert.Contains("T=-;", x.Key);
        });
        Assert.Equal(
            [(16, 1), (16, 2), (32, 1), (32, 2)],
            trials.Select(x => (x.Width, x.Seed)).Order().ToArray());
    }

    [Fact]
    public void Mixed_grid_has_one_baseline_per_width_and_seed_and_every_distilled_point()
    {
        var s = WithGrid([1, 2, 4, 8, 20], [0, 0.5, 0.9], [16, 32], [1, 2]);
        var trials = Grid.Expand(s);
        var baselines = trials.Where(x => x.IsBaseline).ToList();
        Assert.Equal(4, baselines.Count);
        Assert.All(baselines, b => Assert.Null(b.Temperature));
        var distilled = trials.Where(x => !x.IsBaseline).ToList();
        Assert.Equal(2 * 5 * 2 * 2, distilled.Count);
        Assert.All(distilled, d => Assert.NotNull(d.Temperature));
        Assert.Equal(40, distilled.Select(d => (d.Width, d.Temperature, d.Alpha, d.Seed)).Distinct().Count());
    }

    [Fact]
    public void Expansion_order_is_width_then_alpha_then_T_then_seed()
    {
        var s = WithGrid([2, 4], [0.9, 0.5], [32, 16], [1, 2]);
        var got = Grid.Expand(s).Select(x => (x.Width, x.Alpha, x.Temperature!.Value, x.Seed)).ToArray();
        var expected = new List<(int, double, double, int)>();
        foreach (var w in new[] { 32, 16 })
        foreach (var a in new[] { 0.9, 0.5 })
        foreach (var t in new[] { 2.0, 4.0 })
        foreach (var seed in new[] { 1, 2 })
            expected.Add((w, a, t, seed));
        Assert.Equal(expected, got);
    }

    [Fact]
    public void Baseline_label_and_trainer_temperature()
    {
        var s = WithGrid([4], [0, 0.5], [32], [3]);
        var trials = Grid.Expand(s);
        var b = Assert.Single(trials, x => x.IsBaseline);
        var d = Assert.Single(trials, x => !x.IsBaseline);
        Assert.Equal("w32 baseline s3", b.Label);
        Assert.Equal("w32 T4 a0.5 s3", d.Label);
        Assert.Equal(AkkaKd.Distillation.Numerics.KdTerms.Baseline, b.Kd);
        Assert.True(b.Kd.IsBaseline);
        Assert.Equal(new AkkaKd.Distillation.Numerics.KdTerms(4, 0.5), d.Kd);
        Assert.Equal(4f, d.Kd.T32);
    }

    // ---- keys and ids ----

    [Fact]
    public void Equal_settings_give_equal_keys_and_ids()
    {
        const string hocon = "sweep { seed = 3, grid { width = [8, 16], seeds = [1, 2] } }";
        var a = Grid.Expand(Settings(hocon));
        var b = Grid.Expand(Settings(hocon));
        Assert.NotEmpty(a);
        Assert.Equal(a.Select(x => x.Key), b.Select(x => x.Key));
        Assert.Equal(a.Select(x => x.Id), b.Select(x => x.Id));
        Assert.Equal(a.Select(x => x.StudentSeed), b.Select(x => x.StudentSeed));
    }

    [Fact]
    public void The_key_holds_everything_that_decides_a_trial()
    {
        var key = Grid.TrialKey(Settings(), 32, 4, 0.5, 1);
        Assert.Equal(
            "data=embedded:mnist10k,7000,v1000,2000;teacher=1200x1200,e8,b128,lr0.001,seed1;student=e10,b128,lr0.001;" +
            "width=32;T=4;alpha=0.5;seed=1;sweep_seed=1",
            key);
    }

    public static TheoryData<string, Func<SweepSettings, SweepSettings>> DecidingChanges => new()
    {
        { "student lr", s => s with { Student = s.Student with { Lr = 0.002 } } },
        { "student epochs", s => s with { Student = s.Student with { Epochs = 11 } } },
        { "student batch", s => s with { Student = s.Student with { Batch = 64 } } },
        { "teacher hidden", s => s with { Teacher = s.Teacher with { Hidden = [1200, 800] } } },
        { "teacher epochs", s => s with { Teacher = s.Teacher with { Epochs = 9 } } },
        { "teacher batch", s => s with { Teacher = s.Teacher with { Batch = 256 } } },
        { "teacher lr", s => s with { Teacher = s.Teacher with { Lr = 0.01 } } },
        { "data train", s => s with { Data = s.Data with { Train = 6000 } } },
        { "data validation", s => s with { Data = s.Data with { Validation = 500 } } },
        { "no validation", s => s with { Data = s.Data with { Validation = 0 } } },
        { "data test", s => s with { Data = s.Data with { Test = 1000 } } },
        { "data source", s => s with { Data = s.Data with { Source = "idx:a.gz,b.gz" } } },
        { "sweep seed", s => s with { Seed = 2 } },
    };

    [Theory]
    [MemberData(nameof(DecidingChanges))]
    public void Changing_a_deciding_setting_changes_the_id_and_the_hash(string what, Func<SweepSettings, SweepSettings> change)
    {
        var s = Settings();
        var c = change(s);
        foreach (var (t, alpha) in new (double?, double)[] { (4, 0.5), (null, 0) })
        {
            var before = Grid.TrialId(Grid.TrialKey(s, 32, t, alpha, 1));
            var after = Grid.TrialId(Grid.TrialKey(c, 32, t, alpha, 1));
            Assert.True(before != after, $"{what}: trial id did not change (T={t}, alpha={alpha})");
        }
        Assert.NotEqual(s.Hash(), c.Hash());
    }

    [Fact]
    public void Changing_a_grid_coordinate_changes_the_id()
    {
        var s = Settings();
        var ids = new[]
        {
            Grid.TrialKey(s, 32, 4, 0.5, 1),
            Grid.TrialKey(s, 32, 4, 0.5, 2),   // seed axis
            Grid.TrialKey(s, 32, 8, 0.5, 1),   // T
            Grid.TrialKey(s, 32, 4, 0.9, 1),   // alpha
            Grid.TrialKey(s, 64, 4, 0.5, 1),   // width
            Grid.TrialKey(s, 32, null, 0, 1),  // baseline
        }.Select(Grid.TrialId).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Changing_the_grid_axes_changes_the_hash()
    {
        var s = Settings();
        Assert.NotEqual(s.Hash(), (s with { Grid = s.Grid with { Seeds = [1, 2] } }).Hash());
        Assert.NotEqual(s.Hash(), (s with { Grid = s.Grid with { Width = [16, 32] } }).Hash());
        Assert.NotEqual(s.Hash(), (s with { Grid = s.Grid with { Temperature = [1, 2] } }).Hash());
        Assert.NotEqual(s.Hash(), (s with { Grid = s.Grid with { Alpha = [0, 0.5] } }).Hash());
    }

    [Fact]
    public void Ids_are_twelve_lowercase_hex_digits_of_the_keys_sha256()
    {
        var trials = Grid.Expand(Settings("sweep.grid.seeds = [1, 2]"));
        Assert.NotEmpty(trials);
        foreach (var x in trials)
        {
            Assert.Matches(new Regex("^[0-9a-f]{12}$"), x.Id);
            var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(x.Key))).ToLowerInvariant();
            Assert.Equal(sha[..12], x.Id);
            Assert.Equal(x.Id, Grid.TrialId(x.Key));
        }
    }

    [Fact]
    public void Id_of_a_fixed_key_is_stable()
    {
        const string key = "data=embedded:mnist10k,8000,2000;teacher=1200x1200,e8,b128,lr0.001,seed1;student=e10,b128,lr0.001;" +
                           "width=32;T=4;alpha=0.5;seed=1;sweep_seed=1";
        var expected = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12].ToLowerInvariant();
        Assert.Equal(expected, Grid.TrialId(key));
        // FIPS 180-2 test vector: SHA-256("abc") = ba7816bf8f01cfea...
        Assert.Equal("ba7816bf8f01", Grid.TrialId("abc"));
    }

    [Fact]
    public void Cosmetic_changes_keep_the_hash_and_the_ids()
    {
        var a = Settings("""
            sweep {
              name = first
              seed = 3
              grid { temperature = [2, 4], alpha = [0, 0.5], width = [8, 16], seeds = [1, 2] }
              leaderboard { top = 20 }
            }
            """);
        var b = Settings("""
            # a comment, another name, another top, a trial limit, keys in another order, dotted paths
            sweep.leaderboard.top = 3
            sweep.max-trials = 500
            sweep.grid {
              seeds = [1, 2]        // trailing comment
              width = [8, 16]
              alpha = [0.0, 0.50]
              temperature = [2.0, 4]
            }
            sweep.name = "second name"
            sweep.seed = 3
            """);
        Assert.NotEqual(a.Name, b.Name);
        Assert.NotEqual(a.Top, b.Top);
        Assert.Equal(a.CanonicalText(), b.CanonicalText());
        Assert.Equal(a.Hash(), b.Hash());
        Assert.Equal(Grid.Expand(a).Select(x => x.Id), Grid.Expand(b).Select(x => x.Id));

        var c = Settings(string.Join("\r\n", "sweep {", "  name = first", "  seed = 3",
            "  grid { temperature = [2, 4], alpha = [0, 0.5], width = [8, 16], seeds = [1, 2] }", "}", ""));
        Assert.Equal(a.Hash(), c.Hash());
    }

    [Fact]
    public void Hash_is_lowercase_sha256_of_the_canonical_text()
    {
        var s = Settings();
        var expected = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s.CanonicalText()))).ToLowerInvariant();
        Assert.Equal(expected, s.Hash());
        Assert.Matches(new Regex("^[0-9a-f]{64}$"), s.Hash());
    }

    // ---- student seeds ----

    [Fact]
    public void Student_seed_is_shared_by_a_distilled_trial_and_its_baseline_and_differs_across_widths_and_seeds()
    {
        var s = WithGrid([2, 4], [0, 0.5, 0.9], [16, 32], [1, 2]);
        var trials = Grid.Expand(s);
        var groups = trials.GroupBy(x => (x.Width, x.Seed)).ToList();
        Assert.Equal(4, groups.Count);
        foreach (var g in groups)
        {
            Assert.Single(g, x => x.IsBaseline);
            Assert.Contains(g, x => !x.IsBaseline);
            Assert.Single(g.Select(x => x.StudentSeed).Distinct());
        }
        Assert.Equal(4, groups.Select(g => g.First().StudentSeed).Distinct().Count());
    }

    [Fact]
    public void Student_seed_follows_the_sweep_seed()
    {
        var s = Settings();
        Assert.NotEqual(Grid.StudentSeed(s, 32, 1), Grid.StudentSeed(s with { Seed = 2 }, 32, 1));
        Assert.Equal(Grid.StudentSeed(s, 32, 1), Grid.StudentSeed(s with { Student = s.Student with { Lr = 0.5 } }, 32, 1));
        Assert.NotEqual(s.TeacherSeed(), (s with { Seed = 2 }).TeacherSeed());
    }
}
