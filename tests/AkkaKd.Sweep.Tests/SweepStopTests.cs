using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Tests;

/// <summary>When a sweep ends early: cancelled, or refused by every worker node (decided without actors).</summary>
public sealed class SweepStopTests
{
    [Fact]
    public void Every_worker_node_refusing_the_data_ends_the_sweep_once_nothing_is_in_hand()
    {
        var stop = new SweepStop { WorkerNodes = 2 };
        stop.RefusedData("n1", "other pixels");
        Assert.Null(stop.DataError(inFlight: 0, writing: false)); // one of two nodes refused: the other may run it
        stop.RefusedData("n1", "again"); // the same node twice counts once
        Assert.Null(stop.DataError(0, false));
        stop.RefusedData("n2", "fingerprint abc");
        Assert.Null(stop.DataError(inFlight: 1, writing: false)); // a trial still in a worker's hands
        Assert.Null(stop.DataError(0, writing: true)); // a result still being written
        var error = stop.DataError(0, false);
        Assert.NotNull(error);
        Assert.Contains("n1, n2", error);
        Assert.Contains("fingerprint abc", error);
    }

    [Fact]
    public void Without_worker_nodes_nothing_is_refused_and_the_first_canceller_is_kept()
    {
        var stop = new SweepStop();
        stop.RefusedData("n1", "x");
        Assert.Null(stop.DataError(0, false));
        Assert.False(stop.Cancelled);
        stop.Cancel("alice@host");
        stop.Cancel("bob@host");
        Assert.Equal("alice@host", stop.CancelledBy);
    }
}
