using System.Globalization;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Sweep;

/// <summary>
/// What a sweep file can ask for and this program can do, checked before any work: numbers that float32 (the
/// arithmetic of training) cannot hold, and models too large for one array (when the file is read), or for a node's
/// memory at its slot count (by the launcher for a single-node sweep, by each worker node for itself). Each problem is a
/// one-line message naming the key (and the estimate).
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

    /// <summary>
    /// Checks what holds on every node: numbers float32 can hold and models one array can hold. With
    /// <paramref name="availableBytes"/>, also that the sweep fits that much memory at <paramref name="slots"/> trials at
    /// a time (<see cref="MemoryProblem"/>): the launcher checks so for a single-node sweep, each worker node for itself.
    /// </summary>
    /// <exception cref="SweepFileException">one line naming the key (and the estimate)</exception>
    public static void Check(SweepSettings s, string origin, long? availableBytes = null, int slots = 1)
    {
        Float32(origin, "sweep.teacher.lr", s.Teacher.Lr);
        Float32(origin, "sweep.student.lr", s.Student.Lr);
        foreach (var t in s.Grid.Temperature)
        {
            if (t > MaxTemperature || t < MinTemperature)
                throw new SweepFileException($"{origin}: sweep.grid.temperature: {Num(t)} is out of range: the loss uses T² and 1/T " +
                                             $"in float32, so T must lie in [{Num(MinTemperature)}, {Num(MaxTemperature)}]");
        }
        long features = (DataSource.TryParse(s.Data.Source, out _)?.PeekFeatures()) ?? 1;
        foreach (var m in Models(s, features)) Arrays(origin, m, features);
        if (availableBytes is { } available && MemoryProblem(s, features, slots, available) is { } problem)
            throw new SweepFileException($"{origin}: {problem}");
    }

    private static void Float32(string origin, string key, double v)
    {
        if (v > float.MaxValue)
            throw new SweepFileException($"{origin}: {key}: {Num(v)} is too large for float32 (the largest is 3.4e38)");
        if (v != 0 && Math.Abs(v) < SmallestFloat)
            throw new SweepFileException($"{origin}: {key}: {Num(v)} is too small for float32: it would be 0 or lose its precision " +
                                         "(the smallest is 1.2e-38)");
    }

    /// <summary>One model a sweep trains: the sweep file key that sizes it, its words, its layer sizes, its batch.</summary>
    private sealed record Model(string Key, string What, long[] Sizes, int Batch)
    {
        public double Parameters
        {
            get
            {
                double p = 0;
                for (int l = 0; l + 1 < Sizes.Length; l++) p += (double)Sizes[l] * Sizes[l + 1] + Sizes[l + 1];
                return p;
            }
        }

        /// <summary>Weights, gradients and Adam's two moments (4 floats a parameter), activations and their gradients at
        /// the batch size and the evaluation pass's rows.</summary>
        public double Bytes => 4 * Parameters * sizeof(float) + (2.0 * Batch + EvaluationRows) * Sizes.Sum() * sizeof(float);
    }

    /// <summary>The teacher and the widest student (the largest models of the sweep).</summary>
    private static Model[] Models(SweepSettings s, long features) => [Teacher(s, features), Student(s, features, s.Grid.Width.Max())];

    private static long[] Sizes(long features, IEnumerable<int> hidden) => [features, .. hidden.Select(h => (long)h), AssumedClasses];

    private static Model Teacher(SweepSettings s, long features) =>
        new("sweep.teacher.hidden", "the teacher", Sizes(features, s.Teacher.Hidden), s.Teacher.Batch);

    private static Model Student(SweepSettings s, long features, int width) =>
        new("sweep.grid.width", $"a student of width {width:N0}", Sizes(features, s.Student.Hidden(width)), s.Student.Batch);

    private static void Arrays(string origin, Model m, long features)
    {
        if (m.Parameters > int.MaxValue)
            throw new SweepFileException($"{origin}: {m.Key}: {m.What} has {m.Parameters:N0} parameters on {features:N0} inputs, " +
                                         $"more than one array holds ({int.MaxValue:N0})");
        double workspace = (double)Math.Max(m.Batch, EvaluationRows) * m.Sizes.Max();
        if (workspace > int.MaxValue)
            throw new SweepFileException($"{origin}: {m.Key}: {m.What} at batch {m.Batch:N0} needs a workspace of " +
                                         $"{workspace:N0} values, more than one array holds");
    }

    /// <summary>
    /// Whether a node with <paramref name="availableBytes"/> of memory can run the sweep <paramref name="slots"/> trials at
    /// a time (the launcher's check of a single-node sweep, which knows the grid): null if so, else one line naming the key
    /// and the estimate. The node holds the data once (the features of the rows needed, as floats, loaded and sliced);
    /// one slot may train the largest model (the teacher, or the widest student) while every other slot trains the widest
    /// student. An unknown memory (0 or less) refuses nothing.
    /// </summary>
    public static string? MemoryProblem(SweepSettings s, long features, int slots, long availableBytes)
    {
        var models = Models(s, features);
        var (teacher, student) = (models[0], models[1]);
        var largest = teacher.Bytes > student.Bytes ? teacher : student;
        // Named by the model that does not fit alone, else by the students that do not fit side by side.
        var culprit = Data(s, features) + teacher.Bytes > availableBytes ? teacher : student;
        return Problem(s, features, slots, availableBytes, culprit, largest.Bytes + (Math.Max(1, slots) - 1) * student.Bytes);
    }

    /// <summary>
    /// Whether a worker node with <paramref name="availableBytes"/> of memory and <paramref name="slots"/> slots can run a
    /// piece of work: the teacher (<paramref name="width"/> null) or a student of that width. A worker knows the work in
    /// hand, not the grid: it needs the data once and this model in every slot. Null if it fits, else one line naming the
    /// key and the estimate. An unknown memory (0 or less) refuses nothing.
    /// </summary>
    public static string? MemoryProblem(SweepSettings s, long features, int slots, long availableBytes, int? width)
    {
        var model = width is { } w ? Student(s, features, w) : Teacher(s, features);
        return Problem(s, features, slots, availableBytes, model, Math.Max(1, slots) * model.Bytes);
    }

    private static double Data(SweepSettings s, long features) => 2.0 * s.Data.RowsNeeded() * features * sizeof(float);

    private static string? Problem(SweepSettings s, long features, int slots, long available, Model culprit, double models)
    {
        double data = Data(s, features);
        double need = data + models;
        if (available <= 0 || need <= available) return null;
        string batch = $"workspaces at batch {culprit.Batch:N0}";
        return slots <= 1 || data + culprit.Bytes > available
            ? $"{culprit.Key}: {culprit.What} needs about {Size(data + culprit.Bytes)} (weights, Adam state, {batch} and the data), " +
              $"more than this node's {Size(available)}"
            : $"{culprit.Key}: {culprit.What} needs about {Size(culprit.Bytes)} (weights, Adam state, {batch}); {slots} slots " +
              $"training at once with the data need about {Size(need)}, more than this node's {Size(available)} (it may fit with fewer slots)";
    }

    private static string Size(double bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (1L << 30):N1} GiB" : $"{bytes / (1L << 20):N0} MiB";

    private static string Num(double v) => v.ToString("G3", CultureInfo.InvariantCulture).Replace("E+", "e").Replace("E-", "e-");
}
