using AkkaKd.Dashboard.Journals;

namespace AkkaKd.Dashboard.Model;

/// <summary>
/// Adaptive search's rungs (issue 11): per configuration id, its mean validation accuracy at each rung over the trials
/// that reported it, and the last decision about it (promote or stop).
/// </summary>
internal sealed class RungBook
{
    /// <summary>At most this many configurations go to a page: 200 that climbed highest, best first, and 100 stopped early.</summary>
    public const int MaxSent = 300;

    private readonly Dictionary<string, Entry> _configs = new(StringComparer.Ordinal);

    public void Clear() => _configs.Clear();

    public void Add(RungLine r)
    {
        var e = Get(r.Config);
        if (!e.Rungs.TryGetValue(r.Rung, out var p)) p = (0, 0, r.Epoch);
        if (r.ValAcc is { } v) p = (p.Sum + v, p.N + 1, p.Epoch ?? r.Epoch);
        e.Rungs[r.Rung] = p;
    }

    public void Decide(DecisionLine d) => Get(d.Config).Decision = d.Decision;

    public IReadOnlyList<RungView> Views()
    {
        if (_configs.Count == 0) return [];
        var ordered = _configs
            .Select(kv => (kv.Key, kv.Value, Top: kv.Value.Rungs.Count == 0 ? -1 : kv.Value.Rungs.Keys.Max()))
            .OrderByDescending(x => x.Top)
            .ThenByDescending(x => x.Top >= 0 && x.Value.Rungs[x.Top] is { N: > 0 } p ? p.Sum / p.N : double.NegativeInfinity)
            .ToList();
        // Two thirds climbed highest; a third stopped early, so the page shows what was cut as well as what went on.
        var stopped = ordered.Skip(MaxSent * 2 / 3).Where(x => x.Value.Decision == "stop").Take(MaxSent / 3);
        return ordered.Take(MaxSent * 2 / 3).Concat(stopped)
            .Select(x => new RungView(x.Key,
                x.Value.Rungs.OrderBy(r => r.Key)
                    .Select(r => new RungPoint(r.Key, r.Value.Epoch, r.Value.N > 0 ? r.Value.Sum / r.Value.N : null, r.Value.N))
                    .ToArray(),
                x.Value.Decision))
            .ToList();
    }

    private Entry Get(string config)
    {
        if (!_configs.TryGetValue(config, out var e)) _configs[config] = e = new Entry();
        return e;
    }

    private sealed class Entry
    {
        public Dictionary<int, (double Sum, int N, int? Epoch)> Rungs { get; } = new();
        public string? Decision { get; set; }
    }
}
