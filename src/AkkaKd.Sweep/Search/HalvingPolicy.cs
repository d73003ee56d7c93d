using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Search;

/// <summary>
/// Successive halving over epochs, seed-aware. A configuration (width, T, alpha) trains all its seeds to the first rung;
/// its score there is the mean validation accuracy of its seeds (summed in trial-id order, so the same bits whatever the
/// order results came in); the top 1/eta go on to the next rung, continuing from their checkpoints, all seeds together;
/// the rest stop. Baselines are not scheduled: they train to the full epochs in one segment. The first rung's work goes
/// out baselines first, then the widest configurations first.
/// <list type="bullet">
/// <item><b>sha</b> (synchronous): a rung decides when it closes, once every configuration that can reach it is in.
/// The decisions depend on the results alone, never on their order: the same on one node and on many.</item>
/// <item><b>asha</b> (asynchronous): a configuration goes on as soon as it ranks in the top 1/eta of those in at its rung
/// so far (no slot waits for the slowest); when the rung closes, the rest stop.</item>
/// </list>
/// A result without a validation accuracy scores lowest (choices are never made on test accuracy).
/// </summary>
public sealed class HalvingPolicy : ISearchPolicy
{
    private sealed class Config(string id, Trial[] seeds)
    {
        public string Id { get; } = id;
        public Trial[] Seeds { get; } = seeds;
        public HashSet<string> Live { get; } = seeds.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        public Dictionary<string, double> Scores { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string?> Checkpoints { get; } = new(StringComparer.Ordinal);
        public int Rung { get; set; }
        public bool Stopped { get; set; }
        public bool Done { get; set; }
        public bool Dead => Live.Count == 0;
        public bool Over => Stopped || Done || Dead;
    }

    private sealed class Rung
    {
        public HashSet<Config> Expected { get; } = [];
        public List<(Config Config, double Score)> Arrived { get; } = [];
        public HashSet<Config> ArrivedSet { get; } = [];

        /// <summary>The arrived, best first: mean score down, then configuration id (a fixed order for ties).</summary>
        public SortedSet<(double Score, Config Config)> Ranking { get; } = new(Comparer<(double Score, Config Config)>.Create((a, b) =>
            b.Score.CompareTo(a.Score) is var byScore and not 0 ? byScore : string.CompareOrdinal(a.Config.Id, b.Config.Id)));
        public HashSet<Config> Promoted { get; } = [];
        public bool Closed { get; set; }
    }

    private readonly bool _async;
    private readonly int _eta;
    private readonly List<Trial> _baselines;
    private readonly List<Config> _configs;
    private readonly Dictionary<string, Config> _byTrial = new(StringComparer.Ordinal);
    private readonly Rung[] _rungs;
    private readonly HashSet<(string, int)> _seen = [];
    private int _stoppedTrials;
    private int _over; // configurations stopped, done or dead: the policy is exhausted when all are
    private int _dead;

    public HalvingPolicy(IReadOnlyList<Trial> trials, int epochs, int minEpochs, int eta, bool asynchronous)
    {
        _async = asynchronous;
        _eta = eta;
        Epochs = epochs;
        RungEpochs = Search.Rungs.Of(minEpochs, eta, epochs);
        Trials = trials.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _baselines = trials.Where(t => t.IsBaseline).ToList();
        _configs = trials.Where(t => !t.IsBaseline).GroupBy(Search.Rungs.ConfigId)
            .Select(g => new Config(g.Key, g.OrderBy(t => t.Id, StringComparer.Ordinal).ToArray())).ToList();
        foreach (var c in _configs)
        foreach (var t in c.Seeds) _byTrial[t.Id] = c;
        _rungs = RungEpochs.Select(_ => new Rung()).ToArray();
        foreach (var c in _configs) _rungs[0].Expected.Add(c);
    }

    public string Name => _async ? "asha" : "sha";
    public int Epochs { get; }

    /// <summary>The epochs of the rungs, the last one the full epochs.</summary>
    public IReadOnlyList<int> RungEpochs { get; }

    public int Total => Trials.Count - _stoppedTrials;
    public IReadOnlyDictionary<string, Trial> Trials { get; }
    public bool Exhausted => _over == _configs.Count;

    /// <summary>The configuration a trial belongs to (null for a baseline).</summary>
    public string? ConfigOf(string trialId) => _byTrial.TryGetValue(trialId, out var c) ? c.Id : null;

    /// <summary>Per rung: configurations in, going on, stopped (for the live table).</summary>
    public IReadOnlyList<(int Epoch, int In, int On, int Stopped)> RungCounts() => _rungs.Select((r, k) =>
        (RungEpochs[k], r.Arrived.Count, r.Promoted.Count, r.Closed ? r.Arrived.Count - r.Promoted.Count : 0)).ToList();

    public IReadOnlyList<TrialWork> Start(IReadOnlySet<string> finished)
    {
        var work = _baselines.Where(t => !finished.Contains(t.Id)).Select(t => new TrialWork(t, Epochs)).ToList();
        // Widest first (then as drawn): the longest first, so no slot idles at the end of the rung on one wide student;
        // and where the wide are the strong, asha's first arrivals set a high bar for the narrow ones that follow.
        foreach (var c in _configs.OrderByDescending(c => c.Seeds[0].Width))
        foreach (var t in c.Seeds)
            if (!finished.Contains(t.Id)) work.Add(new TrialWork(t, RungEpochs[0]));
        return work;
    }

    public PolicyStep Completed(TrialWork work, TrialResult result)
    {
        if (!_byTrial.TryGetValue(work.Trial.Id, out var c) || c.Over || work.UntilEpoch != RungEpochs[c.Rung]) return PolicyStep.None;
        if (!c.Live.Contains(work.Trial.Id) || !_seen.Add((work.Trial.Id, work.UntilEpoch))) return PolicyStep.None;
        c.Scores[work.Trial.Id] = result.ValAcc is { } v && double.IsFinite(v) ? v : double.NegativeInfinity;
        c.Checkpoints[work.Trial.Id] = result.Checkpoint;
        var next = new List<TrialWork>();
        var decisions = new List<PolicyDecision>();
        Arrive(c, next, decisions);
        return new PolicyStep(next, decisions);
    }

    public PolicyStep GaveUp(TrialWork work)
    {
        if (!_byTrial.TryGetValue(work.Trial.Id, out var c) || c.Over || !c.Live.Remove(work.Trial.Id)) return PolicyStep.None;
        c.Scores.Remove(work.Trial.Id);
        if (c.Dead)
        {
            _over++;
            _dead++;
        }
        var next = new List<TrialWork>();
        var decisions = new List<PolicyDecision>();
        if (c.Dead) CloseReady(next, decisions);
        else Arrive(c, next, decisions);
        return new PolicyStep(next, decisions);
    }

    /// <summary>A configuration whose live seeds are all in at its rung arrives there.</summary>
    private void Arrive(Config c, List<TrialWork> next, List<PolicyDecision> decisions)
    {
        if (c.Scores.Count < c.Live.Count) return;
        var rung = _rungs[c.Rung];
        double sum = 0;
        foreach (var t in c.Seeds)
            if (c.Live.Contains(t.Id)) sum += c.Scores[t.Id];
        rung.Arrived.Add((c, sum / c.Live.Count));
        rung.ArrivedSet.Add(c);
        rung.Ranking.Add((sum / c.Live.Count, c));
        c.Scores.Clear();
        if (c.Rung == _rungs.Length - 1)
        {
            c.Done = true;
            _over++;
            return;
        }
        if (_async)
        {
            int top = rung.Arrived.Count / _eta;
            foreach (var x in Ranked(rung).Take(top).ToList())
                if (!rung.Promoted.Contains(x)) Promote(x, next, decisions);
        }
        CloseReady(next, decisions);
    }

    /// <summary>Closes every rung that can close, lowest first (closing one fixes who can reach the next).</summary>
    private void CloseReady(List<TrialWork> next, List<PolicyDecision> decisions)
    {
        for (int k = 0; k < _rungs.Length - 1; k++)
        {
            var rung = _rungs[k];
            if (rung.Closed) continue;
            if (k > 0 && !_rungs[k - 1].Closed) return;
            // Every configuration expected is in or dead: counted first (cheap), checked one by one only then.
            if (rung.ArrivedSet.Count + _dead < rung.Expected.Count) return;
            if (!rung.Expected.All(c => c.Dead || rung.ArrivedSet.Contains(c))) return;
            rung.Closed = true;
            var ranked = Ranked(rung).Where(c => !c.Dead).ToList();
            int keep = _async ? (rung.Promoted.Count == 0 ? Search.Rungs.Keep(ranked.Count, _eta) : 0) : Search.Rungs.Keep(ranked.Count, _eta);
            foreach (var c in ranked.Take(keep))
                if (!rung.Promoted.Contains(c)) Promote(c, next, decisions);
            foreach (var c in ranked.Where(c => !rung.Promoted.Contains(c))) Stop(c, decisions);
        }
    }

    /// <summary>Best first: mean score down, then configuration id (a fixed order for ties).</summary>
    private static IEnumerable<Config> Ranked(Rung rung) => rung.Ranking.Select(a => a.Config);

    private void Promote(Config c, List<TrialWork> next, List<PolicyDecision> decisions)
    {
        int from = RungEpochs[c.Rung];
        _rungs[c.Rung].Promoted.Add(c);
        c.Rung++;
        _rungs[c.Rung].Expected.Add(c);
        foreach (var t in c.Seeds.Where(t => c.Live.Contains(t.Id)))
        {
            decisions.Add(new PolicyDecision(t.Id, from, true, c.Id));
            next.Add(new TrialWork(t, RungEpochs[c.Rung], from, c.Checkpoints.GetValueOrDefault(t.Id)));
        }
    }

    private void Stop(Config c, List<PolicyDecision> decisions)
    {
        c.Stopped = true;
        _over++;
        _stoppedTrials += c.Live.Count;
        foreach (var t in c.Seeds.Where(t => c.Live.Contains(t.Id))) decisions.Add(new PolicyDecision(t.Id, RungEpochs[c.Rung], false, c.Id));
    }
}
