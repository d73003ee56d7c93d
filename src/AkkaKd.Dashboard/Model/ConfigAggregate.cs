using AkkaKd.Dashboard.Journals;
using AkkaKd.Sweep;

namespace AkkaKd.Dashboard.Model;

/// <summary>A configuration: what decides a result apart from the seed.</summary>
public readonly record struct ConfigKey(int Width, int Layers, double? Temperature, double Alpha)
{
    public ConfigKey Baseline => new(Width, Layers, null, 0);

    public bool IsBaseline => Alpha == 0;

    public override string ToString() =>
        FormattableString.Invariant($"w{Width}x{Layers}-T{(Temperature is { } t ? t.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "-")}-a{Alpha:R}");
}

/// <summary>One seed's result in a configuration.</summary>
internal readonly record struct SeedResult(double? Val, double? Test, float[]? Curve);

/// <summary>
/// A configuration's trials, one result per seed (the first that arrived), with its row computed again only after a
/// change (<see cref="Version"/> past <see cref="_rowVersion"/>).
/// </summary>
internal sealed class ConfigAggregate(ConfigKey key)
{
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
    private ConfigRow? _row;
    private long _rowVersion = -1;
    private double _trainSeconds;
    private int _trials;

    public ConfigKey Key { get; } = key;
    public string Text { get; } = key.ToString();
    public Dictionary<int, SeedResult> Seeds { get; } = new();
    public long? Params { get; private set; }
    public int Diverged { get; private set; }

    /// <summary>The earliest epoch a seed diverged at (null: none did, or the journal does not say).</summary>
    public int? DivergedEpoch { get; private set; }

    /// <summary>The sweep's version at this configuration's last change (its own trial, or its baseline's).</summary>
    public long Version { get; set; }

    public void Add(TrialLine t)
    {
        Seeds.TryAdd(t.Seed, new SeedResult(t.ValAcc, t.TestAccuracy, t.ValCurve));
        Params ??= t.Params;
        _trainSeconds += t.TrainSeconds ?? 0;
        _trials++;
        if (t.Node != null) _nodes.Add(t.Node);
        if (t.Diverged)
        {
            Diverged++;
            if (t.DivergedEpoch is { } e && (DivergedEpoch is null || e < DivergedEpoch)) DivergedEpoch = e;
        }
    }

    /// <summary>The score that ranks: validation accuracy when the sweep has it, else test accuracy.</summary>
    public static double? Score(SeedResult s, bool validation) => validation ? s.Val : s.Test;

    public double? MeanScore(bool validation)
    {
        if (Diverged > 0) return null; // no score: ranked last
        double sum = 0;
        int n = 0;
        foreach (var s in Seeds.Values)
            if (Score(s, validation) is { } v)
            {
                sum += v;
                n++;
            }
        return n > 0 ? sum / n : null;
    }

    public ConfigRow Row(bool validation, ConfigAggregate? baseline)
    {
        if (_row != null && _rowVersion == Version) return _row;
        Stat? gain = null;
        if (baseline != null && !Key.IsBaseline && Diverged == 0)
        {
            // Paired by seed: a distilled student and its baseline share their initial weights and batch order.
            var diffs = new List<double>();
            foreach (var (seed, s) in Seeds)
                if (Score(s, validation) is { } v && baseline.Seeds.TryGetValue(seed, out var b) && Score(b, validation) is { } bv)
                    diffs.Add(v - bv);
            gain = Summ(diffs);
        }
        var nodes = _nodes.Order(StringComparer.Ordinal).ToArray();
        _row = new ConfigRow(Text, Key.Width, Key.Layers, Key.Temperature, Key.Alpha, Seeds.Count,
            Diverged > 0 ? null : Summ(Collect(s => Score(s, validation))), Summ(Collect(s => s.Val)), Summ(Collect(s => s.Test)), gain, Params,
            _trials > 0 ? _trainSeconds / _trials : 0, nodes, Diverged, DivergedEpoch);
        _rowVersion = Version;
        return _row;
    }

    /// <summary>The mean validation curve over seeds, epoch by epoch (an epoch no seed reached is null).</summary>
    public double?[]? MeanCurve()
    {
        int len = 0;
        foreach (var s in Seeds.Values) len = Math.Max(len, s.Curve?.Length ?? 0);
        if (len == 0) return null;
        var mean = new double?[len];
        for (int e = 0; e < len; e++)
        {
            double sum = 0;
            int n = 0;
            foreach (var s in Seeds.Values)
                if (s.Curve is { } c && e < c.Length && float.IsFinite(c[e]))
                {
                    sum += c[e];
                    n++;
                }
            mean[e] = n > 0 ? Math.Round(sum / n, 5) : null;
        }
        return mean;
    }

    private List<double> Collect(Func<SeedResult, double?> f)
    {
        var list = new List<double>(Seeds.Count);
        foreach (var s in Seeds.Values)
            if (f(s) is { } v) list.Add(v);
        return list;
    }

    /// <summary>
    /// <see cref="Statistics.Summarize"/>'s numbers (mean, 95% Student's t interval) with its critical values remembered:
    /// the inverse CDF costs about a millisecond, and a large sweep has thousands of rows.
    /// </summary>
    private static Stat? Summ(List<double> values)
    {
        int n = values.Count;
        if (n == 0) return null;
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= n;
        if (n == 1) return new Stat(1, mean, null);
        double ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        double sd = Math.Sqrt(ss / (n - 1));
        return new Stat(n, mean, TCritical(n - 1) * sd / Math.Sqrt(n));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, double> Critical = new();

    private static double TCritical(int df) => Critical.GetOrAdd(df, Statistics.TCritical95);
}
