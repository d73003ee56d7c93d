using System.Diagnostics;
using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// `akkakd cancel` stops the cancelled sweep's trials in flight at once, with real processes on loopback: the workers
/// cancel the trials' tokens when the coordinator tells them (not when its node has gone), and another running sweep
/// gets the freed slots within seconds.
/// </summary>
public sealed class CancelInterruptTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private readonly List<Akkakd> _processes = [];
    /// <summary>For what the worker's log shows (the drop, the training thread stopping).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>For what `akkakd status` shows: each one starts a process and visits the cluster over Akka.Remote first.</summary>
    private static readonly TimeSpan StatusBound = TimeSpan.FromSeconds(30);

    /// <summary>Baselines of thousands of epochs: minutes per trial, far longer than the test waits for anything.</summary>
    private static string Long(string name) => $$"""
        sweep {
          name = {{name}}
          data    { source = "embedded:mnist10k", train = 1500, test = 500 }
          teacher { hidden = [64], epochs = 2, batch = 32, lr = 0.003 }
          student { epochs = 4000, batch = 32, lr = 0.003 }
          grid    { temperature = [2], alpha = [0], width = [32, 64, 96], seeds = [1, 2] }
        }
        """;

    private Akkakd Start(params string[] args)
    {
        var p = Akkakd.Start(_dir, args);
        _processes.Add(p);
        return p;
    }

    private Akkakd Launch(string name, string seeds)
    {
        var file = Path.Combine(_dir, name + ".hocon");
        File.WriteAllText(file, Long(name));
        return Start("sweep", file, "--out", Path.Combine(_dir, name), "--seeds", seeds, "--slots", "0", "--min-workers", "1", "--plain");
    }

    private async Task<JsonElement> Status(string seeds)
    {
        var (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "status", "--seeds", seeds, "--json");
        Assert.True(code == 0, $"status exit {code}:\n{stdout}\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static int Running(JsonElement view, string sweep) =>
        view.GetProperty("Sweeps").EnumerateArray().Where(s => s.GetProperty("Name").GetString() == sweep)
            .Select(s => s.GetProperty("Running").GetInt32()).DefaultIfEmpty(-1).Single();

    private static int Busy(JsonElement view) => view.GetProperty("Members").EnumerateArray()
        .Where(m => m.GetProperty("Node").ValueKind == JsonValueKind.Object).Sum(m => m.GetProperty("Node").GetProperty("Busy").GetInt32());

    /// <summary>Polls status until the condition holds; fails past the limit with the last status.</summary>
    private async Task<JsonElement> Until(string seeds, Func<JsonElement, bool> holds, string what, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await Status(seeds);
            if (holds(view)) return view;
            Assert.True(clock.Elapsed < limit, $"{what}: not within {limit.TotalSeconds:0} s; last status:\n{view}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Cancel_stops_the_sweeps_trials_in_flight_at_once_and_another_sweep_gets_the_slots()
    {
        int port = Akkakd.FreePort();
        var seeds = $"akka.tcp://akkakd@127.0.0.1:{port}";
        var log = Path.Combine(_dir, "w.log");
        var worker = Start("worker", "--port", port.ToString(), "--seeds", seeds, "--slots", "2", "--cache", Path.Combine(_dir, "w"), "--log", log);
        await LabClusterTests.WaitFor(worker, o => o.Contains(": 2 slots, joined"), "joined", TimeSpan.FromSeconds(60));

        // "big" takes both slots with trials of minutes; "other", launched next, waits for a slot (none is taken back).
        var big = Launch("big", seeds);
        await Until(seeds, v => Running(v, "big") == 2, "big holds both slots", TimeSpan.FromMinutes(2));
        var other = Launch("other", seeds);
        await Until(seeds, v => Running(v, "other") == 0 && Running(v, "big") == 2, "other is up and waits", TimeSpan.FromMinutes(2));

        var (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "cancel", "--seeds", seeds, "big");
        Assert.True(code == 0, $"cancel exit {code}:\n{stdout}\n{stderr}");
        var cancelled = Stopwatch.StartNew();
        // The worker dropped big's two trials on the coordinator's word, and their training threads stopped (the trainer
        // checks the token per batch): otherwise they would have run for minutes and other's trials waited behind them.
        await WaitForLog(log, "dropped (cancelled by", 2, Bound);
        await WaitForLog(log, "dropped work stopped", 2, Bound - cancelled.Elapsed);
        double stopped = cancelled.Elapsed.TotalSeconds;
        await Until(seeds, v => Running(v, "other") == 2 && Busy(v) == 2, "other has both slots after big's cancel", StatusBound);
        double handedOver = cancelled.Elapsed.TotalSeconds;
        int bigCode = await big.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(bigCode == 4, $"big exit {bigCode}:\n{big.Out}\n{big.Err}");

        // Cancelling the last sweep leaves every slot idle within the bound.
        (code, stdout, stderr) = await Akkakd.Run(_dir, TimeSpan.FromSeconds(60), "cancel", "--seeds", seeds, "other");
        Assert.True(code == 0, $"cancel exit {code}:\n{stdout}\n{stderr}");
        cancelled.Restart();
        await WaitForLog(log, "dropped work stopped", 4, Bound);
        await Until(seeds, v => Busy(v) == 0, "no busy slot after other's cancel", StatusBound);
        int otherCode = await other.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(otherCode == 4, $"other exit {otherCode}:\n{other.Out}\n{other.Err}");
        Assert.False(worker.HasExited, "the worker ended:\n" + worker.Out + worker.Err);
        Console.WriteLine($"cancel to big's trials stopped (worker log): {stopped:F1} s; to other holding both slots (status): {handedOver:F1} s");
    }

    private static async Task WaitForLog(string log, string line, int count, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (Count(log, line) < count)
        {
            Assert.True(clock.Elapsed < limit, $"'{line}' {Count(log, line)} times in the worker's log, expected {count}:\n{Read(log)}");
            await Task.Delay(100);
        }
    }

    private static int Count(string log, string line) => Read(log).Split('\n').Count(l => l.Contains(line));

    private static string Read(string log)
    {
        if (!File.Exists(log)) return "";
        using var s = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(s).ReadToEnd();
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
