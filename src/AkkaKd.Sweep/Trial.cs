using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Sweep;

/// <summary>
/// One point of the grid: a student of one width trained with one (T, alpha) and one replicate seed.
/// alpha 0 is the plain student (labels only): T does not matter there, so it is a baseline with T = null.
/// </summary>
public sealed record Trial(string Id, string Key, int Width, double? Temperature, double Alpha, int Seed, ulong StudentSeed)
{
    public bool IsBaseline => KdTerms.IsBaselineAlpha(Alpha);

    /// <summary>T and alpha as the trainer takes them (T 1 for a baseline, where it does not matter).</summary>
    public KdTerms Kd => KdTerms.Of(Temperature, Alpha);

    public string Label => IsBaseline
        ? $"w{Width} baseline s{Seed}"
        : $"w{Width} T{SweepSettings.Num(Temperature!.Value)} a{SweepSettings.Num(Alpha)} s{Seed}";
}
