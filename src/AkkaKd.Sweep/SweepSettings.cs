using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Sweep;

public sealed record DataSettings(string Source, int Train, int Test);

public sealed record TeacherSettings(int[] Hidden, int Epochs, int Batch, double Lr)
{
    public TrainSettings Train => new(Epochs, Batch, (float)Lr);
}

public sealed record StudentSettings(int Epochs, int Batch, double Lr)
{
    public TrainSettings Train => new(Epochs, Batch, (float)Lr);
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
    int MaxTrials)
{
    /// <summary>
    /// The canonical text of what decides the sweep's results (name, leaderboard and limits do not), and its hash:
    /// the journal's <c>sweep_hash</c>. Comments, formatting and key order in the file do not change it.
    /// </summary>
    public string CanonicalText() =>
        $"seed={Seed};data={Data.Source},{Data.Train},{Data.Test};teacher={TeacherKey()};" +
        $"student={Student.Epochs},{Student.Batch},{Num(Student.Lr)};" +
        $"grid=T[{string.Join(',', Grid.Temperature.Select(Num))}],alpha[{string.Join(',', Grid.Alpha.Select(Num))}]," +
        $"width[{string.Join(',', Grid.Width)}],seeds[{string.Join(',', Grid.Seeds)}]";

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
        return $$"""
            sweep {
              name = {{Str(Name)}}
              seed = {{I(Seed)}}
              data    { source = {{Str(Data.Source)}}, train = {{I(Data.Train)}}, test = {{I(Data.Test)}} }
              teacher { hidden = {{List(Teacher.Hidden, I)}}, epochs = {{I(Teacher.Epochs)}}, batch = {{I(Teacher.Batch)}}, lr = {{Num(Teacher.Lr)}} }
              student { epochs = {{I(Student.Epochs)}}, batch = {{I(Student.Batch)}}, lr = {{Num(Student.Lr)}} }
              grid    { temperature = {{List(Grid.Temperature, Num)}}, alpha = {{List(Grid.Alpha, Num)}}, width = {{List(Grid.Width, I)}}, seeds = {{List(Grid.Seeds, I)}} }
              leaderboard { top = {{I(Top)}} }
              max-trials = {{I(MaxTrials)}}
            }

            """;
    }

    /// <summary>What decides the teacher (with the data fingerprint): widths, training settings and the sweep seed.</summary>
    public string TeacherKey() =>
        $"{string.Join('x', Teacher.Hidden)},e{Teacher.Epochs},b{Teacher.Batch},lr{Num(Teacher.Lr)},seed{Seed}";

    /// <summary>The teacher's RNG seed: derived from the sweep seed.</summary>
    public ulong TeacherSeed() => DeriveSeed($"teacher|{Seed}");

    public TeacherSpec TeacherSpec() => new(Teacher.Hidden, Teacher.Train, TeacherSeed());

    /// <summary>What a worker needs to run trials: everything but the grid (which can be large), sent with each assignment.</summary>
    public SweepSettings WithoutGrid() => this with { Grid = new GridSettings([], [], [], []) };

    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static ulong DeriveSeed(string text) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
}
