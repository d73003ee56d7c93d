using System.Globalization;

namespace AkkaKd.Sweep.Search;

/// <summary>How a sweep picks its configurations: every cell of the grid, or N drawn at random or quasi-random.</summary>
public enum SearchMethod { Grid, Random, Sobol }

/// <summary>Whether a sweep stops poor configurations early: no, synchronous or asynchronous successive halving.</summary>
public enum SchedulerKind { None, Sha, Asha }

/// <summary>
/// A continuous axis of a sampled search: drawn uniformly between <see cref="Low"/> and <see cref="High"/>, or uniformly
/// in the logarithm (<see cref="Log"/>). The grid's list for that axis then holds the two ends (so the ends are
/// validated as any value of the axis).
/// </summary>
public sealed record AxisRange(bool Log, double Low, double High)
{
    public string Kind => Log ? "log-uniform" : "uniform";

    /// <summary>The point at <paramref name="u"/> in [0, 1) of the range, rounded to 4 significant digits (readable ids).</summary>
    public double At(double u)
    {
        double v = Log ? Math.Exp(Math.Log(Low) + u * (Math.Log(High) - Math.Log(Low))) : Low + u * (High - Low);
        v = double.Parse(v.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return Math.Clamp(v, Low, High);
    }

    public override string ToString() => $"{Kind}[{SweepSettings.Num(Low)},{SweepSettings.Num(High)}]";
}

/// <summary>
/// The <c>sweep.search</c> block: method and number of configurations, the scheduler with its first rung
/// (<see cref="MinEpochs"/>) and its reduction factor (eta), and the axes given as ranges (null: a list).
/// </summary>
public sealed record SearchSettings(
    SearchMethod Method = SearchMethod.Grid,
    int Configurations = 20,
    SchedulerKind Scheduler = SchedulerKind.None,
    int MinEpochs = 1,
    int Reduction = 3,
    AxisRange? Temperature = null,
    AxisRange? Alpha = null)
{
    public static readonly SearchSettings Default = new();

    /// <summary>Today's grid, trained straight through: nothing of the search block changes the sweep's hash or its ids.</summary>
    public bool IsPlainGrid => Method == SearchMethod.Grid && Scheduler == SchedulerKind.None;

    public static string Name(SearchMethod m) => m.ToString().ToLowerInvariant();
    public static string Name(SchedulerKind k) => k.ToString().ToLowerInvariant();

    /// <summary>What the search adds to the sweep's canonical text: nothing for a plain grid.</summary>
    public string CanonicalText()
    {
        if (IsPlainGrid) return "";
        var text = $";search={Name(Method)}";
        if (Method != SearchMethod.Grid)
            text += $",n{Configurations},T={Temperature?.ToString() ?? "list"},alpha={Alpha?.ToString() ?? "list"}";
        if (Scheduler != SchedulerKind.None) text += $",{Name(Scheduler)},min{MinEpochs},eta{Reduction}";
        return text;
    }

    /// <summary>The search block as HOCON (the journal header's sweep file).</summary>
    public string ToHocon() =>
        $"search  {{ method = {Name(Method)}, configurations = {Configurations}, scheduler = {Name(Scheduler)}, " +
        $"min-epochs = {MinEpochs}, reduction = {Reduction} }}";
}
