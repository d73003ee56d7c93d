using AkkaKd.Sweep;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Reports;

/// <summary>
/// A scheduled search (sha, asha) as a person follows it: per rung, the configurations in (at least one seed reported
/// there), going on and stopped; and the student epochs spent against the full budget (every trial trained to the full
/// epochs). Fed rung lines, decisions and trial lines, from a running sweep or a journal; a grid feeds it nothing and it
/// shows nothing.
/// </summary>
public sealed class SearchProgress
{
    private readonly SortedDictionary<int, HashSet<string>> _in = [];
    private readonly SortedDictionary<int, HashSet<string>> _on = [];
    private readonly SortedDictionary<int, HashSet<string>> _stopped = [];
    private readonly Dictionary<string, int> _reached = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stoppedTrials = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finalTrials = new(StringComparer.Ordinal);

    /// <summary>A scheduler has reported (a rung line or a decision): there is something to show.</summary>
    public bool Scheduled { get; private set; }

    /// <summary>Trials stopped at a rung that have no trial line (they never will: the sweep does not train them on).</summary>
    public int StoppedTrials => _stoppedTrials.Count(id => !_finalTrials.Contains(id));

    public void Clear()
    {
        _in.Clear();
        _on.Clear();
        _stopped.Clear();
        _reached.Clear();
        _stoppedTrials.Clear();
        _finalTrials.Clear();
        Scheduled = false;
    }

    public void Rung(RungRecord r)
    {
        Scheduled = true;
        Add(_in, r.Epoch, r.Config);
        Reach(r.Id, r.Epoch);
    }

    public void Decided(DecisionRecord d)
    {
        Scheduled = true;
        var config = d.Config ?? d.Id;
        if (d.Decision == "stop")
        {
            Add(_stopped, d.Epoch, config);
            _stoppedTrials.Add(d.Id);
        }
        else if (d.Decision == "promote") Add(_on, d.Epoch, config);
    }

    /// <summary>A trial's line (its final result).</summary>
    public void Final(TrialResult r, int epochs)
    {
        if (!_finalTrials.Add(r.Id)) return;
        int epoch = r.Epochs ?? epochs;
        Reach(r.Id, epoch);
        if (!r.IsBaseline) Add(_in, epoch, Rungs.ConfigId(new Trial(r.Id, "", r.Width, r.Temperature, r.Alpha, r.Seed, 0)));
    }

    /// <summary>Student epochs trained so far (every trial's furthest rung or its full epochs).</summary>
    public long EpochsSpent => _reached.Values.Sum(e => (long)e);

    /// <summary>
    /// The lines: one per rung, then the epochs spent against the budget of <paramref name="trials"/> trials of
    /// <paramref name="epochs"/> epochs each (left out when the full epochs are not known).
    /// </summary>
    public IReadOnlyList<string> Lines(int trials, int? epochs)
    {
        if (!Scheduled) return [];
        var lines = new List<string>();
        var rungEpochs = _in.Keys.Union(_on.Keys).Union(_stopped.Keys).Order().ToList();
        for (int k = 0; k < rungEpochs.Count; k++)
        {
            int e = rungEpochs[k];
            int n = Count(_in, e), on = Count(_on, e), stopped = Count(_stopped, e);
            bool last = epochs == e;
            lines.Add($"  rung {k + 1} (epoch {e}): {n} configuration{(n == 1 ? "" : "s")} in" +
                      (last ? " at the full epochs" : $", {on} going on, {stopped} stopped"));
        }
        long spent = EpochsSpent;
        lines.Add(epochs is { } full && trials > 0
            ? $"  student epochs spent: {spent:N0} of {(long)trials * full:N0} for every trial in full ({Formats.Percent((double)spent / ((long)trials * full))}%)"
            : $"  student epochs spent: {spent:N0}");
        return lines;
    }

    private void Reach(string id, int epoch) => _reached[id] = Math.Max(epoch, _reached.GetValueOrDefault(id));

    private static void Add(SortedDictionary<int, HashSet<string>> at, int epoch, string config)
    {
        if (!at.TryGetValue(epoch, out var set)) at[epoch] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(config);
    }

    private static int Count(SortedDictionary<int, HashSet<string>> at, int epoch) => at.TryGetValue(epoch, out var s) ? s.Count : 0;
}
