namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// The two knobs of the distillation loss, as one value from the sweep file to <see cref="KdLoss"/>: the temperature T
/// and the weight alpha of the soft term. alpha 0 is the plain student that learns from the labels alone (the
/// baseline): T does not matter there. The rule is written here once (<see cref="IsBaselineAlpha"/>).
/// </summary>
public sealed record KdTerms(double Temperature, double Alpha)
{
    /// <summary>The baseline: labels only (T 1, alpha 0).</summary>
    public static readonly KdTerms Baseline = new(1.0, 0.0);

    public bool IsBaseline => IsBaselineAlpha(Alpha);

    /// <summary>The one rule: alpha 0 is the baseline.</summary>
    public static bool IsBaselineAlpha(double alpha) => alpha == 0;

    /// <summary>The terms of a grid point whose T is null for a baseline.</summary>
    public static KdTerms Of(double? temperature, double alpha) =>
        IsBaselineAlpha(alpha) ? Baseline : new KdTerms(temperature ?? throw new ArgumentException("a distilled trial needs T"), alpha);

    /// <summary>T as the float32 numerics use it.</summary>
    public float T32 => (float)Temperature;

    /// <summary>alpha as the float32 numerics use it.</summary>
    public float Alpha32 => (float)Alpha;

    /// <summary>The problem with these terms for the float32 trainer, or null: T &gt; 0 and finite in float32, alpha in [0, 1].</summary>
    public string? Problem()
    {
        if (!(Alpha >= 0 && Alpha <= 1)) return "alpha must be in [0, 1]";
        if (Alpha > 0 && Alpha32 == 0) return $"alpha {Alpha:R} is 0 in float32";
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) return "T must be > 0 and finite";
        if (!(T32 > 0) || !float.IsFinite(T32)) return $"T {Temperature:R} is outside float32's range";
        return null;
    }

    public void Validate()
    {
        if (Problem() is { } p) throw new ArgumentOutOfRangeException(nameof(KdTerms), p);
    }
}
