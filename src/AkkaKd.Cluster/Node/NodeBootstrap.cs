using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace AkkaKd.Cluster.Node;

/// <summary>How to start one node: where it binds, which seeds it joins, its roles and where it logs.</summary>
public sealed record NodeOptions
{
    public const string SystemName = "akkakd";

    public string Host { get; init; } = "127.0.0.1";
    /// <summary>The name other nodes reach this one by, when it differs from the bind address (e.g. in a container).</summary>
    public string? PublicHost { get; init; }
    public int Port { get; init; }
    /// <summary>Seed node addresses (akka.tcp://akkakd@host:port); none: the node joins itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = ["coordinator", "worker"];
    public string? LogFile { get; init; }
    /// <summary>Extra HOCON on top of the built-in settings (e.g. cluster/node.hocon).</summary>
    public string? Hocon { get; init; }
    /// <summary>TLS between nodes (akkakd.tls.certificate, .password, .ca), set here over the HOCON (AKKAKD_TLS_*).</summary>
    public string? TlsCertificate { get; init; }
    public string? TlsPassword { get; init; }
    public string? TlsCa { get; init; }
    /// <summary>Where the node says what an operator should know (a node of another version refused); null: the log only.</summary>
    public TextWriter? Notices { get; init; }
}

/// <summary>Starts an akkakd ActorSystem as a member of an Akka.Cluster.</summary>
public static class NodeBootstrap
{
    /// <summary>The built-in node settings (the embedded akkakd.hocon).</summary>
    public static Config BaseConfig()
    {
        using var s = typeof(NodeBootstrap).Assembly.GetManifestResourceStream("akkakd.hocon")
                      ?? throw new InvalidOperationException("akkakd.hocon is missing from the build");
        using var r = new StreamReader(s);
        return ConfigurationFactory.ParseString(r.ReadToEnd());
    }

    public static Config BuildConfig(NodeOptions o)
    {
        static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var tls = string.Join("\n", new[] { ("certificate", o.TlsCertificate), ("password", o.TlsPassword), ("ca", o.TlsCa) }
            .Where(kv => kv.Item2 != null).Select(kv => $"akkakd.tls.{kv.Item1} = {Q(kv.Item2!)}"));
        var config = ConfigurationFactory.ParseString(tls);
        if (!string.IsNullOrWhiteSpace(o.Hocon)) config = config.WithFallback(ConfigurationFactory.ParseString(o.Hocon));
        config = config.WithFallback(BaseConfig());

        var ssl = Ssl(config);
        var seeds = SeedAddresses(o, config);
        var top = $$"""
            akka.remote.dot-netty.tcp.hostname = {{Q(o.Host)}}
            akka.remote.dot-netty.tcp.port = {{o.Port}}
            akka.remote.dot-netty.tcp.public-hostname = {{Q(PublicHost(o))}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(ssl ? "on" : "off")}}
            akka.cluster.roles = [{{string.Join(", ", o.Roles.Select(Q))}}]
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(Q))}}]
            akka.cluster.app-version = {{Q(AkkaKdVersion.Current)}}
            akkakd.log-file = {{Q(o.LogFile ?? "")}}
            """;
        return ConfigurationFactory.ParseString(top).WithFallback(config);
    }

    private static bool Ssl(Config config) => NodeTls.Files(config) != null || config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl");

    /// <summary>
    /// The seeds as this node reaches them. With TLS the transport's addresses are akka.ssl.tcp://: seeds written
    /// akka.tcp:// (as every node prints its address, and as docker-compose.yml names them) are reached over TLS.
    /// </summary>
    public static IReadOnlyList<string> SeedAddresses(NodeOptions o, Config config) =>
        o.Seeds.Select(s => Ssl(config) && s.StartsWith("akka.tcp://", StringComparison.Ordinal) ? "akka.ssl.tcp://" + s["akka.tcp://".Length..] : s)
            .ToArray();

    /// <summary>The advertised host: the public one if given; the machine's name when bound to every interface.</summary>
    public static string PublicHost(NodeOptions o) =>
        !string.IsNullOrWhiteSpace(o.PublicHost) ? o.PublicHost! : o.Host is "0.0.0.0" or "::" ? System.Net.Dns.GetHostName() : o.Host;

    /// <summary>
    /// Creates the system and waits until the cluster has accepted this node (joining itself when there are no seeds).
    /// <paramref name="joinTimeout"/> may be <see cref="Timeout.InfiniteTimeSpan"/> (a long-lived worker waits for its
    /// cluster); <paramref name="waiting"/> is called while it waits (e.g. a <see cref="WaitTicker"/>).
    /// </summary>
    public static async Task<ActorSystem> StartAsync(NodeOptions o, TimeSpan joinTimeout, CancellationToken cancel = default,
        Action? waiting = null)
    {
        var system = Create(BuildConfig(o));
        var cluster = Akka.Cluster.Cluster.Get(system);
        system.ActorOf(VersionGuard.Props(o.Notices), "version-guard");
        system.ActorOf(MembersView.Props(), Roles.MembersName);
        if (o.Seeds.Count == 0) cluster.Join(cluster.SelfAddress);
        // Joined: the cluster accepted this node (Joining, WeaklyUp or Up). Waiting for Up would need convergence, which
        // a dead node blocks until it is downed; work is pulled, so a joining node can take trials already.
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            limit.CancelAfter(joinTimeout);
            while (!cluster.State.Members.Any(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress)))
            {
                // Akka stops a node whose own TLS handshake fails, among other fatal errors: no point waiting.
                if (system.WhenTerminated.IsCompleted)
                    throw new TimeoutException($"the node stopped while joining ({CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "see its log"})");
                waiting?.Invoke();
                try
                {
                    await Task.Delay(20, limit.Token);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    throw new TimeoutException($"not joined within {joinTimeout.TotalSeconds:0} s");
                }
            }
        }
        catch
        {
            await system.Terminate();
            throw;
        }
        // The welcome gossip that made this node a member named the others, and their versions.
        if (VersionGuard.Refusal(cluster.State, cluster.SelfUniqueAddress) is { } refusal)
        {
            await ShutdownQuietlyAsync(system);
            throw new VersionSkewException($"refused by the cluster at {string.Join(", ", o.Seeds)}: {refusal}");
        }
        return system;
    }

    /// <summary>
    /// A visitor (`status`, `cancel`): an ActorSystem with the node's transport and TLS that talks to the cluster over
    /// plain remoting and never joins it (a member that came and went would count in the split brain resolver's
    /// majority, and hold convergence while it could not leave).
    /// </summary>
    public static ActorSystem StartVisitor(NodeOptions o) =>
        Create(ConfigurationFactory.ParseString("akka.actor.provider = remote").WithFallback(BuildConfig(o)));

    private static ActorSystem Create(Config config)
    {
        var tls = NodeTls.Files(config);
        var setup = BootstrapSetup.Create().WithConfig(config);
        return ActorSystem.Create(NodeOptions.SystemName, tls == null ? ActorSystemSetup.Create(setup) : ActorSystemSetup.Create(setup, NodeTls.SslSetup(tls)));
    }

    /// <summary>
    /// Leaves the cluster and terminates. Akka falls back to its standard-out logger once the file logger has stopped
    /// (akka.net#5246 despite stdout-loglevel = off), so the console is muted for the last moments of shutdown.
    /// </summary>
    public static async Task ShutdownQuietlyAsync(ActorSystem system)
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
            await system.WhenTerminated;
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    /// <summary>"host:port" of the node, as results name it.</summary>
    public static string NodeName(ActorSystem system)
    {
        var a = Akka.Cluster.Cluster.Get(system).SelfAddress;
        return $"{a.Host}:{a.Port}";
    }

    /// <summary>This node's incarnation: the uid of its cluster member (a node restarted on the same port gets another).</summary>
    public static int NodeUid(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfUniqueAddress.Uid;
}
