using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>End to end on one node: a tiny sweep through the real actors on a one-node cluster.</summary>
public sealed class SingleNodeSweepTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private static async Task<(SweepPlan Plan, Messages.SweepSummary Summary, string Output)> Run(SweepSettings s, string outDir, bool resume)
    {
        var data = AkkaKd.Distillation.Data.DataCache.Get(AkkaKd.Distillation.Data.DataSource.Parse(s.Data.Source));
        var plan = SweepPlan.Prepare(s, outDir, resume, false, data.Fingerprint);
        using (plan.Journal)
        {
            var output = new StringWriter();
            using var cts = new CancellationTokenSource(Limit);
            var summary = await SweepRunner.RunAsync(plan, data.Fingerprint,
                new SweepRunOptions { Slots = 2, Output = output, Live = false, Node = new NodeOptions { LogFile = Path.Combine(outDir, "akkakd.log") } },
                cts.Token);
            return (plan, summary, output.ToString());
        }
    }

    [Fact]
    public async Task A_tiny_sweep_writes_the_journal_and_leaderboard_and_a_resume_runs_nothing_more()
    {
        var settings = Fixtures.TinySweep();
        var outDir = Path.Combine(_dir, "sweep");
        var (plan, summary, output) = await Run(settings, outDir, resume: false);

        Assert.Equal(plan.Trials.Count, summary.Total);
        Assert.Equal(plan.Trials.Count, summary.Finished);
        Assert.Empty(summary.FailedTrials);

        var journal = Journal.Read(Path.Combine(outDir, Journal.FileName));
        Assert.Equal(settings.Hash(), journal.Header!.SweepHash);
        Assert.Equal(plan.Trials.Select(t => t.Id).Order(), journal.Results.Select(r => r.Id).Order());
        Assert.Single(journal.Teachers); // trained once for the whole sweep
        Assert.All(journal.Results, r => Assert.InRange(r.TestAccuracy, 0.3, 1.0)); // learned something (10 classes: chance 0.1)
        Assert.All(journal.Results.Where(r => !r.IsBaseline), r => Assert.Equal(journal.Teachers[0].TestAccuracy, r.TeacherAccuracy));

        var csv = File.ReadAllLines(Path.Combine(outDir, "leaderboard.csv"));
        Assert.Equal(1 + Leaderboard.Rank(journal.Results).Count, csv.Length);
        Assert.Contains("| rank |", File.ReadAllText(Path.Combine(outDir, "leaderboard.md")));
        Assert.Contains($"{plan.Trials.Count}/{plan.Trials.Count} trials finished", output);
        Assert.True(File.Exists(Path.Combine(outDir, "akkakd.log")));
        Assert.DoesNotContain("[INFO]", output); // Akka's log lines stay out of the user's output

        // Resume: nothing left, nothing run, the journal unchanged.
        var before = File.ReadAllText(Path.Combine(outDir, Journal.FileName));
        var (plan2, summary2, _) = await Run(settings, outDir, resume: true);
        Assert.Equal(0, plan2.Pending);
        Assert.Equal(summary.Total, summary2.Finished);
        Assert.Equal(summary.Total, summary2.FinishedBefore);
        Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, Journal.FileName)));
    }

    [Fact]
    public async Task The_same_sweep_gives_the_same_accuracy_per_trial_id_whatever_the_slot_order()
    {
        var settings = Fixtures.TinySweep("sweep.grid.width=[8]");
        var a = await Run(settings, Path.Combine(_dir, "a"), resume: false);
        var b = await Run(settings, Path.Combine(_dir, "b"), resume: false);
        var ra = Journal.Read(a.Plan.JournalPath).Results.ToDictionary(r => r.Id, r => r.TestAccuracy);
        var rb = Journal.Read(b.Plan.JournalPath).Results.ToDictionary(r => r.Id, r => r.TestAccuracy);
        Assert.Equal(ra.Count, rb.Count);
        foreach (var (id, acc) in ra) Assert.Equal(acc, rb[id]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
