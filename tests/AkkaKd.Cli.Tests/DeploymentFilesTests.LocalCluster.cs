using System.Diagnostics;
using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>cluster/local-cluster.sh end to end: the compose cluster's four steps as real processes on loopback.</summary>
public sealed partial class DeploymentFilesTests
{
    [Fact]
    public async Task The_local_cluster_script_starts_a_cluster_that_outlives_a_sweep_and_stops_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = Akkakd.TempDir();
        var state = Path.Combine(dir, "state");
        // This build of akkakd, so that the script does not publish one.
        var program = Path.Combine(dir, "akkakd");
        File.WriteAllText(program, $"#!/bin/sh\nexec dotnet '{Akkakd.Dll}' \"$@\"\n");
        File.SetUnixFileMode(program, File.GetUnixFileMode(program) | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string> { ["AKKAKD"] = program, ["AKKAKD_LOCAL_DIR"] = state };
        var sweepFile = Path.Combine(dir, "twelve.hocon");
        File.WriteAllText(sweepFile, Sweeps.Twelve);
        try
        {
            // docker compose up -d: seed1, seed2 and one more worker; the script returns once all three have joined.
            var up = await LocalCluster(env, TimeSpan.FromMinutes(3), "up", "1");
            Assert.True(up.Code == 0, $"up: exit {up.Code}\n{up.Out}{up.Err}");
            Assert.Contains("up: seed1, seed2 and 1 more worker(s)", up.Err);
            var pids = File.ReadAllLines(Path.Combine(state, "pids")).Select(l => int.Parse(l.Split(' ')[1])).ToList();
            Assert.Equal(3, pids.Count);

            // docker compose run --rm sweep FILE: the sweep joins the cluster, runs on its workers, and leaves.
            var outDir = Path.Combine(dir, "out");
            var sweep = await LocalCluster(env, TimeSpan.FromMinutes(3), "sweep", sweepFile, "--out", outDir, "--plain");
            Assert.True(sweep.Code == 0, $"sweep: exit {sweep.Code}\n{sweep.Out}{sweep.Err}");
            var trials = LabClusterTests.Trials(Path.Combine(outDir, "results.jsonl"));
            Assert.Equal(12, trials.Count);

            // docker compose run --rm akkakd status: the three workers are still members, the sweep is gone.
            var status = await LocalCluster(env, TimeSpan.FromMinutes(1), "status", "--json");
            Assert.True(status.Code == 0, $"status: exit {status.Code}\n{status.Out}{status.Err}");
            var view = JsonDocument.Parse(status.Out).RootElement;
            var members = view.GetProperty("Members").EnumerateArray()
                .Where(m => m.GetProperty("Roles").EnumerateArray().Any(r => r.GetString() == "worker"))
                .Select(m => m.GetProperty("Address").GetString()!).ToList();
            Assert.Equal(3, members.Count);
            Assert.All(trials, t => Assert.Contains(members, m => m.EndsWith("@" + t.GetProperty("node").GetString(), StringComparison.Ordinal)
                                                                   || m == t.GetProperty("node").GetString()));

            // docker compose down: SIGTERM, every node leaves the cluster and ends.
            var down = await LocalCluster(env, TimeSpan.FromMinutes(1), "down");
            Assert.True(down.Code == 0, $"down: exit {down.Code}\n{down.Out}{down.Err}");
            Assert.DoesNotContain("SIGKILL", down.Err);
            Assert.All(pids, pid => Assert.False(Alive(pid), $"node {pid} still running after down"));
            foreach (var name in new[] { "seed1", "seed2", "worker1" })
                Assert.Contains("worker: left the cluster", File.ReadAllText(Path.Combine(state, "nodes", name + ".out")));

            // And a launch with no cluster up is refused at once.
            var none = await LocalCluster(env, TimeSpan.FromMinutes(1), "sweep", sweepFile);
            Assert.Equal(2, none.Code);
            Assert.Contains("no cluster is up", none.Err);
        }
        finally
        {
            await LocalCluster(env, TimeSpan.FromMinutes(1), "down");
            var pidFile = Path.Combine(state, "pids");
            if (File.Exists(pidFile))
                foreach (var line in File.ReadAllLines(pidFile))
                    if (int.TryParse(line.Split(' ').Last(), out var pid) && Alive(pid))
                        Process.GetProcessById(pid).Kill();
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<(int Code, string Out, string Err)> LocalCluster(IReadOnlyDictionary<string, string> env, TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(Root, "cluster", "local-cluster.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"local-cluster.sh {string.Join(' ', args)} did not finish within {limit.TotalSeconds:0} s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
