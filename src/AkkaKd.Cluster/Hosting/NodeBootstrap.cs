using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace AkkaKd.Cluster.Hosting;

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
}

/// <summary>
/// TLS between nodes, from <c>akkakd.tls</c>: this node's certificate with its private key (PKCS#12) and the CA that
/// every node's certificate must be signed by.
/// </summary>
public sealed record TlsFiles(string Certificate, string Password, string Ca);

/// <summary>A TLS setting that cannot be used: the message names the setting and the file.</summary>
public sealed class TlsSettingException(string message) : Exception(message);

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

        // With TLS the transport's addresses are akka.ssl.tcp://: seeds written akka.tcp:// (as every node prints its
        // address, and as docker-compose.yml names them) are reached over TLS.
        var ssl = Tls(config) != null || config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl");
        var seeds = o.Seeds.Select(s => ssl && s.StartsWith("akka.tcp://", StringComparison.Ordinal) ? "akka.ssl.tcp://" + s["akka.tcp://".Length..] : s);
        var top = $$"""
            akka.remote.dot-netty.tcp.hostname = {{Q(o.Host)}}
            akka.remote.dot-netty.tcp.port = {{o.Port}}
            akka.remote.dot-netty.tcp.public-hostname = {{Q(PublicHost(o))}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(ssl ? "on" : "off")}}
            akka.cluster.roles = [{{string.Join(", ", o.Roles.Select(Q))}}]
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(Q))}}]
            akkakd.log-file = {{Q(o.LogFile ?? "")}}
            """;
        return ConfigurationFactory.ParseString(top).WithFallback(config);
    }

    /// <summary>The TLS files of a node's settings; null when <c>akkakd.tls.certificate</c> is empty (TLS off).</summary>
    public static TlsFiles? Tls(Config config)
    {
        string Get(string key) => config.GetString("akkakd.tls." + key, "") ?? "";
        if (string.IsNullOrWhiteSpace(Get("certificate"))) return null;
        if (string.IsNullOrWhiteSpace(Get("ca")))
            throw new TlsSettingException("akkakd.tls.ca (AKKAKD_TLS_CA): TLS needs the CA certificate that signs every node's certificate");
        return new TlsFiles(Get("certificate"), Get("password"), Get("ca"));
    }

    /// <summary>
    /// Akka.Remote's TLS for these files: this node presents its certificate on every connection, in and out
    /// (Akka's require-mutual-authentication), and accepts a peer only if the peer's certificate chains to the CA
    /// (<see cref="SignedBy"/>). Throws <see cref="TlsSettingException"/> naming the file that cannot be used.
    /// </summary>
    public static DotNettySslSetup SslSetup(TlsFiles tls)
    {
        if (!File.Exists(tls.Ca)) throw new TlsSettingException($"akkakd.tls.ca (AKKAKD_TLS_CA): {tls.Ca}: file not found");
        if (!File.Exists(tls.Certificate))
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: file not found");
        X509Certificate2 ca, own;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(tls.Ca);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSettingException($"akkakd.tls.ca (AKKAKD_TLS_CA): {tls.Ca}: {Reason(e, "not a certificate (PEM or DER)")}");
        }
        try
        {
            own = X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.Password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: " +
                                          Reason(e, "not a PKCS#12 file, or the password (akkakd.tls.password, AKKAKD_TLS_PASSWORD) is wrong"));
        }
        if (!own.HasPrivateKey)
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: holds no private key");
        if (Untrusted(own, null, ca) is { } why)
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: not usable with the CA {tls.Ca}: {why}");
        return new DotNettySslSetup(own, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: SignedBy(ca));

        static string Reason(Exception e, string otherwise) => e is CryptographicException ? otherwise : e.Message;
    }

    /// <summary>
    /// Accepts a peer's certificate only if it chains to <paramref name="ca"/> (and to nothing else: the system's
    /// trust store plays no part), is within its validity dates and may serve as both TLS server and client. The
    /// peer's name is not checked: any certificate of the CA is a cluster member.
    /// </summary>
    public static CertificateValidationCallback SignedBy(X509Certificate2 ca) => (certificate, chain, peer, _, log) =>
    {
        var why = certificate == null ? "it presented no certificate" : Untrusted(certificate, chain, ca);
        if (why == null) return true;
        log.Warning("TLS: refused the connection with {0}: {1} ({2})", peer, why, certificate?.Subject ?? "-");
        return false;
    };

    /// <summary>Why a certificate is not accepted, or null if it chains to the CA.</summary>
    private static string? Untrusted(X509Certificate2 certificate, X509Chain? presented, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1")); // TLS server authentication
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // TLS client authentication
        // Intermediate certificates the peer sent along (they only help to build the chain; they are not trusted).
        if (presented != null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (chain.Build(certificate)) return null;
        var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        if (status.Contains(X509ChainStatusFlags.UntrustedRoot) || status.Contains(X509ChainStatusFlags.PartialChain))
            return $"not signed by the cluster CA (issuer: {certificate.Issuer})";
        return string.Join(", ", status.Select(s => s switch
        {
            X509ChainStatusFlags.NotTimeValid => $"expired or not yet valid ({certificate.NotBefore:u} to {certificate.NotAfter:u})",
            X509ChainStatusFlags.NotValidForUsage => "not made for both TLS server and client use (extendedKeyUsage serverAuth, clientAuth)",
            _ => s.ToString(),
        }));
    }

    /// <summary>The advertised host: the public one if given; the machine's name when bound to every interface.</summary>
    public static string PublicHost(NodeOptions o) =>
        !string.IsNullOrWhiteSpace(o.PublicHost) ? o.PublicHost! : o.Host is "0.0.0.0" or "::" ? System.Net.Dns.GetHostName() : o.Host;

    /// <summary>
    /// Creates the system and waits until the cluster has accepted this node (joining itself when there are no seeds).
    /// </summary>
    public static async Task<ActorSystem> StartAsync(NodeOptions o, TimeSpan joinTimeout, CancellationToken cancel = default)
    {
        var config = BuildConfig(o);
        var tls = Tls(config);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = ActorSystem.Create(NodeOptions.SystemName,
            tls == null ? ActorSystemSetup.Create(setup) : ActorSystemSetup.Create(setup, SslSetup(tls)));
        var cluster = Akka.Cluster.Cluster.Get(system);
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
        return system;
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
}
