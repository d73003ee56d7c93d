using Akka.Actor;
using Akka.Configuration;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// A message of a type outside the allow-list, sent over Akka.Remote to a node, is refused and logged there; the node
/// and the connection go on working.
/// </summary>
public sealed class SerializerBoundaryTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly List<ActorSystem> _systems = [];

    /// <summary>Not one of the project's messages, though it carries the marker (as a forged message would).</summary>
    public sealed record Forged(string Command) : IAkkaKdMessage;

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task A_forged_message_type_is_refused_and_logged_and_the_node_goes_on()
    {
        var log = Path.Combine(_dir, "target.log");
        var target = ActorSystem.Create(NodeOptions.SystemName, NodeBootstrap.BuildConfig(new NodeOptions { LogFile = log }));
        _systems.Add(target);
        target.ActorOf(Props.Create(() => new Echo()), "echo");
        var targetAddress = ((ExtendedActorSystem)target).Provider.DefaultAddress;

        // The sender uses plain Hyperion, without the allow-list: what another program could send.
        var senderConfig = ConfigurationFactory.ParseString("""
            akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
            """).WithFallback(NodeBootstrap.BuildConfig(new NodeOptions { LogFile = Path.Combine(_dir, "sender.log") }));
        var sender = ActorSystem.Create(NodeOptions.SystemName, senderConfig);
        _systems.Add(sender);
        var echo = sender.ActorSelection(new RootActorPath(targetAddress) / "user" / "echo");

        var ok = new TrialProgress("s", "t", 1, 2, 0.5, 1.0);
        Assert.Equal(ok, await echo.Ask<TrialProgress>(ok, TimeSpan.FromSeconds(10))); // the connection works

        var forged = echo.Ask<object>(new Forged("rm -rf /"), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<AskTimeoutException>(() => forged); // never delivered, so never echoed

        var again = ok with { Epoch = 2 };
        Assert.Equal(again, await echo.Ask<TrialProgress>(again, TimeSpan.FromSeconds(10))); // the node goes on

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(File.Exists(log) && File.ReadAllText(log).Contains("Unsafe Type")) && DateTime.UtcNow < deadline) await Task.Delay(50);
        var text = File.ReadAllText(log);
        Assert.Contains("Unsafe Type", text);
        Assert.Contains("Forged", text);
    }

    public void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(20));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
