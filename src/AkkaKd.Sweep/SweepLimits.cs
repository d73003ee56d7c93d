using System.Globalization;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Sweep;

/// <summary>
/// What a sweep file can ask for and this program can do, checked before any work: numbers that float32 (the
/// arithmetic of training) cannot hold, and models too large for one array or for this node's memory. Each problem is a
/// one-line <see cref="SweepFileException"/> naming the key (and the estimate).
/// </summary>
public static class SweepLimits
{
    /// <summary>The smallest normal float32: below it a learning rate loses its precision and soon becomes 0.</summary>
    public const double SmallestFloat = 1.1754943508222875e-38;

    /// <summary>The largest T: the loss multiplies by T², which must stay a finite float32.</summary>
    public const double MaxTemperature = 1.8e19;

    /// <summary>The smallest T: the loss divides by T and multiplies by T², which must not become 0.</summary>
    public const double MinTemperature = 1.1e-19;

    /// <summary>Classes assumed by the memory estimate (the output layer is small next to the hidden ones).</summary>
    public const int AssumedClasses = 10;

    /// <summary>Rows of the workspace of the evaluation pass (Trainer.Logits).</summary>
    private const int EvaluationRows = 1024;

    public static void Check(SweepSettings s, string origin, long? availableBytes = null)
    {
        Float32(origin, "sweep.teacher.lr", s.Teacher.Lr);
        Float32(origin, "sweep.student.lr", s.Student.Lr);
        foreach (var t in s.Grid.Temperature)
        {
            if (t > MaxTemperature || t < MinTemperature)
                throw new SweepFileException($"{origin}: sweep.grid.temperature: {Num(t)} is out of range: the loss uses T² and 1/T " +
                                             $"in float32, so T must lie in [{Num(MinTemperature)}, {Num(MaxTemperature)}]");
        }
        Memory(s, origin, availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    private static void Float32(string origin, string key, double v)
    {
        if (v > float.MaxValue)
            throw new SweepFileException($"{origin}: {key}: {Num(v)} is too large for float32 (the largest is 3.4e38)");
        if (v != 0 && Math.Abs(v) < SmallestFloat)
            throw new SweepFileException($"{origin}: {key}: {Num(v)} is too small for float32: it would be 0 or lose its precision " +
                                         "(the smallest is 1.2e-38)");
    }

    /// <summary>
    /// The largest model (the teacher, or the widest student) with the data must fit this node's memory: weights,
    /// gradients and Adam's two moments (4 floats a parameter), activations and their gradients at the batch size and
    /// the evaluation pass's rows, and the data (features of the rows needed, as floats, loaded and sliced).
    /// </summary>
    private static void Memory(SweepSettings s, string origin, long available)
    {
        long features = (DataSource.TryParse(s.Data.Source, out _)?.PeekFeatures()) ?? 1;
        double data = 2.0 * s.Data.RowsNeeded() * features * sizeof(float);
        Model(origin, "sweep.teacher.hidden", "the teacher", s.Teacher.Hidden, s.Teacher.Batch, features, data, available);
        int widest = s.Grid.Width.Max();
        Model(origin, "sweep.grid.width", $"a student of width {widest:N0}", [widest], s.Student.Batch, features, data, available);
    }

    private static void Model(string origin, string key, string what, int[] hidden, int batch, long features, double data, long available)
    {
        var sizes = new List<long> { features };
        sizes.AddRange(hidden.Select(h => (long)h));
        sizes.Add(AssumedClasses);
        double parameters = 0;
        for (int l = 0; l + 1 < sizes.Count; l++) parameters += (double)sizes[l] * sizes[l + 1] + sizes[l + 1];
        if (parameters > int.MaxValue)
            throw new SweepFileException($"{origin}: {key}: {what} has {parameters:N0} parameters on {features:N0} inputs, " +
                                         $"more than one array holds ({int.MaxValue:N0})");
        long widestLayer = sizes.Max();
        if ((double)Math.Max(batch, EvaluationRows) * widestLayer > int.MaxValue)
            throw new SweepFileException($"{origin}: {key}: {what} at batch {batch:N0} needs a workspace of " +
                                         $"{(double)Math.Max(batch, EvaluationRows) * widestLayer:N0} values, more than one array holds");
        double bytes = 4 * parameters * sizeof(float) + (2.0 * batch + EvaluationRows) * sizes.Sum() * sizeof(float) + data;
        if (available > 0 && bytes > available)
            throw new SweepFileException($"{origin}: {key}: {what} needs about {Size(bytes)} (weights, Adam state, workspaces at " +
                                         $"batch {batch:N0} and the data), more than this node's {Size(available)}");
    }

    private static string Size(double bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (1L << 30):N1} GiB" : $"{bytes / (1L << 20):N0} MiB";

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture).Replace("E+", "e").Replace("E-", "e-");
}
