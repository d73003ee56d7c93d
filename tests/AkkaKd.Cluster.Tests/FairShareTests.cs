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
}
