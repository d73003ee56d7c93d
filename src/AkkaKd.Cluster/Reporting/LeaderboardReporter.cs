using System.Diagnostics;
using System.Globalization;
using System.Text;
using Akka.Actor;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;
using AkkaKd.Sweep.Reports;

namespace AkkaKd.Cluster.Reporting;

/// <summary>
/// Gathers every result into the ranking. On a terminal it redraws a live table in place (progress, running trials,
/// ETA, the top of the ranking); otherwise it prints one plain line per event. At the end it writes leaderboard.csv
/// and leaderboard.md and prints the top of the ranking and, per width, the T x alpha grid of accuracies.
/// </summary>
public sealed class LeaderboardReporter : ReceiveActor, IWithTimers
{
    private readonly string _outDir;
    private readonly TextWriter _out;
    private readonly bool _live;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TrialResult> _results = [];
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    private SweepStarted? _start;
    private TeacherRecord? _teacher;
    private int _doneThisRun;
    private int _failed;
    private int _drawnLines;
    private bool _dirty;
    private string? _teacherWorkId;

    public ITimerScheduler Timers { get; set; } = null!;

    public LeaderboardReporter(string outDir, TextWriter output, bool live)
    {
        _outDir = outDir;
        _out = output;
        _live = live;

        Receive<SweepStarted>(s =>
        {
            _start = s;
            _teacher = s.Teacher;
            _results.AddRange(s.Finished);
            if (_live) Timers.StartPeriodicTimer("draw", Draw.Instance, TimeSpan.FromMilliseconds(250));
            else
                Line($"sweep {s.Sweep.Settings.Name}: {s.Total} trials ({s.Finished.Length} already in the journal), {s.Slots} slot{(s.Slots == 1 ? "" : "s")}");
            _dirty = true;
        });
        Receive<TrialAssigned>(a =>
        {
            if (a.Work is TeacherWork) _teacherWorkId = a.Work.Id;
            _running[a.Work.Id] = new Running(a.Work.Label, a.Node, 0, 0, _clock.Elapsed);
            _dirty = true;
        });
        Receive<TrialProgress>(p =>
        {
            if (_running.TryGetValue(p.WorkId, out var r)) _running[p.WorkId] = r with { Epoch = p.Epoch, Epochs = p.Epochs };
            _dirty = true;
        });
        Receive<TrialRequeued>(r =>
        {
            _running.Remove(r.WorkId);
            Note($"{(r.WorkId == _teacherWorkId ? "the teacher" : "trial " + r.WorkId)} back to the queue: {r.Reason}");
        });
        Receive<TeacherReady>(t =>
        {
            if (_teacherWorkId != null) _running.Remove(_teacherWorkId);
            _teacher = t.Teacher;
            if (!_live) Line(TeacherLine());
            _dirty = true;
        });
        Receive<TrialFinished>(f =>
        {
            _running.Remove(f.Result.Id);
            _results.Add(f.Result);
            _doneThisRun++;
            if (!_live)
            {
                var r = f.Result;
                var what = r.IsBaseline ? $"w{r.Width} baseline" : $"w{r.Width} T{r.Temperature:0.##} a{r.Alpha:0.##}";
                Line($"[{Done}/{_start?.Total}] {what} s{r.Seed}: acc {Pct(r.TestAcc)}% ({r.TrainSeconds:F1} s, {r.Node}){Eta(" eta ")}");
            }
            _dirty = true;
        });
        Receive<TrialGaveUp>(g =>
        {
            _running.Remove(g.TrialId);
            _failed++;
            Note($"trial {g.TrialId} failed: {g.Error}");
        });
        Receive<Draw>(_ =>
        {
            if (_dirty) Redraw();
        });
        Receive<WriteReport>(w =>
        {
            Timers.Cancel("draw");
            if (_live) Redraw();
            var files = WriteFiles();
            PrintFinal(w.Summary, files);
            Sender.Tell(new ReportWritten(w.Summary.SweepId, files.ToArray()));
        });
    }

    public static Props Props(string outDir, TextWriter output, bool live) =>
        Akka.Actor.Props.Create(() => new LeaderboardReporter(outDir, output, live));

    private int Done => _results.Count;

    private string Eta(string prefix)
    {
        if (_start is null || _doneThisRun == 0) return "";
        int remaining = _start.Total - _results.Count - _failed;
        if (remaining <= 0) return "";
        double perTrial = _clock.Elapsed.TotalSeconds / _doneThisRun;
        return prefix + FormatSeconds(perTrial * remaining);
    }

    private void Note(string text)
    {
        if (_live)
        {
            _notes.Add(text);
            if (_notes.Count > 3) _notes.RemoveAt(0);
            _dirty = true;
        }
        else Line(text);
    }

    private void Line(string text) => _out.WriteLine(text);

    private string TeacherLine() => Leaderboard.TeacherLine(_teacher);

    private void Redraw()
    {
        _dirty = false;
        if (_start is null) return;
        var sb = new StringBuilder();
        int width = SafeWidth();
        void Add(string s) => sb.Append(s.Length > width ? s[..width] : s).Append("\x1b[K\n");
        Add($"akkakd sweep {_start.Sweep.Settings.Name}: {_results.Count}/{_start.Total} done, {_running.Count} running" +
            $"{(_failed > 0 ? $", {_failed} failed" : "")}, elapsed {FormatSeconds(_clock.Elapsed.TotalSeconds)}{Eta(", eta ")}");
        Add(TeacherLine());
        foreach (var r in _running.Values.OrderBy(r => r.Started))
            Add($"  running {r.Label,-28} {(r.Epochs > 0 ? $"epoch {r.Epoch}/{r.Epochs}" : "starting"),-12} {r.Node}");
        foreach (var n in _notes) Add("  " + n);
        var rows = Leaderboard.Rank(_results, _teacher);
        int top = Math.Min(_start.Sweep.Settings.Top, Math.Max(5, Console.IsOutputRedirected ? 20 : SafeHeight() - 6 - _running.Count - _notes.Count));
        foreach (var line in Leaderboard.Table(rows.Take(top).ToList())) Add(line);
        if (_drawnLines > 0) _out.Write($"\x1b[{_drawnLines}A\r");
        _out.Write(sb.ToString());
        _out.Write("\x1b[J");
        _out.Flush();
        _drawnLines = sb.ToString().Count(c => c == '\n');
    }

    private static int SafeWidth()
    {
        try { return Math.Max(40, Console.WindowWidth - 1); } catch { return 120; }
    }

    private static int SafeHeight()
    {
        try { return Math.Max(10, Console.WindowHeight); } catch { return 40; }
    }

    private IReadOnlyList<string> WriteFiles()
    {
        var files = Leaderboard.WriteFiles(_outDir, _results, _teacher, _start?.Sweep.Settings.Top ?? 20, $"akkakd sweep {_start?.Sweep.Settings.Name}").ToList();
        try
        {
            // report.html, from the journal alone (as `akkakd report DIR` makes it).
            if (HtmlReport.Write(_outDir) is { } report) files.Add(report);
        }
        catch (Exception e)
        {
            _out.WriteLine($"report.html not written: {e.Message.Split('\n')[0]} (akkakd report {_outDir} tries again)");
        }
        return files;
    }

    private void PrintFinal(SweepSummary s, IReadOnlyList<string> files)
    {
        var rows = Leaderboard.Rank(_results, _teacher);
        if (!_live)
        {
            _out.WriteLine();
            foreach (var line in Leaderboard.Table(rows.Take(_start?.Sweep.Settings.Top ?? 20).ToList())) _out.WriteLine(line);
        }
        if (rows.Count > 0)
        {
            // The shape of the result: per width, a T x alpha grid (in colour on a terminal).
            _out.WriteLine();
            TerminalGrid.Write(_out, rows, colour: _live, width: _live ? SafeWidth() : 120);
        }
        _out.WriteLine();
        _out.WriteLine($"{s.Finished}/{s.Total} trials finished ({s.Finished - s.FinishedBefore} this run, {s.FinishedBefore} from the journal)" +
                       $"{(s.FailedTrials.Length > 0 ? $", {s.FailedTrials.Length} failed" : "")}" +
                       $"{(s.Requeued > 0 ? $", {s.Requeued} requeued" : "")}{(s.Duplicates > 0 ? $", {s.Duplicates} duplicate results discarded" : "")}" +
                       $" in {FormatSeconds(s.Seconds)}");
        _out.WriteLine("wrote " + string.Join(", ", files));
        _out.Flush();
    }

    private static string Pct(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture);

    private static string FormatSeconds(double s) => s < 60
        ? s.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : TimeSpan.FromSeconds(Math.Round(s)).ToString(s >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    private sealed record Running(string Label, string Node, int Epoch, int Epochs, TimeSpan Started);

    private sealed record Draw
    {
        public static readonly Draw Instance = new();
    }
}
