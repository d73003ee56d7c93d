using System.Diagnostics;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>
/// The live leaderboard, as a plain class: fed what happens (a sweep's events, or a journal as it grows), it answers the
/// lines to draw: what is done and running, the teacher, the trials in flight with their epochs, the last few notes
/// (requeues, failures) and the top of the ranking. Each event also answers the plain line that tells of it, for output
/// that is not a terminal. <see cref="LiveScreen"/> puts the lines on the screen.
/// </summary>
public sealed class LiveTable
{
    /// <summary>Notes kept for the drawing (the newest).</summary>
    public const int MaxNotes = 3;

    private readonly Func<TimeSpan> _elapsed;
    private readonly List<TrialResult> _results = [];
    private readonly Dictionary<string, RunningTrial> _running = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private readonly SearchProgress _search = new();
    private int? _epochs;
    private string? _name;
    private string? _journalHash;
    private string? _journalNote;
    private int _total;
    private int _top = 20;
    private int _doneThisRun;
    private int _failed;

    /// <param name="elapsed">The time since the sweep started (a stopwatch started now when not given).</param>
    public LiveTable(Func<TimeSpan>? elapsed = null)
    {
        if (elapsed is null)
        {
            var clock = Stopwatch.StartNew();
            elapsed = () => clock.Elapsed;
        }
        _elapsed = elapsed;
    }

    /// <summary>Something changed since the last <see cref="Lines"/>: a redraw would show it.</summary>
    public bool Changed { get; private set; }

    public bool IsStarted => _name != null;
    public string Name => _name ?? "";
    public int Total => _total;
    public int Top => _top;
    public TeacherRecord? Teacher { get; private set; }
    public IReadOnlyList<TrialResult> Results => _results;
    public int Running => _running.Count;
    public int Failed => _failed;

    /// <summary>
    /// A sweep starts: its name, its trials, how many rows to show, and what is already in its journal (results, and a
    /// scheduled search's rung results and decisions: on --resume every rung shows, not only this run's).
    /// </summary>
    /// <param name="epochs">The student's full epochs (a scheduled search shows what it spent against them), if known.</param>
    public string Start(string name, int total, int top, IEnumerable<TrialResult> finished, TeacherRecord? teacher, int slots,
        int? epochs = null, IEnumerable<RungRecord>? rungs = null, IEnumerable<DecisionRecord>? decisions = null)
    {
        (_name, _total, _top, Teacher, _journalHash, _epochs) = (name, total, top, teacher, null, epochs);
        _results.AddRange(finished);
        ReplaySearch(rungs, decisions);
        Changed = true;
        return $"sweep {name}: {total} trials ({_results.Count} already in the journal), {slots} slot{(slots == 1 ? "" : "s")}";
    }

    /// <summary>
    /// Shows a journal as it stands (<c>akkakd leaderboard</c>, <c>--watch</c>): its results replace what was shown; the
    /// heading tells what the journal holds rather than what runs. The sweep file in force is the last header's: its
    /// trials are the total, and results made under an earlier sweep file that are not in its grid are left out (a note
    /// says how many, <see cref="JournalScope"/>).
    /// </summary>
    public void Load(JournalContents journal, int top)
    {
        var h = journal.Header ?? throw new ArgumentException("a journal without a header", nameof(journal));
        (_name, _total, _top, _journalHash) = (h.SweepName, h.Trials, top, h.SweepHash);
        Teacher = journal.Teachers.Count > 0 ? journal.Teachers[^1] : null;
        var scope = JournalScope.Of(journal);
        _journalNote = scope.Note;
        _results.Clear();
        _results.AddRange(scope.Current);
        // The full epochs are in the trial lines (a scheduler's); before any, the table shows what was spent alone.
        _epochs = _results.Select(r => r.Epochs).Max();
        _search.Clear();
        ReplaySearch(journal.Rungs, journal.Decisions);
        Changed = true;
    }

    /// <summary>A journal's rung results and decisions, then the results in hand (their epochs, or the full epochs).</summary>
    private void ReplaySearch(IEnumerable<RungRecord>? rungs, IEnumerable<DecisionRecord>? decisions)
    {
        foreach (var g in rungs ?? []) _search.Rung(g);
        foreach (var d in decisions ?? []) _search.Decided(d);
        foreach (var r in _results) _search.Final(r, _epochs ?? r.Epochs ?? 0);
    }

    /// <summary>
    /// Every trial is in: nothing more will come. A trial a scheduler stopped at a rung (a "stop" decision, no trial line)
    /// counts as in.
    /// </summary>
    public bool Complete => IsStarted && _results.Count + _search.StoppedTrials >= _total;

    /// <summary>A scheduler's rung result is durable (the trial goes on or stops there): its plain line.</summary>
    public string RungResult(RungRecord r, string label)
    {
        _running.Remove(r.Id);
        _search.Rung(r);
        Changed = true;
        return $"rung at epoch {r.Epoch}: {label}: " + (r.ValAcc is { } v ? $"val {Formats.Percent(v)}%" : "no validation") +
               $" ({Formats.Fixed(r.TrainSeconds, "0.0")} s, {r.Node})";
    }

    /// <summary>A scheduler decided about a trial at a rung (go on or stop).</summary>
    public void Decided(DecisionRecord d)
    {
        _search.Decided(d);
        Changed = true;
    }

    /// <summary>A trial (or the teacher) went to a worker.</summary>
    public void Assigned(string id, string label, string node)
    {
        _running[id] = new RunningTrial(label, node, 0, 0, _elapsed());
        Changed = true;
    }

    /// <summary>A running trial finished an epoch; <paramref name="valAcc"/>: its validation accuracy after it, if measured.</summary>
    public void Progress(string id, int epoch, int epochs, double? valAcc = null)
    {
        if (_running.TryGetValue(id, out var r)) _running[id] = r with { Epoch = epoch, Epochs = epochs, ValAcc = valAcc ?? r.ValAcc };
        Changed = true;
    }

    /// <summary>A trial went back to the queue.</summary>
    public string Requeued(string id, string reason)
    {
        _running.Remove(id);
        return Note($"trial {id} back to the queue: {reason}");
    }

    /// <summary>The teacher is trained (<paramref name="runningId"/>: how it showed among the running trials).</summary>
    public string TeacherReady(TeacherRecord teacher, string runningId)
    {
        _running.Remove(runningId);
        Teacher = teacher;
        Changed = true;
        return LeaderboardTable.TeacherLine(teacher);
    }

    /// <summary>A result is in.</summary>
    public string Finished(TrialResult r)
    {
        _running.Remove(r.Id);
        _results.Add(r);
        _search.Final(r, _epochs ?? r.Epochs ?? 0);
        _doneThisRun++;
        Changed = true;
        var what = r.IsBaseline ? $"w{r.Width} baseline" : $"w{r.Width} T{Formats.Setting(r.Temperature ?? 0)} a{Formats.Setting(r.Alpha)}";
        var acc = r.Diverged ? $"{r.DivergedText}{(r.DivergedReason is { } why ? $" ({why})" : "")}"
            : (r.ValAcc is { } v ? $"val {Formats.Percent(v)}%, " : "") + $"test {Formats.Percent(r.TestAccuracy)}%";
        return $"[{_results.Count}/{_total}] {what} s{r.Seed}: {acc} " +
               $"({Formats.Fixed(r.TrainSeconds, "0.0")} s, {r.Node}){Eta(" eta ")}";
    }

    /// <summary>A trial failed for good.</summary>
    public string GaveUp(string id, string error)
    {
        _running.Remove(id);
        _failed++;
        return Note($"trial {id} failed: {error}");
    }

    /// <summary>
    /// The drawing. <paramref name="height"/>: the terminal's rows, which bound the ranking's rows (null: not a terminal).
    /// </summary>
    public IReadOnlyList<string> Lines(int? height)
    {
        Changed = false;
        if (_name is null) return [];
        return _journalHash is null ? SweepLines(height) : JournalLines(height);
    }

    private List<string> SweepLines(int? height)
    {
        var lines = new List<string>
        {
            $"akkakd sweep {_name}: {_results.Count}/{_total} done, {_running.Count} running" +
            $"{(_failed > 0 ? $", {_failed} failed" : "")}, elapsed {Formats.Clock(_elapsed().TotalSeconds)}{Eta(", eta ")}",
            LeaderboardTable.TeacherLine(Teacher),
        };
        var search = _search.Lines(_total, _epochs);
        lines.AddRange(search);
        foreach (var r in _running.Values.OrderBy(r => r.Started))
            lines.Add($"  running {r.Label,-28} {(r.Epochs > 0 ? $"epoch {r.Epoch}/{r.Epochs}" : "starting"),-12} " +
                      $"{(r.ValAcc is { } v ? $"val {Formats.Percent(v)}%" : ""),-11} {r.Node}");
        lines.AddRange(_notes.Select(n => "  " + n));
        int rows = Math.Min(_top, Math.Max(5, height is { } h ? h - 7 - _running.Count - _notes.Count - search.Count : 20));
        var ranked = Leaderboard.Rank(_results, Teacher);
        lines.AddRange(LeaderboardTable.Lines(ranked.Take(rows).ToList()));
        if (ranked.Count > 0) lines.Add(LeaderboardTable.Note(ranked));
        return lines;
    }

    private List<string> JournalLines(int? height)
    {
        var hash = _journalHash!;
        var ranked = Leaderboard.Rank(_results, Teacher);
        var lines = new List<string>
        {
            $"akkakd sweep {_name}: {_results.Count}/{_total} trials in the journal" +
            (_search.StoppedTrials > 0 ? $", {_search.StoppedTrials} stopped by the scheduler" : "") +
            (Complete ? "" : _results.Count == 0 ? ", none finished yet" : ", running or stopped") +
            $" (sweep {hash[..Math.Min(12, hash.Length)]})",
            LeaderboardTable.TeacherLine(Teacher),
        };
        var search = _search.Lines(_total, _epochs);
        lines.AddRange(search);
        if (_journalNote != null) lines.Add(_journalNote);
        int rows = height is { } h ? Math.Min(_top, Math.Max(3, h - 7 - search.Count - (_journalNote is null ? 0 : 1))) : _top;
        if (ranked.Count > 0) lines.AddRange(LeaderboardTable.Lines(ranked.Take(rows).ToList()));
        if (ranked.Count > rows)
            lines.Add($"{ranked.Count - rows} more (--top {ranked.Count} shows them all)");
        if (ranked.Count > 0) lines.Add(LeaderboardTable.Note(ranked));
        return lines;
    }

    /// <summary>The time left at this run's pace so far (none before the first result of this run).</summary>
    private string Eta(string prefix)
    {
        if (_name is null || _doneThisRun == 0) return "";
        int remaining = _total - _results.Count - _failed - _search.StoppedTrials;
        if (remaining <= 0) return "";
        double perTrial = _elapsed().TotalSeconds / _doneThisRun;
        return prefix + Formats.Clock(perTrial * remaining);
    }

    private string Note(string text)
    {
        _notes.Add(text);
        if (_notes.Count > MaxNotes) _notes.RemoveAt(0);
        Changed = true;
        return text;
    }

    private sealed record RunningTrial(string Label, string Node, int Epoch, int Epochs, TimeSpan Started, double? ValAcc = null);
}
