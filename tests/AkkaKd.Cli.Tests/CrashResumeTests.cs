using System.Text.Json;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// The coordinator killed with SIGKILL mid-sweep, a torn line at the end of its journal, then --resume: only the
/// missing trials run, and no line reported finished is ever lost.
/// </summary>
public sealed class CrashResumeTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    // Long enough trials (student epochs 30) that the kill always lands mid-sweep, even on a fast quiet machine.
    private static readonly string Sweep = Sweeps.Twelve.Replace("student { epochs = 6", "student { epochs = 300");

    private static List<string> TrialLines(string journal) =>
        File.ReadAllLines(journal).Where(l => l.Contains("\"type\":\"trial\"")).ToList();

    [Fact]
    public async Task A_coordinator_killed_mid_sweep_resumes_with_only_the_missing_trials_and_loses_no_line()
    {
        var file = Path.Combine(_dir, "crash.hocon");
        File.WriteAllText(file, Sweep);
        var outDir = Path.Combine(_dir, "out");
        var journal = Path.Combine(outDir, "results.jsonl");

        using (var first = Akkakd.Start(_dir, "sweep", file, "--out", outDir, "--plain"))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(journal) || TrialLines(journal).Count < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "no progress:\n" + first.Out + first.Err);
                Assert.False(first.HasExited, "the sweep ended before it could be killed:\n" + first.Out + first.Err);
                await Task.Delay(20);
            }
            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(10));
        }
        var before = File.ReadAllText(journal);
        var finishedBefore = TrialLines(journal);
        Assert.InRange(finishedBefore.Count, 3, 11);

        // As if the crash had come in the middle of a write: half a line, no newline.
        File.AppendAllText(journal, "{\"id\":\"0123456789ab\",\"width\":32,\"temp");

        var (code, stdout, stderr) = await Akkakd.Run(_dir, Limit, "sweep", file, "--out", outDir, "--resume", "--plain");
        Assert.True(code == 0, $"resume exit {code}:\n{stdout}\n{stderr}");
        Assert.Contains("torn last line", stderr);
        Assert.True(File.Exists(journal + ".torn"));
        Assert.Contains($"({12 - finishedBefore.Count} this run, {finishedBefore.Count} from the journal)", stdout);

        var after = File.ReadAllText(journal);
        Assert.StartsWith(before, after); // every line written before the crash is still there, in place
        var ids = TrialLines(journal).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, ids.Distinct().Count()); // every trial exactly once
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
