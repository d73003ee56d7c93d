using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep.Tests;

/// <summary>The search block and axes as distributions: parsing, the samplers, and the grid's hash left as it was.</summary>
public sealed class SearchSpaceTests
{
    private static SweepSettings Settings(string hocon = "", params string[] overrides) =>
        NoHang.Run(() => SweepFile.Parse(hocon, "s.hocon", overrides));

    private const string Sampled = """
        sweep {
          grid   { temperature = { log-uniform = [1, 20] }, alpha = { uniform = [0, 1] }, width = { choice = [16, 32, 64] }, seeds = [1, 2, 3] }
          search { method = sobol, configurations = 12 }
        }
        """;

    // ---- Sobol ----

    /// <summary>The first points of the Joe-Kuo sequence in three dimensions, as published (and as SciPy gives them).</summary>
    private static readonly double[][] Published =
    [
        [0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75], [0.375, 0.375, 0.625],
        [0.875, 0.875, 0.125], [0.625, 0.125, 0.875], [0.125, 0.625, 0.375], [0.1875, 0.3125, 0.9375], [0.6875, 0.8125, 0.4375],
    ];

    [Fact]
    public void Unscrambled_Sobol_points_match_the_published_first_points()
    {
        var sobol = new Sobol(3);
        foreach (var expected in Published) Assert.Equal(expected, sobol.Next());
    }

    [Fact]
    public void Sobol_in_one_dimension_is_van_der_corput_in_gray_code_order_and_fills_every_dyadic_cell()
    {
        var sobol = new Sobol(5);
        var points = Enumerable.Range(0, 64).Select(_ => sobol.Next()).ToArray();
        for (int d = 0; d < 5; d++)
        {
            // A (t, m, s)-net property every Sobol dimension has alone: 64 points, one in each cell of width 1/64.
            var cells = points.Select(p => (int)(p[d] * 64)).OrderBy(x => x).ToArray();
            Assert.Equal(Enumerable.Range(0, 64), cells);
        }
    }

    [Fact]
    public void Scrambled_Sobol_is_deterministic_from_its_seed_and_differs_across_seeds()
    {
        double[][] Take(ulong seed)
        {
            var s = Sobol.Scrambled(3, seed);
            return Enumerable.Range(0, 16).Select(_ => s.Next()).ToArray();
        }
        Assert.Equal(Take(7), Take(7));
        Assert.NotEqual(Take(7), Take(8));
        Assert.NotEqual(new double[] { 0, 0, 0 }, Take(7)[0]);
        // A digital shift keeps the net: 16 points still fill the 16 cells of every dimension.
        for (int d = 0; d < 3; d++) Assert.Equal(Enumerable.Range(0, 16), Take(7).Select(p => (int)(p[d] * 16)).OrderBy(x => x));
    }

    // ---- samplers ----

    [Theory]
    [InlineData("sobol")]
    [InlineData("random")]
    public void Draws_are_deterministic_from_the_sweep_seed_and_within_the_ranges(string method)
    {
        var s = Settings(Sampled, $"sweep.search.method={method}");
        var a = SearchSpace.Draw(s);
        Assert.Equal(a, SearchSpace.Draw(Settings(Sampled, $"sweep.search.method={method}")));
        Assert.NotEqual(a, SearchSpace.Draw(Settings(Sampled, $"sweep.search.method={method}", "sweep.seed=2")));
        Assert.Equal(12, a.Count);
        Assert.All(a, c =>
        {
            Assert.Contains(c.Width, new[] { 16, 32, 64 });
            Assert.InRange(c.Temperature, 1, 20);
            Assert.InRange(c.Alpha, 0, 1);
        });
        Assert.True(a.Select(c => c.Temperature).Distinct().Count() > 6);
    }

    [Fact]
    public void Random_and_sobol_draw_different_configurations()
    {
        Assert.NotEqual(SearchSpace.Draw(Settings(Sampled)), SearchSpace.Draw(Settings(Sampled, "sweep.search.method=random")));
    }

    [Fact]
    public void Log_uniform_spreads_over_the_logarithm()
    {
        var s = Settings(Sampled, "sweep.search.configurations=256");
        var ts = SearchSpace.Draw(s).Select(c => c.Temperature).ToArray();
        // Half the log range [1, 20] lies below sqrt(20) = 4.47; a uniform draw would put only 18% there.
        double below = ts.Count(t => t < Math.Sqrt(20)) / (double)ts.Length;
        Assert.InRange(below, 0.45, 0.55);
    }

    [Fact]
    public void Every_configuration_runs_once_per_seed_and_alpha_0_is_one_baseline_per_width_and_seed()
    {
        var s = Settings(Sampled);
        var trials = SearchSpace.Expand(s);
        var baselines = trials.Where(t => t.IsBaseline).ToList();
        Assert.Equal(3 * 3, baselines.Count); // 3 widths x 3 seeds
        Assert.All(baselines, b => Assert.Null(b.Temperature));
        var distilled = trials.Where(t => !t.IsBaseline).GroupBy(t => (t.Width, t.Temperature, t.Alpha)).ToList();
        Assert.Equal(12, distilled.Count);
        Assert.All(distilled, g => Assert.Equal([1, 2, 3], g.Select(t => t.Seed).Order()));
        Assert.Equal(trials.Count, trials.Select(t => t.Id).Distinct().Count());
        Assert.True(SearchSpace.MaxCount(s) >= trials.Count);

        var noBaseline = SearchSpace.Expand(Settings(Sampled, "sweep.grid.alpha={uniform=[0.1, 1]}"));
        Assert.DoesNotContain(noBaseline, t => t.IsBaseline);
        Assert.All(noBaseline, t => Assert.InRange(t.Alpha, 0.1, 1));
    }

    [Fact]
    public void A_list_axis_of_a_sampled_search_is_a_choice_and_a_drawn_alpha_0_is_the_baseline()
    {
        var s = Settings(Sampled, "sweep.grid.alpha=[0, 0.5]", "sweep.grid.temperature=[2, 4]", "sweep.search.configurations=30");
        var trials = SearchSpace.Expand(s);
        Assert.All(trials, t => Assert.Contains(t.Alpha, new[] { 0, 0.5 }));
        Assert.All(trials.Where(t => !t.IsBaseline), t => Assert.Contains(t.Temperature!.Value, new[] { 2.0, 4 }));
        // 3 widths x 2 temperatures x 1 distilled alpha + 3 baselines, x 3 seeds: repeats of a key are one trial.
        Assert.Equal((3 * 2 + 3) * 3, trials.Count);
    }

    // ---- the grid as it was ----

    [Fact]
    public void The_default_search_block_keeps_todays_canonical_text_hash_and_trial_ids()
    {
        var s = Settings();
        Assert.Null(s.Search);
        Assert.Equal("seed=1;data=embedded:mnist10k,7000,v1000,2000;teacher=1200x1200,e8,b128,lr0.001,seed1;student=10,128,0.001;" +
                     "grid=T[1,4,20],alpha[0,0.5,0.9],width[16,32,64,128],seeds[1,2,3]", s.CanonicalText());
        var written = Settings("sweep.search { method = grid, scheduler = none, configurations = 7, min-epochs = 2, reduction = 4 }");
        Assert.Equal(s.Hash(), written.Hash());
        Assert.Equal(Grid.Expand(s).Select(t => t.Id), SearchSpace.Expand(written).Select(t => t.Id));
    }

    [Fact]
    public void A_scheduler_or_a_sampled_method_changes_the_hash_but_not_the_trial_ids_of_equal_points()
    {
        var s = Settings();
        var sha = Settings("", "sweep.search.scheduler=sha");
        Assert.NotEqual(s.Hash(), sha.Hash());
        Assert.Equal(Grid.Expand(s).Select(t => t.Id), SearchSpace.Expand(sha).Select(t => t.Id));
        Assert.NotEqual(Settings(Sampled).Hash(), Settings(Sampled, "sweep.search.configurations=13").Hash());
        Assert.NotEqual(Settings(Sampled).Hash(), Settings(Sampled, "sweep.grid.temperature={uniform=[1, 20]}").Hash());
    }

    [Fact]
    public void A_sampled_sweep_round_trips_through_its_hocon()
    {
        var s = Settings(Sampled, "sweep.search.scheduler=asha", "sweep.search.reduction=2");
        var again = Settings(s.ToHocon());
        Assert.Equal(s.Hash(), again.Hash());
        Assert.Equal(s.Search, again.Search);
        Assert.Equal(SearchSpace.Expand(s).Select(t => t.Id), SearchSpace.Expand(again).Select(t => t.Id));
    }

    // ---- bad input: one line naming the key ----

    [Theory]
    [InlineData("sweep.search.method = bayes", "sweep.search.method", "not one of grid | random | sobol")]
    [InlineData("sweep.search.scheduler = hyperband", "sweep.search.scheduler", "not one of none | sha | asha")]
    [InlineData("sweep.search.reduction = 1", "sweep.search.reduction", "less than 2")]
    [InlineData("sweep.search.configurations = 0", "sweep.search.configurations", "less than 1")]
    [InlineData("sweep.search { scheduler = sha, min-epochs = 11 }", "sweep.search.min-epochs", "more than sweep.student.epochs = 10")]
    [InlineData("sweep.grid.temperature = { log-uniform = [1, 20] }", "sweep.grid.temperature", "needs sweep.search.method = random or sobol")]
    [InlineData("sweep { search.method = random, grid.temperature = { log-uniform = [0, 20] } }", "sweep.grid.temperature.log-uniform", "not > 0")]
    [InlineData("sweep { search.method = random, grid.temperature = { uniform = [5, 2] } }", "sweep.grid.temperature.uniform", "above high")]
    [InlineData("sweep { search.method = random, grid.temperature = { uniform = [1, 2, 3] } }", "sweep.grid.temperature.uniform", "expected [low, high]")]
    [InlineData("sweep { search.method = random, grid.alpha = { uniform = [0, 1.5] } }", "sweep.grid.alpha", "outside [0, 1]")]
    [InlineData("sweep { search.method = random, grid.alpha = { normal = [0, 1] } }", "sweep.grid.alpha", "found an object with 'normal'")]
    [InlineData("sweep { search.method = random, grid.alpha = { uniform = [0, 1], choice = [0] } }", "sweep.grid.alpha", "expected a list")]
    [InlineData("sweep { search.method = random, grid.width = { uniform = [8, 64] } }", "sweep.grid.width", "expected a list or { choice = [...] }")]
    [InlineData("sweep { search.method = random, grid.width = { choice = [] } }", "sweep.grid.width.choice", "empty")]
    [InlineData("sweep { search { method = random, configurations = 5000 }\n grid.seeds = [1, 2, 3] }", "sweep.search.configurations", "over sweep.max-trials")]
    [InlineData("sweep.search.metod = random", "sweep.search.metod", "did you mean sweep.search.method?")]
    public void Bad_search_keys_are_one_line_naming_the_key(string hocon, string key, string problem)
    {
        var e = Assert.Throws<SweepFileException>(() => Settings(hocon));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("s.hocon: ", e.Message);
        Assert.Contains(key, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
