using Akka.Actor;
using Akka.Cluster;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// `status` and `cancel` visit a real worker node over Akka.Remote on loopback without joining: the cluster never sees
/// them as members, so a visitor that comes and goes (or dies) cannot count in the split brain resolver's majority or
/// hold convergence (a CI run lost a sweep's node that way while a test polled `status`).
/// </summary>
public sealed class ClusterInspectorTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly List<ActorSystem> _systems = [];

    [Fact]
    public async Task Status_visits_a_cluster_without_becoming_a_member()
    {
        var worker = await WorkerHost.StartAsync(new NodeOptions { LogFile = Path.Combine(_dir, "w.log") }, 2, Path.Combine(_dir, "w"),
            TimeSpan.FromSeconds(30), DistillationTrainer.Instance);
        _systems.Add(worker);
        var cluster = Akka.Cluster.Cluster.Get(worker);
        var seen = new List<string>();
        var probe = worker.ActorOf(Props.Create(() => new EventLog(seen)));
        cluster.Subscribe(probe, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent),
            typeof(ClusterEvent.IReachabilityEvent));

        var seeds = new[] { cluster.SelfAddress.ToString() };
        for (int i = 0; i < 3; i++)
        {
            var view = await ClusterInspector.StatusAsync(new NodeOptions { Seeds = seeds, LogFile = Path.Combine(_dir, "visit.log") },
                TimeSpan.FromSeconds(30), TextWriter.Null);
            var member = Assert.Single(view.Members);
            Assert.Equal($"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}", member.Address);
            Assert.Equal("Up", member.State);
            Assert.True(member.Reachable);
            Assert.Equal(2, member.Node!.Slots);
            Assert.Empty(view.Sweeps);
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // time for a late membership event to arrive
        Assert.Single(cluster.State.Members);
        Assert.Empty(cluster.State.Unreachable);
        lock (seen) Assert.Equal([$"MemberUp {cluster.SelfAddress}"], seen);
    }

    [Fact]
    public async Task Status_with_no_seed_answering_gives_up_at_its_timeout()
    {
        int port = FreePort();
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => ClusterInspector.StatusAsync(
            new NodeOptions { Seeds = [$"akka.tcp://akkakd@127.0.0.1:{port}"], LogFile = Path.Combine(_dir, "visit.log") },
            TimeSpan.FromSeconds(3), TextWriter.Null));
        Assert.Contains("no seed answered within 3 s", e.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(30));
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private sealed class EventLog : ReceiveActor
    {
        public EventLog(List<string> seen) =>
            ReceiveAny(m =>
            {
                lock (seen) seen.Add(m is ClusterEvent.MemberStatusChange c ? $"{c.GetType().Name} {c.Member.Address}" : m.GetType().Name);
            });
    }

    public void Dispose()
    {
        foreach (var s in _systems) s.Terminate().Wait(TimeSpan.FromSeconds(10));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
