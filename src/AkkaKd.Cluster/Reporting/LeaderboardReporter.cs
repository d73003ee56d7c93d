using Akka.Actor;
using AkkaKd.Cluster.Messages;
using AkkaKd.Reports;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Reporting;

/// <summary>
/// Gathers every result into the ranking. On a terminal it redraws a live table in place (progress, running trials,
/// ETA, the top of the ranking); otherwise it prints one plain line per event. At the end it writes leaderboard.csv,
/// leaderboard.md and report.html and prints the top of the ranking and, per width, the T x alpha grid of accuracies.
/// What is drawn and written is AkkaKd.Reports' (<see cref="LiveTable"/>, <see cref="EndOfSweep"/>); the end-of-sweep
/// files and report are made on a task, never inside a receive, and the outcome (<see cref="ReportWritten"/> or a
/// failure naming the file and the cause) is piped to whoever asked.
/// </summary>
public sealed class LeaderboardReporter : ReceiveActor, IWithTimers
{
    private readonly string _outDir;
    private readonly TextWriter _out;
    private readonly bool _live;
    private readonly LiveTable _table = new();
    private readonly LiveScreen _screen;
    private bool _closed;
    private string? _teacherWorkId;
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal); // work id -> what a person reads

    public ITimerScheduler Timers { get; set; } = null!;

    public LeaderboardReporter(string outDir, TextWriter output, bool live)
    {
        _outDir = outDir;
        _out = output;
        _live = live;
        _screen = new LiveScreen(output, inPlace: live);

        Receive<SweepStarted>(s =>
        {
            var line = _table.Start(s.Sweep.Settings.Name, s.Total, s.Sweep.Settings.Top, s.Finished, s.Teacher, s.Slots,
                s.Sweep.Settings.Student.Epochs, s.Rungs, s.Decisions);
            if (_live) Timers.StartPeriodicTimer("draw", Draw.Instance, TimeSpan.FromMilliseconds(250));
            else Line(line);
        });
        Receive<TrialAssigned>(a =>
        {
            if (a.Work is TeacherWork) _teacherWorkId = a.Work.Id;
            var label = a.Work.Label; // formatted once per assignment, not twice
            _labels[a.Work.Id] = label;
            _table.Assigned(a.Work.Id, label, a.Node);
        });
        Receive<TrialProgress>(p => _table.Progress(p.WorkId, p.Epoch, p.Epochs, p.ValAcc));
        Receive<TrialRequeued>(r => Line(_table.Requeued(r.WorkId, r.Reason)));
        Receive<TeacherReady>(t => Line(_table.TeacherReady(t.Teacher, _teacherWorkId ?? "")));
        Receive<TrialFinished>(f => Line(_table.Finished(f.Result)));
        Receive<TrialGaveUp>(g => Line(_table.GaveUp(g.TrialId, g.Error)));
        Receive<RungFinished>(r => Line(_table.RungResult(r.Rung, _labels.GetValueOrDefault(r.Rung.Id, r.Rung.Id))));
        Receive<TrialDecided>(d => _table.Decided(d.Decision));
        Receive<Draw>(_ =>
        {
            if (_table.Changed && !_closed) Redraw();
        });
        Receive<WriteReport>(w =>
        {
            Timers.Cancel("draw");
            if (_live && !_closed) Redraw();
            _closed = true;
            var end = new End(_outDir, _table.Results.ToList(), _table.Teacher, _table.IsStarted ? _table.Top : 20,
                $"akkakd sweep {_table.Name}", Tally(w.Summary), _live);
            var output = _out;
            Task.Run(() => end.Run(output)).PipeTo(Sender,
                success: files => new ReportWritten(w.Summary.SweepId, files.ToArray()),
                failure: e => new Status.Failure(e));
        });
    }

    public static Props Props(string outDir, TextWriter output, bool live) =>
        Akka.Actor.Props.Create(() => new LeaderboardReporter(outDir, output, live));

    /// <summary>A plain line per event when the output is not a terminal (the live table shows the event otherwise).</summary>
    private void Line(string text)
    {
        if (!_live && !_closed) _out.WriteLine(text);
    }

    private void Redraw() => _screen.Draw(_table.Lines(Console.IsOutputRedirected ? null : LiveScreen.Height));

    private static SweepTally Tally(SweepSummary s) =>
        new(s.Total, s.Finished, s.FinishedBefore, s.FailedTrials.Length, s.Requeued, s.Duplicates, s.Seconds);

    /// <summary>The end of the sweep, off the actor: the files, then the closing output; a failure to write names the file.</summary>
    private sealed record End(string OutDir, IReadOnlyList<TrialResult> Results, TeacherRecord? Teacher, int Top, string Title,
        SweepTally Tally, bool Live)
    {
        public IReadOnlyList<string> Run(TextWriter output)
        {
            IReadOnlyList<string>? files = null;
            try
            {
                files = EndOfSweep.WriteFiles(OutDir, Results, Teacher, Top, Title);
                return files;
            }
            finally
            {
                EndOfSweep.Print(output, Results, Teacher, Top, Tally, files, Live, Live ? LiveScreen.Width : 120);
            }
        }
    }

    private sealed record Draw
    {
        public static readonly Draw Instance = new();
    }
}
