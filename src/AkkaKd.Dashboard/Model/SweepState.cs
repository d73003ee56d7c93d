using AkkaKd.Dashboard.Journals;

namespace AkkaKd.Dashboard.Model;

/// <summary>
/// One sweep, aggregated from its journal's lines as they arrive: a configuration per (width, layers, T, alpha) with one
/// result per seed, the trials in arrival order, the teacher, rungs and decisions. Each batch of lines is one version;
/// a page that has version v asks for what changed since (<see cref="View"/>). Thread-safe: one lock per sweep.
/// </summary>
public sealed class SweepState(string id, string path, string journalPath)
{
    /// <summary>At most this many trials go to a page (the latest ones): the timeline and the latest-trials list.</summary>
    public const int MaxTrialsSent = 5000;

    /// <summary>At most this many configurations go to a page whole (the best, plus every baseline).</summary>
    public const int MaxRowsSent = 5000;

    /// <summary>Configurations whose mean validation curve the page draws (the best ones).</summary>
    public const int CurvesSent = 8;

    /// <summary>No line for this long and not complete: the sweep is idle (stopped, or between lab-cluster runs).</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly HashSet<string> _trialIds = new(StringComparer.Ordinal);
    private readonly Dictionary<ConfigKey, ConfigAggregate> _configs = new();
    private readonly Dictionary<(int, int), List<ConfigAggregate>> _byWidth = new();
    private readonly List<TrialBrief> _trials = new();
    private readonly RungBook _rungs = new();
    private HeaderLine? _header;
    private TeacherLine? _teacher;
    private double? _teacherAccOfTrials;
    private long? _teacherParamsOfTrials;
    private bool _validation;
    private int _foreign, _duplicates, _diverged;
    private long _epochs;
    private bool _epochsKnown;
    private long _pending;
    private long _resetAt;
    private bool _missing;
    private DateTimeOffset? _first, _last;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    /// <summary>The sweep's folder as given (relative to the folder the dashboard was pointed at).</summary>
    public string Path { get; } = path;

    public string JournalPath { get; } = journalPath;

    public long Version { get; private set; }

    /// <summary>When the journal last grew (UTC), as this process saw it.</summary>
    public DateTime LastWrite { get; private set; } = DateTime.UtcNow;

    /// <summary>Completes when the next batch of lines has been taken in.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate) return _changed.Task;
        }
    }

    /// <summary>Takes in a batch of lines (one version). With <paramref name="reset"/> the journal started over.</summary>
    public void Apply(IReadOnlyList<JournalLine> lines, bool reset, long pendingBytes, DateTime lastWrite)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            Version++;
            if (reset)
            {
                Clear();
                _resetAt = Version;
            }
            foreach (var l in lines) Take(l);
            _pending = pendingBytes;
            _missing = false;
            LastWrite = lastWrite;
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.SetResult();
    }

    /// <summary>The journal disappeared: what was read stays on the page, marked so.</summary>
    public void MarkMissing()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_missing) return;
            _missing = true;
            Version++;
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.SetResult();
    }

    private void Clear()
    {
        _trialIds.Clear();
        _configs.Clear();
        _byWidth.Clear();
        _trials.Clear();
        _rungs.Clear();
        (_header, _teacher, _validation, _foreign, _duplicates, _diverged, _epochs, _epochsKnown, _first, _last) =
            (null, null, false, 0, 0, 0, 0, false, null, null);
        (_teacherAccOfTrials, _teacherParamsOfTrials) = (null, null);
    }

    private void Take(JournalLine line)
    {
        switch (line)
        {
            case HeaderLine h:
                _header ??= h;
                break;
            case TrialLine t:
                TakeTrial(t);
                break;
            case TeacherLine t:
                _teacher = t;
                break;
            case RungLine r:
                _rungs.Add(r);
                break;
            case DecisionLine d:
                _rungs.Decide(d);
                break;
            default:
                _foreign++;
                break;
        }
    }

    private void TakeTrial(TrialLine t)
    {
        if (!_trialIds.Add(t.Id))
        {
            _duplicates++;
            return;
        }
        if (t.ValAcc.HasValue && !_validation)
        {
            // The ranking moves to validation accuracy: every row changes.
            _validation = true;
            foreach (var c in _configs.Values) c.Version = Version;
        }
        var key = new ConfigKey(t.Width, t.Layers, t.IsBaseline ? null : t.Temperature, t.Alpha);
        if (!_configs.TryGetValue(key, out var agg))
        {
            _configs[key] = agg = new ConfigAggregate(key);
            var wk = (t.Width, t.Layers);
            if (!_byWidth.TryGetValue(wk, out var list)) _byWidth[wk] = list = new List<ConfigAggregate>();
            list.Add(agg);
        }
        agg.Add(t);
        agg.Version = Version;
        // A baseline's new seed changes the gain of every configuration of its width.
        if (key.IsBaseline)
            foreach (var c in _byWidth[(t.Width, t.Layers)]) c.Version = Version;
        if (t.Diverged) _diverged++;
        _teacherAccOfTrials ??= t.TeacherAccuracy;
        _teacherParamsOfTrials ??= t.TeacherParams is > 0 ? t.TeacherParams : null;
        int? epochs = t.Epochs ?? t.ValCurve?.Length;
        if (epochs is { } e)
        {
            _epochs += e;
            _epochsKnown = true;
        }
        DateTimeOffset? start = t.Finished is { } f && t.TrainSeconds is { } s ? f - TimeSpan.FromSeconds(Math.Max(0, s)) : null;
        if (start is { } st && (_first is null || st < _first)) _first = st;
        if (t.Finished is { } fin && (_last is null || fin > _last)) _last = fin;
        _trials.Add(new TrialBrief(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, t.ValAcc, t.TestAccuracy, t.Node, start, t.Finished, t.Diverged));
    }

    /// <summary>The sweep whole (<paramref name="sinceVersion"/> 0) or what changed after a version the page has.</summary>
    public SweepView View(long sinceVersion = 0, int sinceTrial = 0)
    {
        lock (_gate)
        {
            // A page that has a version from before the journal started over gets the sweep whole again.
            bool full = sinceVersion <= 0 || sinceVersion < _resetAt || sinceTrial > _trials.Count;
            var rows = new List<ConfigRow>();
            int rowsLeftOut = 0;
            if (full && _configs.Count > MaxRowsSent)
            {
                var best = _configs.Values.Where(c => !c.Key.IsBaseline)
                    .OrderByDescending(c => c.MeanScore(_validation) ?? double.NegativeInfinity).Take(MaxRowsSent);
                rows.AddRange(best.Concat(_configs.Values.Where(c => c.Key.IsBaseline)).Select(Row));
                rowsLeftOut = _configs.Count - rows.Count;
            }
            else
            {
                foreach (var c in _configs.Values)
                    if (full || c.Version > sinceVersion)
                        rows.Add(Row(c));
            }
            int from = full ? 0 : sinceTrial;
            int skip = Math.Max(0, _trials.Count - from - MaxTrialsSent);
            var trials = _trials.GetRange(from + skip, _trials.Count - from - skip);
            return new SweepView(Id, Name, Path, State, Version, _trials.Count, full, _validation ? "validation" : "test",
                HeaderView(), Progress(), TeacherView(), new NotesView(_foreign, _duplicates, _pending, _missing), rows, trials,
                full ? skip : 0, Curves(), _rungs.Views(), rowsLeftOut, Files());
        }
    }

    public SweepSummary Summary()
    {
        lock (_gate)
        {
            ConfigAggregate? best = null;
            double bestScore = double.NegativeInfinity;
            foreach (var c in _configs.Values)
                if (c.MeanScore(_validation) is { } s && s > bestScore)
                    (best, bestScore) = (c, s);
            return new SweepSummary(Id, Name, Path, State, _trials.Count, _header?.Trials, _validation ? "validation" : "test",
                best is null ? null : Row(best), _last, Version);
        }
    }

    private List<string> Files()
    {
        var dir = System.IO.Path.GetDirectoryName(JournalPath)!;
        return Endpoints.SweepFiles.Where(f => File.Exists(System.IO.Path.Combine(dir, f))).Order(StringComparer.Ordinal).ToList();
    }

    private string Name => _header?.Name ?? System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(JournalPath)) ?? Id;

    private string State =>
        _header?.Trials is { } total && _trials.Count >= total ? "finished"
        : DateTime.UtcNow - LastWrite > IdleAfter ? "idle"
        : "running";

    private ConfigRow Row(ConfigAggregate c) =>
        c.Row(_validation, c.Key.IsBaseline ? null : _configs.GetValueOrDefault(c.Key.Baseline));

    private HeaderView? HeaderView() => _header is { } h
        ? new HeaderView(h.SweepHash, h.Name, h.DataFingerprint, h.Trials, h.Created, h.Backend, h.Machine, h.Version, h.Train,
            h.Validation, h.Test, h.ThreadsPerTrial)
        : null;

    /// <summary>The teacher's line; without one (an older journal), what the trials say about it.</summary>
    private TeacherView? TeacherView() => _teacher is { } t
        ? new TeacherView(t.TestAccuracy, t.ValAcc, t.Params ?? _teacherParamsOfTrials, t.TrainSeconds, t.Node,
            t.ValCurve?.Select(v => float.IsFinite(v) ? (double?)Math.Round(v, 5) : null).ToArray())
        : _teacherAccOfTrials is not null || _teacherParamsOfTrials is not null
            ? new TeacherView(_teacherAccOfTrials, null, _teacherParamsOfTrials, null, null, null)
            : null;

    private ProgressView Progress()
    {
        int done = _trials.Count;
        int? total = _header?.Trials;
        var started = _header?.Created ?? _first;
        if (_first is { } f && (started is null || f < started)) started = f;
        DateTimeOffset? eta = null;
        if (total is { } tot && done < tot && done > 0 && started is { } s && _last is { } last && last > s)
        {
            double perTrial = (last - s).TotalSeconds / done;
            eta = last + TimeSpan.FromSeconds(perTrial * (tot - done));
        }
        return new ProgressView(done, total, _diverged, _epochsKnown ? _epochs : null, started, _last, eta);
    }

    private List<CurveView> Curves()
    {
        var withCurves = _configs.Values.Where(c => c.Seeds.Values.Any(s => s.Curve is { Length: > 0 })).ToList();
        var best = withCurves.Where(c => !c.Key.IsBaseline).OrderByDescending(c => c.MeanScore(_validation) ?? double.NegativeInfinity).Take(CurvesSent);
        // The baseline of the best configuration's width, for comparison.
        var top = best.FirstOrDefault();
        var baseline = top is null ? null : withCurves.FirstOrDefault(c => c.Key == top.Key.Baseline);
        var chosen = best.ToList();
        if (baseline != null) chosen.Add(baseline);
        return chosen.Select(c => new CurveView(c.Text, Label(c.Key), c.MeanCurve()!)).ToList();
    }

    private static string Label(ConfigKey k) => FormattableString.Invariant(
        $"w{k.Width}{(k.Layers > 1 ? $"x{k.Layers}" : "")} {(k.IsBaseline ? "baseline" : $"T{k.Temperature:0.##} a{k.Alpha:0.##}")}");
}
