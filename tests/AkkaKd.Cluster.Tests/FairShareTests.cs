using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cluster.Tests;

/// <summary>Which sweep a free slot asks when several run at once.</summary>
public sealed class FairShareTests
{
    private static SweepShare<string> S(string key, int running, bool hasWork = true, int weight = 1, double seconds = 10) =>
        new(key, running, hasWork, weight, seconds);

    [Fact]
    public void A_free_slot_goes_to_the_sweep_with_the_fewest_trials_in_hand()
    {
        Assert.Equal("new", FairShare.Pick([S("big", 3, seconds: 100), S("new", 0, seconds: 1)])!.Key);
        Assert.Equal("big", FairShare.Pick([S("big", 1, seconds: 100), S("new", 2, seconds: 1)])!.Key);
    }

    [Fact]
    public void On_a_tie_the_older_sweep_gets_the_slot()
    {
        Assert.Equal("old", FairShare.Pick([S("young", 1, seconds: 5), S("old", 1, seconds: 50)])!.Key);
        Assert.Equal("old", FairShare.Pick([S("old", 1, seconds: 50), S("young", 1, seconds: 5)])!.Key);
    }

    [Fact]
    public void A_sweep_without_work_now_takes_no_slot_and_none_with_work_means_ask_them_all()
    {
        Assert.Equal("busy", FairShare.Pick([S("waiting", 0, hasWork: false), S("busy", 5)])!.Key);
        Assert.Null(FairShare.Pick([S("a", 0, hasWork: false), S("b", 2, hasWork: false)]));
        Assert.Null(FairShare.Pick(Array.Empty<SweepShare<string>>()));
    }

    [Fact]
    public void Weights_share_the_slots_in_proportion()
    {
        // Weight 2 against 1: the heavier sweep is below its share until it holds twice as many trials.
        Assert.Equal("heavy", FairShare.Pick([S("heavy", 3, weight: 2), S("light", 2, weight: 1)])!.Key);
        Assert.Equal("light", FairShare.Pick([S("heavy", 4, weight: 2), S("light", 1, weight: 1, seconds: 1)])!.Key);
    }

    [Fact]
    public void Slots_freed_one_by_one_settle_on_equal_shares()
    {
        // 6 slots all held by sweep a when b starts: as a's trials end one at a time, each freed slot asks FairShare.
        var running = new Dictionary<string, int> { ["a"] = 6, ["b"] = 0 };
        for (int i = 0; i < 12; i++)
        {
            var ending = running["a"] >= running["b"] ? "a" : "b"; // the sweep holding more slots has more trials ending
            running[ending]--;
            var pick = FairShare.Pick([S("a", running["a"], seconds: 100), S("b", running["b"], seconds: 10)])!.Key;
            running[pick]++;
        }
        Assert.Equal(3, running["a"]);
        Assert.Equal(3, running["b"]);
    }

    [Fact]
    public void A_slot_that_just_finished_a_trial_does_not_count_it_against_its_sweep()
    {
        // 3 slots, weights 2 and 1, heavy holds 2 and light 1. A light slot finishes: its view still counts it (light 1),
        // heavy 2/2 and light 1/1 would tie and the older heavy would take it; without it light holds 0 and keeps the slot.
        Assert.Equal("light", FairShare.Pick([S("heavy", 2, weight: 2, seconds: 100), S("light", 1, seconds: 10)], "light")!.Key);
        // A heavy slot finishes: heavy holds 1 of its 2, light 1 of its 1: heavy is below its share and keeps the slot.
        Assert.Equal("heavy", FairShare.Pick([S("heavy", 2, weight: 2, seconds: 10), S("light", 1, seconds: 100)], "heavy")!.Key);
    }

    [Fact]
    public void A_slot_leaves_a_sweep_over_its_share_with_the_chance_excess_over_trials_in_hand()
    {
        // Equal weights, 3 slots: old holds 2 (target 1.5, excess 0.5), so each of its slots moves with chance 0.5 / 2.
        Assert.Equal("young", FairShare.Pick([S("old", 2, seconds: 50), S("young", 1, seconds: 5)], "old", draw: 0.2)!.Key);
        Assert.Equal("old", FairShare.Pick([S("old", 2, seconds: 50), S("young", 1, seconds: 5)], "old", draw: 0.3)!.Key);
        // A sweep at or below its share keeps its slot whatever the draw.
        Assert.Equal("young", FairShare.Pick([S("old", 2, seconds: 50), S("young", 1, seconds: 5)], "young", draw: 0)!.Key);
        // A new sweep holding nothing, 6 slots in the old one: each old slot moves with chance 3 / 6.
        Assert.Equal("new", FairShare.Pick([S("old", 6, seconds: 50), S("new", 0, seconds: 1)], "old", draw: 0.49)!.Key);
        Assert.Equal("old", FairShare.Pick([S("old", 6, seconds: 50), S("new", 0, seconds: 1)], "old", draw: 0.51)!.Key);
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 2)]
    [InlineData(8, 3, 1)]
    public void Slots_whose_trials_end_in_step_still_share_by_weight(int slots, int weightA, int weightB)
    {
        // The worst case for a shared view: every trial lasts the same, so every slot decides in the same instant on the
        // same counts (as three nodes did with the benchmark's 1 s trials). Deciding without chance, they all moved at once.
        var rng = new Random(11);
        var held = Enumerable.Repeat("a", slots).ToArray();
        var seconds = new Dictionary<string, double> { ["a"] = 0, ["b"] = 0 };
        for (int round = 0; round < 4000; round++)
        {
            var view = new[] { S("a", held.Count(h => h == "a"), weight: weightA, seconds: 100), S("b", held.Count(h => h == "b"), weight: weightB, seconds: 90) };
            for (int i = 0; i < slots; i++) held[i] = FairShare.Pick(view, held[i], rng.NextDouble())!.Key;
            if (round >= 20) foreach (var h in held) seconds[h] += 1;
        }
        double share = seconds["a"] / (seconds["a"] + seconds["b"]), target = (double)weightA / (weightA + weightB);
        Assert.True(Math.Abs(share - target) < 0.05, $"{slots} slots, weights {weightA}:{weightB}: a had {share:P1} of the slot-seconds, target {target:P1}");
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(8, 2, 1)]
    [InlineData(8, 3, 1)]
    [InlineData(5, 1, 1)]
    public void Over_time_each_sweep_gets_its_weighted_share_of_the_slot_seconds(int slots, int weightA, int weightB)
    {
        // Trials of random length (0.5 to 1.5) end one at a time; the freed slot decides as a TrialWorker does: on the
        // counts that still include its own trial, naming the sweep it leaves. Both sweeps always have work.
        var rng = new Random(7);
        var held = new string[slots];
        var ends = new double[slots];
        var running = new Dictionary<string, int> { ["a"] = slots, ["b"] = 0 };
        for (int i = 0; i < slots; i++) (held[i], ends[i]) = ("a", rng.NextDouble() + 0.5);
        var seconds = new Dictionary<string, double> { ["a"] = 0, ["b"] = 0 };
        double now = 0;
        for (int step = 0; step < 20000; step++)
        {
            int slot = Array.IndexOf(ends, ends.Min());
            double next = ends[slot];
            if (step > 200) foreach (var h in held) seconds[h] += next - now; // after the start (a held every slot)
            now = next;
            var pick = FairShare.Pick([S("a", running["a"], weight: weightA, seconds: 100), S("b", running["b"], weight: weightB, seconds: 90)],
                held[slot], rng.NextDouble())!.Key;
            running[held[slot]]--;
            running[pick]++;
            held[slot] = pick;
            ends[slot] = now + rng.NextDouble() + 0.5;
        }
        double share = seconds["a"] / (seconds["a"] + seconds["b"]), target = (double)weightA / (weightA + weightB);
        Assert.True(Math.Abs(share - target) < 0.06, $"{slots} slots, weights {weightA}:{weightB}: a had {share:P1} of the slot-seconds, target {target:P1}");
    }
}
