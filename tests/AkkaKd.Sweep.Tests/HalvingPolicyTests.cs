using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Tests;

/// <summary>Successive halving (sha) and its asynchronous form (asha), driven directly: rungs, seeds, order, promotion.</summary>
public sealed class HalvingPolicyTests
{
    private static Trial T(int width, double temperature, int seed) =>
        new($"w{width}-T{temperature}-s{seed}", "k", width, temperature, 0.5, seed, 1);

    private static Trial Baseline(int width, int seed) => new($"w{width}-base-s{seed}", "k", width, null, 0, seed, 1);

    /// <summary>n configurations (width 8, T = 1..n) x the given seeds.</summary>
    private static List<Trial> Configs(int n, params int[] seeds) =>
        Enumerable.Range(1, n).SelectMany(t => seeds.Select(s => T(8, t, s))).ToList();

    private static TrialResult R(TrialWork w, double? val) => new(w.Trial.Id, w.Trial.Width, w.Trial.Temperature, w.Trial.Alpha,
        w.Trial.Seed, 0.5, 1, 0.9, 100, 1000, 0.1, "n", DateTimeOffset.UnixEpoch, ValAcc: val, Epochs: w.UntilEpoch);

    /// <summary>A validation accuracy that depends on the trial and the epoch only (higher T is better, plus noise).</summary>
    private static double Score(Trial t, int epoch) =>
        t.Temperature!.Value / 100 + epoch / 1000.0 + (SweepSettings.DeriveSeed($"{t.Id}|{epoch}") % 1000) / 1e5;

    /// <summary>Runs a policy to its end, completing pending work in an order drawn from <paramref name="orderSeed"/>.</summary>
    private static (List<PolicyDecision> Decisions, int Epochs) Run(ISearchPolicy p, int orderSeed)
    {
        var rng = new Random(orderSeed);
        var pending = p.Start(new HashSet<string>()).ToList();
        var decisions = new List<PolicyDecision>();
        int epochs = 0;
        while (pending.Count > 0)
        {
            int i = rng.Next(pending.Count);
            var w = pending[i];
            pending.RemoveAt(i);
            epochs += w.UntilEpoch - w.FromEpoch;
            var step = p.Completed(w, R(w, w.Trial.IsBaseline ? 0.5 : Score(w.Trial, w.UntilEpoch)));
            pending.AddRange(step.Next);
            decisions.AddRange(step.Decisions);
        }
        Assert.True(p.Exhausted);
        return (decisions, epochs);
    }

    [Theory]
    [InlineData(1, 3, 10, new[] { 1, 3, 9, 10 })]
    [InlineData(1, 3, 9, new[] { 1, 3, 9 })]
    [InlineData(1, 3, 27, new[] { 1, 3, 9, 27 })]
    [InlineData(2, 2, 16, new[] { 2, 4, 8, 16 })]
    [InlineData(2, 4, 10, new[] { 2, 8, 10 })]
    [InlineData(10, 3, 10, new[] { 10 })]
    [InlineData(1, 2, 1, new[] { 1 })]
    public void Rungs_are_min_epochs_times_eta_to_the_k_then_the_full_epochs(int min, int eta, int epochs, int[] expected)
    {
        Assert.Equal(expected, Rungs.Of(min, eta, epochs));
    }

    [Theory]
    [InlineData(9, 3, 3)]
    [InlineData(10, 3, 3)]
    [InlineData(2, 3, 1)]
    [InlineData(1, 3, 1)]
    [InlineData(0, 3, 0)]
    [InlineData(8, 2, 4)]
    public void A_rung_keeps_the_top_1_over_eta_and_at_least_one(int n, int eta, int keep) => Assert.Equal(keep, Rungs.Keep(n, eta));

    [Fact]
    public void A_configuration_is_scored_by_the_mean_over_its_seeds_and_its_seeds_go_on_or_stop_together()
    {
        // Rungs 1 and 3, eta 3: of three configurations one goes on.
        var trials = Configs(3, 1, 2);
        var p = new HalvingPolicy(trials, 3, 1, 3, asynchronous: false);
        var start = p.Start(new HashSet<string>());
        Assert.Equal(6, start.Count);
        Assert.All(start, w => Assert.Equal((0, 1), (w.FromEpoch, w.UntilEpoch)));
        var val = new Dictionary<string, double>
        {
            ["w8-T1-s1"] = 0.95, ["w8-T1-s2"] = 0.05, // best single seed, mean 0.50
            ["w8-T2-s1"] = 0.60, ["w8-T2-s2"] = 0.60, // best mean
            ["w8-T3-s1"] = 0.55, ["w8-T3-s2"] = 0.56,
        };
        var steps = start.Select(w => p.Completed(w, R(w, val[w.Trial.Id]))).ToList();
        Assert.All(steps.Take(5), s => Assert.Empty(s.Next));
        Assert.All(steps.Take(5), s => Assert.Empty(s.Decisions)); // synchronous: nothing until the rung closes
        var last = steps[^1];
        Assert.Equal(["w8-T2-s1", "w8-T2-s2"], last.Next.Select(w => w.Trial.Id).Order());
        Assert.All(last.Next, w => Assert.Equal((1, 3), (w.FromEpoch, w.UntilEpoch)));
        Assert.Equal(["w8-T2-s1", "w8-T2-s2"], last.Decisions.Where(d => d.Promote).Select(d => d.TrialId).Order());
        Assert.Equal(4, last.Decisions.Count(d => !d.Promote));
        Assert.All(last.Decisions, d => Assert.Equal(1, d.Epoch));
        Assert.Single(last.Decisions.Where(d => d.Promote).Select(d => d.ConfigId).Distinct());
        Assert.Equal(2, p.Total); // the 4 stopped trials left the plan
        Assert.False(p.Exhausted);
        foreach (var w in last.Next) Assert.Empty(p.Completed(w, R(w, 0.7)).Next);
        Assert.True(p.Exhausted);
    }

    [Fact]
    public void Sha_decides_the_same_whatever_order_results_arrive_in()
    {
        var trials = Configs(10, 1, 2, 3).Append(Baseline(8, 1)).ToList();
        var first = Run(new HalvingPolicy(trials, 10, 1, 3, false), 1);
        for (int order = 2; order <= 12; order++)
        {
            var again = Run(new HalvingPolicy(trials, 10, 1, 3, false), order);
            Assert.Equal(first.Decisions, again.Decisions);
            Assert.Equal(first.Epochs, again.Epochs);
        }
        // 10 configs x 3 seeds: 10 to rung 1, 3 to rung 3, 1 to rung 9, 1 to rung 10; the baseline trains 10 epochs.
        Assert.Equal(3 * (10 * 1 + 3 * 2 + 1 * 6 + 1 * 1) + 10, first.Epochs);
        // The best configuration (highest T) is the one that reaches the full epochs.
        Assert.All(first.Decisions.Where(d => d.Promote && d.Epoch == 9), d => Assert.StartsWith("w8-T10-", d.TrialId));
        Assert.DoesNotContain(first.Decisions, d => d.TrialId.Contains("base"));
    }

    [Fact]
    public void Asha_promotes_as_soon_as_a_configuration_is_in_the_top_third_of_those_in()
    {
        var trials = Configs(9, 1);
        var p = new HalvingPolicy(trials, 9, 1, 3, asynchronous: true);
        var start = p.Start(new HashSet<string>()).OrderByDescending(w => w.Trial.Temperature).ToList(); // best first
        var s1 = p.Completed(start[0], R(start[0], 0.9));
        var s2 = p.Completed(start[1], R(start[1], 0.8));
        Assert.Empty(s1.Next);
        Assert.Empty(s2.Next);
        var s3 = p.Completed(start[2], R(start[2], 0.7)); // 3 in: the top one goes on, 6 still training
        Assert.Equal([start[0].Trial.Id], s3.Next.Select(w => w.Trial.Id));
        Assert.Equal((1, 3), (s3.Next[0].FromEpoch, s3.Next[0].UntilEpoch));
        Assert.DoesNotContain(s3.Decisions, d => !d.Promote); // nobody stops before the rung closes
        // The promoted one reaches rung 3 alone: 1 in, floor(1/3) = 0 go on; it waits for the rung to close.
        Assert.Empty(p.Completed(s3.Next[0], R(s3.Next[0], 0.95)).Next);
        var rest = start.Skip(3).Select((w, i) => p.Completed(w, R(w, 0.6 - i * 0.01))).ToList();
        // 6 in: the 2nd best goes on; rung 1 closes with the 9th, and the rest stop.
        Assert.Equal([start[1].Trial.Id], rest[2].Next.Select(w => w.Trial.Id));
        Assert.Equal(6, rest[^1].Decisions.Count(d => !d.Promote));
        Assert.Equal(3, p.Total);
        Assert.False(p.Exhausted);
    }

    [Fact]
    public void The_first_rung_hands_out_the_widest_configurations_first_each_with_its_seeds_after_the_baselines()
    {
        // Drawn in this order (as a sampler would), widths mixed.
        var trials = new List<Trial> { Baseline(16, 1) };
        foreach (var (w, t) in new[] { (16, 1.0), (64, 2.0), (32, 3.0), (64, 4.0), (16, 5.0) })
            trials.AddRange([T(w, t, 1), T(w, t, 2)]);
        var start = new HalvingPolicy(trials, 9, 1, 3, asynchronous: true).Start(new HashSet<string>());
        Assert.Equal(["w16-base-s1", "w64-T2-s1", "w64-T2-s2", "w64-T4-s1", "w64-T4-s2", "w32-T3-s1", "w32-T3-s2",
            "w16-T1-s1", "w16-T1-s2", "w16-T5-s1", "w16-T5-s2"], start.Select(w => w.Trial.Id));
    }

    /// <summary>
    /// Why widest first: a wider student takes longer (longest first keeps every slot busy to the end of the rung) and,
    /// where it is also the stronger one, asha's first arrivals set a high bar, so the narrow ones that follow do not
    /// slip into its early promotions. Results come in the order work was handed out (one slot): asha then spends what
    /// sha spends. Handed out narrowest first, as drawn, the same results cost asha more.
    /// </summary>
    [Fact]
    public void When_the_widest_are_the_strongest_asha_handing_them_out_first_spends_what_sha_spends()
    {
        int[] widths = [16, 32, 64, 128];
        var trials = Enumerable.Range(0, 18).Select(i => T(widths[i % 4], 1 + i, 1)).ToList(); // narrow and wide alternate
        double Val(Trial t, int epoch) => t.Width / 200.0 + t.Temperature!.Value / 1000 + epoch / 100.0;
        int InOrder(HalvingPolicy p, Func<IReadOnlyList<TrialWork>, IEnumerable<TrialWork>> order)
        {
            var queue = new Queue<TrialWork>(order(p.Start(new HashSet<string>())));
            int epochs = 0;
            while (queue.TryDequeue(out var w))
            {
                epochs += w.UntilEpoch - w.FromEpoch;
                foreach (var next in p.Completed(w, R(w, Val(w.Trial, w.UntilEpoch))).Next) queue.Enqueue(next);
            }
            Assert.True(p.Exhausted);
            return epochs;
        }
        int sha = InOrder(new HalvingPolicy(trials, 9, 1, 3, false), s => s);
        Assert.Equal(18 * 1 + 6 * 2 + 2 * 6, sha);
        Assert.Equal(sha, InOrder(new HalvingPolicy(trials, 9, 1, 3, true), s => s));
        Assert.True(InOrder(new HalvingPolicy(trials, 9, 1, 3, true), s => s.OrderBy(w => w.Trial.Width)) > sha);
    }

    [Fact]
    public void Asha_runs_to_its_end_with_every_configuration_decided_once()
    {
        var trials = Configs(27, 1, 2);
        var (decisions, epochs) = Run(new HalvingPolicy(trials, 9, 1, 3, true), 5);
        var perConfigAndRung = decisions.GroupBy(d => (d.ConfigId, d.Epoch)).ToList();
        Assert.All(perConfigAndRung, g => Assert.Single(g.Select(d => d.Promote).Distinct()));
        Assert.All(perConfigAndRung, g => Assert.Equal(2, g.Count()));
        Assert.Equal(27, perConfigAndRung.Count(g => g.Key.Epoch == 1));
        Assert.True(epochs < 27 * 2 * 9 / 3, $"{epochs} epochs");
    }

    [Fact]
    public void A_seed_given_up_leaves_its_configuration_scored_on_the_others_and_a_dead_configuration_closes_the_rung()
    {
        var trials = Configs(2, 1, 2);
        var p = new HalvingPolicy(trials, 3, 1, 3, false);
        var start = p.Start(new HashSet<string>()).ToDictionary(w => w.Trial.Id);
        Assert.Empty(p.GaveUp(start["w8-T1-s1"]).Next);
        Assert.Empty(p.Completed(start["w8-T1-s2"], R(start["w8-T1-s2"], 0.9)).Next);
        p.GaveUp(start["w8-T2-s1"]);
        var last = p.GaveUp(start["w8-T2-s2"]); // T2 is dead: rung 1 closes with T1 alone
        Assert.Equal(["w8-T1-s2"], last.Next.Select(w => w.Trial.Id));
        Assert.DoesNotContain(last.Decisions, d => !d.Promote);
    }

    [Fact]
    public void Baselines_train_whole_and_results_of_old_segments_or_unknown_trials_change_nothing()
    {
        var trials = Configs(3, 1).Append(Baseline(8, 1)).ToList();
        var p = new HalvingPolicy(trials, 9, 1, 3, false);
        var start = p.Start(new HashSet<string>());
        var b = Assert.Single(start, w => w.Trial.IsBaseline);
        Assert.Equal((0, 9), (b.FromEpoch, b.UntilEpoch));
        Assert.Equal(PolicyStep.None, p.Completed(b, R(b, 0.5)));
        var w1 = start.First(w => !w.Trial.IsBaseline);
        Assert.Equal(PolicyStep.None, p.Completed(w1 with { UntilEpoch = 3, FromEpoch = 1 }, R(w1, 0.5)));
        p.Completed(w1, R(w1, 0.5));
        Assert.Equal(PolicyStep.None, p.Completed(w1, R(w1, 0.5))); // the same segment twice counts once
        Assert.Equal(PolicyStep.None, p.Completed(new TrialWork(T(99, 1, 1), 1), R(w1, 0.5)));
    }

    /// <summary>
    /// 10,000 configurations x 3 seeds under asha (the --instant bench's size), asking whether it is over after every
    /// result as the ledger does: linear work per result, not quadratic (that took minutes; this takes about a second).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ten_thousand_configurations_with_three_seeds_decide_in_linear_time(bool asynchronous)
    {
        var trials = Enumerable.Range(1, 10_000).SelectMany(t => new[] { 1, 2, 3 }.Select(s => T(8 + t % 4, t, s))).ToList();
        var p = new HalvingPolicy(trials, 10, 1, 3, asynchronous);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rng = new Random(1); // results in no particular order (in T order, asha would promote nearly every one: each the best so far)
        var pending = new Queue<TrialWork>(p.Start(new HashSet<string>()).OrderBy(_ => rng.Next()));
        int results = 0, stops = 0;
        while (pending.Count > 0)
        {
            var w = pending.Dequeue();
            var step = p.Completed(w, R(w, Score(w.Trial, w.UntilEpoch)));
            foreach (var n in step.Next) pending.Enqueue(n);
            stops += step.Decisions.Count(d => !d.Promote);
            Assert.False(p.Exhausted && pending.Count > 0);
            results++;
        }
        Assert.True(p.Exhausted);
        Assert.InRange(results, 30_000 + 10_000, 30_000 + 20_000);
        Assert.InRange(stops, 28_000, 30_000); // all but the last rung's few configurations, 3 seeds each
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clock.Elapsed.TotalSeconds:F1} s");
    }
}
