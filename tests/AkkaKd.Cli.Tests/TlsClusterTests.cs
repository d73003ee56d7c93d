using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// TLS between nodes, with the real akkakd program as processes on loopback and certificates made at test time by
/// cluster/make-certs.sh (openssl): a TLS cluster runs a sweep; workers without a certificate (plain TCP, or TLS with no
/// client certificate) and a worker whose certificate comes from another CA never join, while the cluster goes on and
/// finishes the sweep.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private const string Sweep = """
        sweep {
          name = tls
          data    { source = "embedded:mnist10k", train = 600, test = 200 }
          teacher { hidden = [32], epochs = 1, batch = 32, lr = 0.003 }
          student { epochs = 2, batch = 32, lr = 0.003 }
          grid    { temperature = [2], alpha = [0.5], width = [16], seeds = [1, 2, 3] }
        }
        """;

    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AkkaKd.sln"))) return d.FullName;
        throw new InvalidOperationException($"AkkaKd.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs cluster/make-certs.sh OUTDIR NAMES... and gives OUTDIR.</summary>
    private string MakeCerts(string folder, string caName, params string[] names)
    {
        var outDir = Path.Combine(_dir, folder);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Root, "cluster", "make-certs.sh"));
        psi.ArgumentList.Add(outDir);
        foreach (var n in names) psi.ArgumentList.Add(n);
        psi.Environment["AKKAKD_CA_NAME"] = caName;
        psi.Environment.Remove("AKKAKD_TLS_PASSWORD");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "make-certs.sh did not finish within 60 s");
        Assert.True(p.ExitCode == 0, $"make-certs.sh exit {p.ExitCode} (is openssl installed?):\n{stdout.Result}\n{stderr.Result}");
        foreach (var n in names) Assert.True(File.Exists(Path.Combine(outDir, n + ".pfx")), stdout.Result);
        return outDir;
    }

    private static string Password(string certs) => File.ReadAllLines(Path.Combine(certs, "pfx-password"))[0];

    /// <summary>The environment of a TLS node with this certificate of <paramref name="certs"/>.</summary>
    private static Dictionary<string, string?> TlsEnv(string certs, string name) => new()
    {
        ["AKKAKD_TLS_CERT"] = Path.Combine(certs, name + ".pfx"),
        ["AKKAKD_TLS_PASSWORD"] = Password(certs),
        ["AKKAKD_TLS_CA"] = Path.Combine(certs, "ca.crt"),
    };

    /// <summary>The environment of a node with TLS off.</summary>
    private static readonly Dictionary<string, string?> NoTls = new()
    {
        ["AKKAKD_TLS_CERT"] = null, ["AKKAKD_TLS_PASSWORD"] = null, ["AKKAKD_TLS_CA"] = null, ["AKKAKD_CONFIG"] = null,
    };

    private Akkakd Start(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var p = Akkakd.Start(_dir, env, args);
        _processes.Add(p);
        return p;
    }

    private static List<JsonElement> Trials(string journal) =>
        File.Exists(journal)
            ? File.ReadAllLines(journal).Where(l => l.EndsWith('}') && l.Contains("\"type\":\"trial\""))
                .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];

    private static string ReadShared(string path)
    {
        if (!File.Exists(path)) return "";
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }

    /// <summary>Waits until the file holds the text (the process must not exit meanwhile).</summary>
    private static async Task WaitForLog(string path, string text, Akkakd process, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!ReadShared(path).Contains(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: '{text}' not in {path} within 60 s:\n{ReadShared(path)}");
            Assert.False(process.HasExited, $"{what}: the process exited:\n{process.Out}\n{process.Err}");
            await Task.Delay(100);
        }
    }

    /// <summary>The intruder never said it joined, and the seed's log never names its address.</summary>
    private static void AssertNeverJoined(Akkakd intruder, string intruderLog, string seedLog)
    {
        Assert.DoesNotContain("joined", intruder.Out);
        var address = Regex.Match(ReadShared(intruderLog), @"listening on addresses : \[akka\.(?:ssl\.)?tcp://akkakd@([^\]]+)\]").Groups[1].Value;
        Assert.NotEqual("", address);
        Assert.DoesNotContain("akkakd@" + address, ReadShared(seedLog));
    }

    private static string WorkerNode(Akkakd worker) =>
        Regex.Match(worker.Out, @"worker akka\.tcp://akkakd@([^:\s]+:\d+)").Groups[1].Value;

    /// <summary>The sweep node: the seed, TLS on, running no trials itself. Gives the process, the seed address and the output folder.</summary>
    private (Akkakd Sweep, string Seed, string Out) StartSeed(IReadOnlyDictionary<string, string?> env, params string[] extra)
    {
        var file = Path.Combine(_dir, "tls.hocon");
        File.WriteAllText(file, Sweep);
        int port = Akkakd.FreePort();
        var outDir = Path.Combine(_dir, "out");
        var sweep = Start(env, ["sweep", file, "--out", outDir, "--port", port.ToString(), "--slots", "0", "--min-workers", "1", "--plain", .. extra]);
        return (sweep, $"akka.tcp://akkakd@127.0.0.1:{port}", outDir);
    }

    /// <summary>Runs the sweep to its end; every trial ran once, all on the given worker.</summary>
    private static async Task AssertFinishedOn(Akkakd sweep, string outDir, Akkakd worker)
    {
        int code = await sweep.WaitAsync(Limit);
        Assert.True(code == 0, $"sweep exit {code}:\n{sweep.Out}\n{sweep.Err}");
        var trials = Trials(Path.Combine(outDir, "results.jsonl"));
        Assert.Equal(3, trials.Count);
        Assert.Equal(3, trials.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
        var node = WorkerNode(worker);
        Assert.True(node != "", "the TLS worker never joined:\n" + worker.Out + worker.Err);
        Assert.All(trials, t => Assert.Equal(node, t.GetProperty("node").GetString()));
    }

    [Fact]
    public async Task A_TLS_cluster_of_processes_runs_a_sweep()
    {
        var certs = MakeCerts("certs", "akkakd test CA", "seed", "worker");
        // The seed takes its TLS settings from a node HOCON (--config), the worker from the environment.
        var seedHocon = Path.Combine(_dir, "seed-node.hocon");
        File.WriteAllText(seedHocon, $$"""
            akkakd.tls {
              certificate = "{{Path.Combine(certs, "seed.pfx")}}"
              password = "{{Password(certs)}}"
              ca = "{{Path.Combine(certs, "ca.crt")}}"
            }
            """);
        var (sweep, seed, outDir) = StartSeed(NoTls, "--config", seedHocon);
        var worker = Start(TlsEnv(certs, "worker"), "worker", "--seeds", seed, "--slots", "1",
            "--cache", Path.Combine(_dir, "w"), "--log", Path.Combine(_dir, "w.log"));

        await AssertFinishedOn(sweep, outDir, worker);
        // The nodes spoke TLS: the transport's addresses are akka.ssl.tcp, and the worker reached the seed over it.
        var log = ReadShared(Path.Combine(outDir, "akkakd.log"));
        Assert.Contains($"listening on addresses : [akka.ssl.tcp://akkakd@127.0.0.1:{seed.Split(':')[^1]}]", log);
        Assert.Contains($"akka.ssl.tcp://akkakd@{WorkerNode(worker)}", log);
        Assert.DoesNotContain("TLS: refused", log);
        worker.Terminate();
        Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Workers_without_a_certificate_cannot_join_and_the_cluster_goes_on()
    {
        var certs = MakeCerts("certs", "akkakd test CA", "seed", "worker");
        var (sweep, seed, outDir) = StartSeed(TlsEnv(certs, "seed"));
        var seedLog = Path.Combine(outDir, "akkakd.log");

        // A worker with TLS off knocks first: the seed takes its plain TCP for what it is and closes the connection.
        var plainLog = Path.Combine(_dir, "plain.log");
        var plain = Start(NoTls, "worker", "--seeds", seed, "--slots", "1", "--cache", Path.Combine(_dir, "p"), "--log", plainLog);
        await WaitForLog(seedLog, "not an SSL/TLS record", sweep, "the seed");
        await WaitForLog(seedLog, "Rejected incoming connection", sweep, "the seed");
        await WaitForLog(plainLog, "Couldn't join seed nodes", plain, "the plain worker"); // it tries again, in vain

        // A worker that speaks TLS but presents no certificate (Akka's own TLS settings, mutual authentication off, the
        // seed's certificate not checked): the seed asks for a certificate, gets none, and refuses the connection.
        var other = MakeCerts("other", "rogue CA", "rogue"); // for its own server side, which never comes into play
        var bareHocon = Path.Combine(_dir, "bare.hocon");
        File.WriteAllText(bareHocon, $$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = on
              ssl {
                certificate { path = "{{Path.Combine(other, "rogue.pfx")}}", password = "{{Password(other)}}" }
                require-mutual-authentication = off
                suppress-validation = on
              }
            }
            """);
        var bareLog = Path.Combine(_dir, "bare.log");
        var bare = Start(NoTls, "worker", "--seeds", seed, "--slots", "1", "--config", bareHocon,
            "--cache", Path.Combine(_dir, "b"), "--log", bareLog);
        await WaitForLog(seedLog, "Mutual TLS required but client did not provide a certificate", sweep, "the seed");
        // Its own handshake fails; Akka then stops its node, and akkakd worker says it could not join (or, if the seed's
        // refusal comes in before, it logs a failed join attempt first). Either way it never joins.
        var bareDeadline = DateTime.UtcNow.AddSeconds(60);
        while (!ReadShared(bareLog).Contains("Couldn't join seed nodes") && !(bare.HasExited && bare.Err.Contains("could not join")))
        {
            Assert.True(DateTime.UtcNow < bareDeadline, $"the worker without a certificate neither failed to join nor stopped:\n{bare.Out}\n{bare.Err}");
            await Task.Delay(100);
        }
        if (bare.HasExited) Assert.Equal(2, await bare.WaitAsync(TimeSpan.FromSeconds(5)));

        // The cluster goes on: a TLS worker joins and runs every trial.
        var worker = Start(TlsEnv(certs, "worker"), "worker", "--seeds", seed, "--slots", "1",
            "--cache", Path.Combine(_dir, "w"), "--log", Path.Combine(_dir, "w.log"));
        await AssertFinishedOn(sweep, outDir, worker);

        // Neither joined (the plain one is still trying, the bare one may have stopped) nor got a trial.
        AssertNeverJoined(plain, plainLog, seedLog);
        AssertNeverJoined(bare, bareLog, seedLog);
        worker.Terminate();
        var wcode = await worker.WaitAsync(TimeSpan.FromSeconds(30)); Assert.True(wcode == 0, $"worker exit {wcode}:\n{worker.Out}\n{worker.Err}");
    }

    [Fact]
    public async Task A_worker_with_a_certificate_from_another_CA_cannot_join_and_the_cluster_goes_on()
    {
        var certs = MakeCerts("certs", "akkakd test CA", "seed", "worker");
        var other = MakeCerts("other", "rogue CA", "rogue");

        // akkakd itself refuses to start with a certificate that its CA did not sign.
        var env = TlsEnv(other, "rogue");
        env["AKKAKD_TLS_CA"] = Path.Combine(certs, "ca.crt");
        var refused = Start(env, "worker", "--seeds", "akka.tcp://akkakd@127.0.0.1:1", "--cache", Path.Combine(_dir, "r0"), "--log", Path.Combine(_dir, "r0.log"));
        Assert.Equal(2, await refused.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("not signed by the cluster CA (issuer: CN=rogue CA)", refused.Err);

        var (sweep, seed, outDir) = StartSeed(TlsEnv(certs, "seed"));
        var seedLog = Path.Combine(outDir, "akkakd.log");

        // A rogue node that gets past that: Akka's own TLS settings, a certificate of another CA, and no validation of
        // the certificate it is shown (it would accept the seed's). Only the seed's check stands in its way.
        var rogueHocon = Path.Combine(_dir, "rogue.hocon");
        File.WriteAllText(rogueHocon, $$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = on
              ssl {
                certificate { path = "{{Path.Combine(other, "rogue.pfx")}}", password = "{{Password(other)}}" }
                suppress-validation = on
              }
            }
            """);
        var rogueLog = Path.Combine(_dir, "rogue.log");
        var rogue = Start(NoTls, "worker", "--seeds", seed, "--slots", "1", "--config", rogueHocon,
            "--cache", Path.Combine(_dir, "r"), "--log", rogueLog);
        await WaitForLog(seedLog, "not signed by the cluster CA (issuer: CN=rogue CA) (CN=rogue)", sweep, "the seed");
        await WaitForLog(rogueLog, "Couldn't join seed nodes", rogue, "the rogue worker");

        var worker = Start(TlsEnv(certs, "worker"), "worker", "--seeds", seed, "--slots", "1",
            "--cache", Path.Combine(_dir, "w"), "--log", Path.Combine(_dir, "w.log"));
        await AssertFinishedOn(sweep, outDir, worker);

        AssertNeverJoined(rogue, rogueLog, seedLog);
        worker.Terminate();
        Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void With_TLS_on_the_transport_is_ssl_and_seeds_are_reached_over_it()
    {
        var seeds = new[] { "akka.tcp://akkakd@10.0.0.1:4053", "akka.ssl.tcp://akkakd@10.0.0.2:4053" };
        var on = NodeBootstrap.BuildConfig(new NodeOptions
        {
            Seeds = seeds, TlsCertificate = "node.pfx", TlsPassword = "pw", TlsCa = "ca.crt",
        });
        Assert.True(on.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal(["akka.ssl.tcp://akkakd@10.0.0.1:4053", "akka.ssl.tcp://akkakd@10.0.0.2:4053"], on.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(new TlsFiles("node.pfx", "pw", "ca.crt"), NodeTls.Files(on));

        var off = NodeBootstrap.BuildConfig(new NodeOptions { Seeds = seeds[..1] });
        Assert.False(off.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal(seeds[..1], off.GetStringList("akka.cluster.seed-nodes"));
        Assert.Null(NodeTls.Files(off));
    }

    [Fact]
    public async Task A_TLS_seed_address_on_a_node_without_TLS_is_a_usage_error()
    {
        using var p = Akkakd.Start(_dir, NoTls, "worker", "--seeds", "akka.ssl.tcp://akkakd@127.0.0.1:1", "--log", Path.Combine(_dir, "x.log"));
        Assert.Equal(2, await p.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("akkakd: --seeds: 'akka.ssl.tcp://akkakd@127.0.0.1:1' is a TLS address, and TLS is off", p.Err);
        Assert.Single(p.Err.Trim().Split('\n'));
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
