using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cli;

/// <summary>
/// The options that place a node in a cluster, from the command line first, then the environment (for containers):
/// --host / AKKAKD_HOST, --public-host / AKKAKD_PUBLIC_HOST, --port / AKKAKD_PORT, --seeds / AKKAKD_SEEDS,
/// --config / AKKAKD_CONFIG (a node HOCON file such as cluster/node.hocon). TLS between nodes comes from the node
/// HOCON (akkakd.tls) or the environment, which wins: AKKAKD_TLS_CERT, AKKAKD_TLS_PASSWORD, AKKAKD_TLS_CA.
/// </summary>
public static class NodeArgs
{
    public static readonly string[] Options = ["host", "public-host", "port", "seeds", "config"];

    public static NodeOptions Read(Args a, string? logFile)
    {
        string? Get(string name, string env)
        {
            var v = a.Get(name) ?? Environment.GetEnvironmentVariable(env);
            return string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        }
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var host = Get("host", "AKKAKD_HOST") ?? "127.0.0.1";
        var portText = Get("port", "AKKAKD_PORT");
        int port = 0;
        if (portText != null && (!int.TryParse(portText, out port) || port < 0 || port > 65535))
            throw new UsageException($"--port: '{portText}' is not a port number (0..65535)");
        var seeds = (Get("seeds", "AKKAKD_SEEDS") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(CheckSeed).ToList();
        string? hocon = null;
        var config = Get("config", "AKKAKD_CONFIG");
        if (config != null)
        {
            if (!File.Exists(config)) throw new UsageException($"--config: {config}: file not found");
            hocon = File.ReadAllText(config);
            try
            {
                Akka.Configuration.ConfigurationFactory.ParseString(hocon);
            }
            catch (Exception e)
            {
                throw new UsageException($"--config: {config}: HOCON syntax error: {e.Message.Split('\n')[0]}");
            }
        }
        var options = new NodeOptions
        {
            Host = host,
            PublicHost = Get("public-host", "AKKAKD_PUBLIC_HOST"),
            Port = port,
            Seeds = seeds,
            LogFile = logFile,
            Hocon = hocon,
            TlsCertificate = Env("AKKAKD_TLS_CERT"),
            TlsPassword = Environment.GetEnvironmentVariable("AKKAKD_TLS_PASSWORD"), // may be empty, or begin with a space
            TlsCa = Env("AKKAKD_TLS_CA"),
        };
        // The TLS files are checked now, for a one-line error before the node starts.
        try
        {
            var built = NodeBootstrap.BuildConfig(options);
            var tls = NodeTls.Files(built);
            if (tls != null) NodeTls.SslSetup(tls).Certificate.Dispose();
            else if (!built.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl")
                     && seeds.FirstOrDefault(s => s.StartsWith("akka.ssl.tcp:", StringComparison.Ordinal)) is { } ssl)
                throw new UsageException($"--seeds: '{ssl}' is a TLS address, and TLS is off on this node (set AKKAKD_TLS_CERT and AKKAKD_TLS_CA, or akkakd.tls in --config)");
        }
        catch (TlsSettingException e)
        {
            throw new UsageException(e.Message);
        }
        return options;
    }

    private static string CheckSeed(string seed)
    {
        if (!Uri.TryCreate(seed, UriKind.Absolute, out var uri) || uri.Scheme is not ("akka.tcp" or "akka.ssl.tcp") || uri.UserInfo != "akkakd" || uri.Port <= 0)
            throw new UsageException($"--seeds: '{seed}' is not a seed address like akka.tcp://akkakd@HOST:PORT");
        return seed.TrimEnd('/');
    }
}
