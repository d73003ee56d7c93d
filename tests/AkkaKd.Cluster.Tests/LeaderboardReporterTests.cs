using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Messages;
using AkkaKd.Reports;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// The reporter's end of a sweep: it writes the files off its receive and answers what came of it, the files or a
/// failure naming the one that could not be written; the coordinator hands that failure on in the sweep's summary.
/// </summary>
public sealed class LeaderboardReporterTests : TestKit, IDisposable
{
    private readonly string _dir = Fixtures.TempDir();
    private readonly StringWriter _text = new();
    private readonly List<Journal> _journals = [];

    private (IActorRef Reporter, SweepPlan Plan, SweepSummary Summary) Finished()
    {
        var settings = Fixtures.TinySweep("sweep.grid.alpha=[0]");
        var plan = SweepPlan.Prepare(settings, _dir, false, false, "fp");
        _journals.Add(plan.Journal);
        var ctx = new SweepContext(plan.SweepId, settings, "fp");
        var reporter = Sys.ActorOf(LeaderboardReporter.Props(_dir, TextWriter.Synchronized(_text), live: false));
        reporter.Tell(new SweepStarted(ctx, plan.Trials.Count, [], null, 1));
        foreach (var t in plan.Trials) reporter.Tell(new TrialFinished(plan.SweepId, Fixtures.Result(t, 0.8)));
        var summary = new SweepSummary(plan.SweepId, plan.Trials.Count, plan.Trials.Count, 0, [], 0, 0, 2.5, 2.0);
        return (reporter, plan, summary);
    }

    [Fact]
    public async Task The_reporter_answers_the_files_it_wrote()
    {
        var (reporter, plan, summary) = Finished();
        var written = await reporter.Ask<ReportWritten>(new WriteReport(summary), TimeSpan.FromSeconds(60));
        Assert.Equal(plan.SweepId, written.SweepId);
        Assert.Equal(new[] { "leaderboard.csv", "leaderboard.md", "report.html" }.Select(f => Path.Combine(_dir, f)), written.Files);
        Assert.All(written.Files, f => Assert.True(File.Exists(f), f));
        Assert.Contains("wrote " + string.Join(", ", written.Files), _text.ToString());
    }

    [Fact]
    public async Task A_file_that_cannot_be_written_is_a_failure_naming_it()
    {
        var (reporter, _, summary) = Finished();
        var md = Path.Combine(_dir, "leaderboard.md");
        Directory.CreateDirectory(md);
        var e = await Assert.ThrowsAsync<ReportWriteException>(() => reporter.Ask<ReportWritten>(new WriteReport(summary), TimeSpan.FromSeconds(60)));
        Assert.Equal($"is a directory: {md}", e.Message);
        // The ranking and the closing line are still shown; no "wrote" line.
        Assert.Contains("trials finished", _text.ToString());
        Assert.DoesNotContain("wrote ", _text.ToString());
    }

    [Fact]
    public void The_coordinator_hands_a_report_failure_on_in_the_summary()
    {
        var settings = Fixtures.TinySweep("sweep.grid.alpha=[0]", "sweep.grid.width=[8]");
        var plan = SweepPlan.Prepare(settings, _dir, false, false, "fp");
        _journals.Add(plan.Journal);
        var reporter = CreateTestProbe();
        reporter.SetAutoPilot(new DelegateAutoPilot((sender, msg) =>
        {
            if (msg is WriteReport) sender.Tell(new Status.Failure(new ReportWriteException("out/leaderboard.md", "no space left on device")));
            return AutoPilot.KeepRunning;
        }));
        var c = Sys.ActorOf(SweepCoordinator.Props(new SweepContext(plan.SweepId, settings, "fp"), plan.Ledger<IActorRef>(null),
            plan.Journal, reporter.Ref));
        c.Tell(AwaitSweep.Instance, TestActor);
        var w = CreateTestProbe();
        c.Tell(new RequestWork(w.Ref, "n"), w.Ref);
        foreach (var _ in plan.Trials)
        {
            var a = w.ExpectMsg<TrialAssignment>();
            c.Tell(new TrialCompleted(plan.SweepId, Fixtures.Result(a.Trial, 0.7)), w.Ref);
        }
        var summary = ExpectMsg<SweepSummary>(TimeSpan.FromSeconds(10));
        Assert.Equal("no space left on device: out/leaderboard.md", summary.ReportError);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var j in _journals) j.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
