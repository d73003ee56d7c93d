using System.Diagnostics;
using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// cluster/slurm/akkakd.sbatch under a real Slurm: the test starts a Slurm of one node of its own (munged, slurmctld and
/// slurmd with a key, config, state and logs in a temporary folder, through cluster/slurm/single-host.sh), submits the
/// script with a small sweep, waits for the job, and checks the journal; then cancels a long sweep mid-way (scancel) and
/// checks that it ended as a signalled sweep does, its results kept. The daemons are stopped whatever happens.
/// Needs Debian's slurm-wlm and munge and root (slurmd), as .ci/run provides: without them the test fails and says so.
/// </summary>
public sealed class SlurmTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly string Root = FindRoot();
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(3);

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AkkaKd.sln"))) return d.FullName;
        throw new InvalidOperationException($"AkkaKd.sln not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public async Task The_sbatch_script_runs_workers_and_a_sweep_into_them_under_a_real_Slurm()
    {
        Assert.False(OperatingSystem.IsWindows(), "Slurm runs on Linux");
        var missing = new[] { "munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol" }.Where(c => !OnPath(c)).ToList();
        Assert.True(missing.Count == 0,
            $"Slurm is not installed ({string.Join(", ", missing)} not on PATH): apt-get install slurm-wlm munge (.ci/run does, as root)");
        Assert.True(Environment.UserName == "root" || Run("id", ["-u"], null, TimeSpan.FromSeconds(10)).Out.Trim() == "0",
            "slurmd must run as root to start jobs; run the tests as root (as .ci/run does in CI)");

        var slurm = Path.Combine(_dir, "slurm");
        var env = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(slurm, "slurm.conf") };
        try
        {
            var start = Run("bash", [Path.Combine(Root, "cluster", "slurm", "single-host.sh"), "start", slurm, "2"], null, TimeSpan.FromSeconds(90));
            Assert.True(start.Code == 0, $"the single-host Slurm did not start (exit {start.Code}):\n{start.Out}{start.Err}\n{Logs(slurm)}");
            var node = Run("sinfo", ["--noheader", "--format=%N"], env, TimeSpan.FromSeconds(20)).Out.Trim();
            Assert.False(string.IsNullOrEmpty(node), "sinfo names no node");

            var sweepFile = Path.Combine(_dir, "twelve.hocon");
            File.WriteAllText(sweepFile, Sweeps.Twelve);
            // The program the job runs: this build of akkakd (the script runs "$AKKAKD worker ..." and "$AKKAKD sweep ...").
            var program = Path.Combine(_dir, "akkakd");
            File.WriteAllText(program, $"#!/bin/sh\nexec dotnet '{Akkakd.Dll}' \"$@\"\n");
            Assert.Equal(0, Run("chmod", ["+x", program], null, TimeSpan.FromSeconds(10)).Code);
            int port = Akkakd.FreePort();
            var outDir = Path.Combine(_dir, "out");
            var jobEnv = new Dictionary<string, string>(env)
            {
                ["AKKAKD"] = program,
                ["AKKAKD_PORT"] = port.ToString(),
                ["AKKAKD_OUT"] = outDir,
            };

            var submit = Run("sbatch", ["--parsable", "--nodes=1", $"--chdir={_dir}", $"--output={_dir}/job-%j.out",
                Path.Combine(Root, "cluster", "slurm", "akkakd.sbatch"), sweepFile], jobEnv, TimeSpan.FromSeconds(30));
            Assert.True(submit.Code == 0, $"sbatch exit {submit.Code}:\n{submit.Out}{submit.Err}");
            var job = submit.Out.Trim().Split(';')[0];
            var jobOut = Path.Combine(_dir, $"job-{job}.out");

            var (state, exit) = await WaitForJob(job, env);
            var output = File.Exists(jobOut) ? File.ReadAllText(jobOut) : "(no job output)";
            var workersOut = Path.Combine(outDir, "nodes", "workers.out");
            var workers = File.Exists(workersOut) ? File.ReadAllText(workersOut) : "(no workers.out)";
            var context = $"job {job}: {state}, exit {exit}\n--- job output:\n{output}\n--- workers:\n{workers}\n{Logs(slurm)}";
            Assert.True(state == "COMPLETED" && exit == "0:0", context);

            // Every trial of the sweep is in the journal, run by the worker that Slurm started, known by its node name.
            var trials = LabClusterTests.Trials(Path.Combine(outDir, "results.jsonl"));
            Assert.True(trials.Count == 12, $"{trials.Count} trials in the journal, not 12\n{context}");
            Assert.All(trials, t => Assert.Equal($"{node}:{port}", t.GetProperty("node").GetString()));
            Assert.Contains("12/12 trials finished", output);
            // The worker ran all of the node's CPUs as slots, and was stopped with SIGTERM (it left the cluster), not killed.
            Assert.Contains($"worker akka.tcp://akkakd@{node}:{port}: 2 slots, joined", workers);
            Assert.Contains("worker: left the cluster", workers);

            // scancel mid-sweep, once the first trial is in (11 trials of 200 epochs on 2 slots are left, so it lands
            // mid-sweep even on a fast machine): Slurm's SIGTERM ends the sweep with 143, what finished stays in the
            // journal, and the job output says how to resume.
            var slowFile = Path.Combine(_dir, "slow.hocon");
            File.WriteAllText(slowFile, Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 200"));
            var slowOut = Path.Combine(_dir, "slow");
            var slowEnv = new Dictionary<string, string>(jobEnv) { ["AKKAKD_PORT"] = Akkakd.FreePort().ToString(), ["AKKAKD_OUT"] = slowOut };
            submit = Run("sbatch", ["--parsable", "--nodes=1", $"--chdir={_dir}", $"--output={_dir}/job-%j.out",
                Path.Combine(Root, "cluster", "slurm", "akkakd.sbatch"), slowFile], slowEnv, TimeSpan.FromSeconds(30));
            Assert.True(submit.Code == 0, $"sbatch exit {submit.Code}:\n{submit.Out}{submit.Err}");
            var slowJob = submit.Out.Trim().Split(';')[0];
            var slowJournal = Path.Combine(slowOut, "results.jsonl");
            var deadline = DateTime.UtcNow + JobLimit;
            while (!File.Exists(slowJournal) || LabClusterTests.Trials(slowJournal).Count < 1)
            {
                Assert.True(DateTime.UtcNow < deadline, $"job {slowJob}: no trial in the journal after {JobLimit.TotalMinutes:0} min\n{Logs(slurm)}");
                await Task.Delay(200);
            }
            var cancel = Run("scancel", [slowJob], env, TimeSpan.FromSeconds(30));
            Assert.True(cancel.Code == 0, $"scancel exit {cancel.Code}: {cancel.Err}");
            (state, exit) = await WaitForJob(slowJob, env);
            var slowOutput = File.ReadAllText(Path.Combine(_dir, $"job-{slowJob}.out"));
            Assert.True(state == "CANCELLED" && exit == "143:0", $"job {slowJob}: {state}, exit {exit}\n{slowOutput}");
            var kept = LabClusterTests.Trials(slowJournal).Count;
            Assert.InRange(kept, 1, 11);
            Assert.Contains("--resume", slowOutput);
            Assert.Contains("sweep exit code 143", slowOutput);
        }
        finally
        {
            StopSlurm(slurm);
        }
    }

    /// <summary>Polls until the job has ended (or the bound passes, which fails the test); its state and exit code.</summary>
    private static async Task<(string State, string Exit)> WaitForJob(string job, IReadOnlyDictionary<string, string> env)
    {
        var deadline = DateTime.UtcNow + JobLimit;
        while (true)
        {
            var show = Run("scontrol", ["show", "job", job, "--oneliner"], env, TimeSpan.FromSeconds(20));
            var fields = show.Out.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            var state = fields.GetValueOrDefault("JobState", "?");
            if (state is not ("PENDING" or "CONFIGURING" or "RUNNING" or "COMPLETING" or "?"))
                return (state, fields.GetValueOrDefault("ExitCode", "?"));
            Assert.True(DateTime.UtcNow < deadline, $"job {job} still {state} after {JobLimit.TotalMinutes:0} min:\n{show.Out}{show.Err}");
            await Task.Delay(500);
        }
    }

    /// <summary>Stops the daemons: the script's stop (which cancels jobs first), then SIGKILL to any that remain.</summary>
    private static void StopSlurm(string slurm)
    {
        try
        {
            Run("bash", [Path.Combine(Root, "cluster", "slurm", "single-host.sh"), "stop", slurm], null, TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var name in new[] { "slurmd", "slurmctld", "munged" })
            {
                var pidFile = Path.Combine(slurm, "run", name + ".pid");
                if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                }
                catch (ArgumentException)
                {
                    // already gone
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
            }
        }
    }

    private static string Logs(string slurm)
    {
        var log = Path.Combine(slurm, "log");
        if (!Directory.Exists(log)) return "";
        return string.Join("\n", Directory.GetFiles(log).Order().Select(f =>
            $"--- {Path.GetFileName(f)} (last lines):\n{string.Join("\n", File.ReadLines(f).TakeLast(15))}"));
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Concat(["/usr/sbin", "/sbin"])
        .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, command)));

    private static (int Code, string Out, string Err) Run(string file, string[] args, IReadOnlyDictionary<string, string>? env, TimeSpan limit)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Daemons and Slurm's tools live in sbin too, which a test runner's PATH may leave out.
        psi.Environment["PATH"] = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        if (env != null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {limit.TotalSeconds:0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still open: leave the folder
        }
        catch (UnauthorizedAccessException)
        {
            // leave the folder
        }
    }
}
