using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep;

/// <summary>
/// The data and its three disjoint slices: the first Train rows train, the next Validation rows select (0: none, and then
/// every output says the selection was made on the test rows), the next Test rows report.
/// </summary>
public sealed record DataSettings(string Source, int Train, int Test, int Validation = 0)
{
    /// <summary>The slices as keys and the canonical text name them (validation only when there is one, as before it existed).</summary>
    public string Slices => Validation > 0 ? $"{Train},v{Validation},{Test}" : $"{Train},{Test}";

    public long Rows => (long)Train + Validation + Test;
}

/// <summary>The teacher: hidden widths, training settings and regularization (none by default).</summary>
public sealed record TeacherSettings(int[] Hidden, int Epochs, int Batch, double Lr, Regularization? Regularization = null)
{
    public TrainSettings Train => new(Epochs, Batch, (float)Lr);
    public Regularization Reg => Regularization ?? Distillation.Training.Regularization.None;
}

/// <summary>
/// The students: training settings, hidden layers (each of the trial's width; 1 by default) and regularization (none
/// by default).
/// </summary>
public sealed record StudentSettings(int Epochs, int Batch, double Lr, int Layers = 1, Regularization? Regularization = null)
{
    public TrainSettings Train => new(Epochs, Batch, (float)Lr);
    public Regularization Reg => Regularization ?? Distillation.Training.Regularization.None;

    /// <summary>The hidden widths of a student of this width: <see cref="Layers"/> layers of it.</summary>
    public int[] Hidden(int width) => Enumerable.Repeat(width, Layers).ToArray();
}

public sealed record GridSettings(double[] Temperature, double[] Alpha, int[] Width, int[] Seeds);

/// <summary>A sweep file after defaults, overrides and validation: everything a sweep needs, as plain data.</summary>
public sealed record SweepSettings(
    string Name,
    int Seed,
    DataSettings Data,
    TeacherSettings Teacher,
    StudentSettings Student,
    GridSettings Grid,
    int Top,
    int MaxTrials,
    int ThreadsPerTrial = 1,
    SearchSettings? Search = null,
    int Priority = 1)
{
    /// <summary>The search block (today's grid when absent).</summary>
    public SearchSettings SearchOrDefault => Search ?? SearchSettings.Default;

    /// <summary>
    /// The canonical text of what decides the sweep's results (name, leaderboard and limits do not), and its hash:
    /// the journal's <c>sweep_hash</c>. Comments, formatting and key order in the file do not change it.
    /// </summary>
    public string CanonicalText() =>
        $"seed={Seed};data={Data.Source},{Data.Slices};teacher={TeacherKey()};" +
        $"student={Student.Epochs},{Student.Batch},{Num(Student.Lr)}{StudentExtras()};" +
        $"grid=T[{string.Join(',', Grid.Temperature.Select(Num))}],alpha[{string.Join(',', Grid.Alpha.Select(Num))}]," +
        $"width[{string.Join(',', Grid.Width)}],seeds[{string.Join(',', Grid.Seeds)}]" + SearchOrDefault.CanonicalText() +
        (ThreadsPerTrial != 1 ? $";threads={ThreadsPerTrial}" : "");

    public string Hash() => Sha256Hex(CanonicalText());

    /// <summary>
    /// The settings as a sweep file, every key written out (command-line overrides applied): what the journal's header
    /// keeps, so a report shows the sweep that ran and the run can be repeated from it.
    /// </summary>
    public string ToHocon()
    {
        static string Str(string s) => System.Text.Json.JsonSerializer.Serialize(s); // a JSON string is a HOCON quoted string
        static string List<T>(IEnumerable<T> xs, Func<T, string> f) => "[" + string.Join(", ", xs.Select(f)) + "]";
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        string Axis(double[] xs, AxisRange? range) => range is null ? List(xs, Num) : $"{{ {range.Kind} = [{Num(range.Low)}, {Num(range.High)}] }}";
        return $$"""
            sweep {
              name = {{Str(Name)}}
              seed = {{I(Seed)}}
              data    { source = {{Str(Data.Source)}}, train = {{I(Data.Train)}}, validation = {{I(Data.Validation)}}, test = {{I(Data.Test)}} }
              teacher { hidden = {{List(Teacher.Hidden, I)}}, epochs = {{I(Teacher.Epochs)}}, batch = {{I(Teacher.Batch)}}, lr = {{Num(Teacher.Lr)}}, dropout = {{Num(Teacher.Reg.Dropout)}}, input-dropout = {{Num(Teacher.Reg.InputDropout)}}, jitter = {{I(Teacher.Reg.Jitter)}} }
              student { epochs = {{I(Student.Epochs)}}, batch = {{I(Student.Batch)}}, lr = {{Num(Student.Lr)}}, layers = {{I(Student.Layers)}}, dropout = {{Num(Student.Reg.Dropout)}}, input-dropout = {{Num(Student.Reg.InputDropout)}}, jitter = {{I(Student.Reg.Jitter)}} }
              grid    { temperature = {{Axis(Grid.Temperature, SearchOrDefault.Temperature)}}, alpha = {{Axis(Grid.Alpha, SearchOrDefault.Alpha)}}, width = {{List(Grid.Width, I)}}, seeds = {{List(Grid.Seeds, I)}} }
              {{SearchOrDefault.ToHocon()}}
              leaderboard { top = {{I(Top)}} }
              max-trials = {{I(MaxTrials)}}
              threads-per-trial = {{I(ThreadsPerTrial)}}
              priority = {{I(Priority)}}
            }

            """;
    }

    /// <summary>
    /// What decides the teacher (with the data fingerprint): widths, training settings, the sweep seed and, when there is
    /// any, its regularization (absent at the defaults, so the keys of sweeps from before regularization stay the same).
    /// </summary>
    public string TeacherKey() =>
        $"{string.Join('x', Teacher.Hidden)},e{Teacher.Epochs},b{Teacher.Batch},lr{Num(Teacher.Lr)},seed{Seed}{RegKey(Teacher.Reg)}";

    /// <summary>
    /// What the student settings add to the keys beyond epochs, batch and lr: layers and regularization, each only when
    /// not at its default (so keys and trial ids of sweeps from before these settings do not change).
    /// </summary>
    public string StudentExtras() => (Student.Layers != 1 ? $",layers{Student.Layers}" : "") + RegKey(Student.Reg);

    private static string RegKey(Regularization r) =>
        r.IsNone ? "" : $",dropout{Num(r.Dropout)},input-dropout{Num(r.InputDropout)},jitter{r.Jitter}";

    /// <summary>The teacher's RNG seed: derived from the sweep seed.</summary>
    public ulong TeacherSeed() => DeriveSeed($"teacher|{Seed}");

    public TeacherSpec TeacherSpec() => new(Teacher.Hidden, Teacher.Train, TeacherSeed(), Teacher.Reg);

    /// <summary>The student of a trial: its layers of the trial's width, training settings, seed and regularization.</summary>
    public StudentSpec StudentSpec(Trial trial) =>
        new(Student.Hidden(trial.Width), Student.Train, trial.StudentSeed, Student.Reg);

    /// <summary>
    /// What the sweep file cannot know until the data are loaded: a jitter must be smaller than the images. One line
    /// naming the key, or null.
    /// </summary>
    public string? DataProblem(int[] imageShape)
    {
        foreach (var (key, reg) in new[] { ("sweep.teacher.jitter", Teacher.Reg), ("sweep.student.jitter", Student.Reg) })
            if (reg.Jitter > 0 && (reg.Jitter >= imageShape[0] || reg.Jitter >= imageShape[1]))
                return $"{key}: {reg.Jitter} is not smaller than the {imageShape[0]}x{imageShape[1]} images of {Data.Source}";
        return null;
    }

    /// <summary>What a worker needs to run trials: everything but the grid (which can be large), sent with each assignment.</summary>
    public SweepSettings WithoutGrid() => this with { Grid = new GridSettings([], [], [], []) };

    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static ulong DeriveSeed(string text) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
}
