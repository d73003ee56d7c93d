using System.Diagnostics;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// SIGTERM, SIGINT and SIGHUP sent to a real `akkakd sweep` mid-sweep: it ends within seconds with 128 + the signal's
/// number, says how to continue, keeps every finished result, and --resume then runs only what is missing.
/// </summary>
public sealed class SignalTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private static readonly string Sweep = Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 100");

    private static int TrialLines(string journal) =>
        File.Exists(journal) ? File.ReadAllLines(journal).Count(l => l.Contains("\"type\":\"trial\"")) : 0;

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    [InlineData("HUP", 129)]
    public async Task A_signal_ends_a_sweep_within_seconds_and_keeps_its_results(string signal, int expected)
    {
        var file = Path.Combine(_dir, "signal.hocon");
        File.WriteAllText(file, Sweep);
        var outDir = Path.Combine(_dir, "out-" + signal);
        var journal = Path.Combine(outDir, "results.jsonl");
        using var p = Akkakd.Start(_dir, "sweep", file, "--out", outDir, "--plain");
        var deadline = DateTime.UtcNow + Limit;
        while (TrialLines(journal) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress:\n" + p.Out + p.Err);
            Assert.False(p.HasExited, "the sweep ended before the signal:\n" + p.Out + p.Err);
            await Task.Delay(20);
        }
        using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString()])) await kill.WaitForExitAsync();
        var clock = Stopwatch.StartNew();
        var code = await p.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:F1} s to end after SIG{signal}");
        Assert.True(code == expected, $"exit {code} after SIG{signal}:\n{p.Out}\n{p.Err}");
        Assert.Contains("--resume", p.Err);
        int kept = TrialLines(journal);
        Assert.InRange(kept, 2, 11);

        var (again, stdout, stderr) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--resume", "--plain");
        Assert.True(again == 0, $"resume exit {again}:\n{stdout}\n{stderr}");
        Assert.Contains($"({12 - kept} this run, {kept} from the journal)", stdout);
        Assert.Equal(12, TrialLines(journal));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
