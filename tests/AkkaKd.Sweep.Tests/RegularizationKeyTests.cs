namespace AkkaKd.Sweep.Tests;

/// <summary>
/// The regularization and student-layer keys enter the sweep hash, the teacher key and the trial keys only when not at
/// their defaults: sweeps from before these keys keep their hashes and trial ids (recorded with commit 759b25a).
/// </summary>
public class RegularizationKeyTests
{
    private const string Custom = """
        sweep { seed = 3
          teacher { hidden = [64, 32], epochs = 2 }
          student { epochs = 3, lr = 0.002 }
          grid { width = [8, 24], temperature = [2, 20], alpha = [0, 0.9], seeds = [1, 2] } }
        """;

    private const string DefaultsHash = "41abb7e885d82a6cd5c3b60423671ea76659a8f87a6f74b823d7d8a6ca7534b7";
    private const string CustomHash = "8d54f6fb1086c00e8fd0f46dd0864bc5cb81593b12545aa8ee83409e0c692ed0";

    private static readonly string[] CustomIds =
    [
        "67af8a8ce6f0", "5af886de002d", "305b6b6399e7", "74efe553e7bc", "bdddcbf4e6be", "d62b926d9b06",
        "416da0122172", "0bec1911a16f", "0da104fe80c9", "1333183310b5", "751cda456b37", "b8f6d32884a3",
    ];

    public static TheoryData<string> AtDefaults() =>
    [
        "",
        "sweep.teacher.dropout = 0",
        "sweep { teacher { dropout = 0, input-dropout = 0.0, jitter = 0 }\n student { layers = 1, dropout = 0, input-dropout = 0, jitter = 0 } }",
    ];

    [Theory]
    [MemberData(nameof(AtDefaults))]
    public void Default_values_keep_the_hash_and_the_ids_of_before(string extra)
    {
        // The slices of before the validation slice (issue 10 changed the defaults to train 7000 / validation 1000).
        const string before = "sweep { data { train = 8000, validation = 0, test = 2000 } }\n";
        var d = SweepFile.Parse(before + extra, "x");
        Assert.Equal(DefaultsHash, d.Hash());
        var ids = Grid.Expand(d).Select(t => t.Id).ToList();
        Assert.Equal(44, ids.Count);
        Assert.Equal(["2c88d07b08ef", "2df4589993b8", "e15853311146"], ids.Take(3));
        Assert.Equal("90e376377b63", ids[^1]);
        Assert.Equal("1200x1200,e8,b128,lr0.001,seed1", d.TeacherKey());

        var c = SweepFile.Parse(before + Custom + "\n" + extra, "x");
        Assert.Equal(CustomHash, c.Hash());
        Assert.Equal(CustomIds, Grid.Expand(c).Select(t => t.Id));
        Assert.Equal("64x32,e2,b128,lr0.001,seed3", c.TeacherKey());
    }

    public static TheoryData<string, bool, bool> NotAtDefaults() => new()
    {
        // setting, changes the teacher key, changes the trial ids
        { "sweep.teacher.dropout = 0.5", true, true },
        { "sweep.teacher.input-dropout = 0.2", true, true },
        { "sweep.teacher.jitter = 2", true, true },
        { "sweep.student.layers = 2", false, true },
        { "sweep.student.dropout = 0.1", false, true },
        { "sweep.student.input-dropout = 0.1", false, true },
        { "sweep.student.jitter = 1", false, true },
    };

    [Theory]
    [MemberData(nameof(NotAtDefaults))]
    public void Other_values_change_what_they_decide(string set, bool teacher, bool trials)
    {
        var before = SweepFile.Parse(Custom, "x");
        var after = SweepFile.Parse(Custom, "x", [set]);
        Assert.NotEqual(before.Hash(), after.Hash());
        Assert.Equal(teacher, before.TeacherKey() != after.TeacherKey());
        var a = Grid.Expand(before).Select(t => t.Id).ToHashSet();
        var b = Grid.Expand(after).Select(t => t.Id).ToList();
        Assert.Equal(CustomIds.Length, b.Count);
        if (trials) Assert.DoesNotContain(b, a.Contains);
    }

    [Fact]
    public void The_settings_reach_the_specs()
    {
        var s = SweepFile.Parse(Custom, "x", ["sweep.teacher.dropout=0.5", "sweep.teacher.input-dropout=0.2",
            "sweep.teacher.jitter=2", "sweep.student.layers=3", "sweep.student.jitter=1"]);
        var t = s.TeacherSpec();
        Assert.Equal(new AkkaKd.Distillation.Training.Regularization(0.5, 0.2, 2), t.Regularization);
        Assert.Equal("64x32,e2,b128,lr0.001,seed3,dropout0.5,input-dropout0.2,jitter2", s.TeacherKey());
        var trial = Grid.Expand(s).First(x => x.Width == 24);
        var spec = s.StudentSpec(trial);
        Assert.Equal([24, 24, 24], spec.Hidden);
        Assert.Equal(trial.StudentSeed, spec.Seed);
        Assert.Equal(new AkkaKd.Distillation.Training.Regularization(0, 0, 1), spec.Regularization);
        Assert.Contains("student=e3,b128,lr0.002,layers3,dropout0,input-dropout0,jitter1;", trial.Key);
        // the sweep file written to the journal's header gives the same sweep back
        Assert.Equal(s.Hash(), SweepFile.Parse(s.ToHocon(), "header").Hash());
        Assert.Null(s.DataProblem([28, 28]));
        Assert.Contains("sweep.teacher.jitter", SweepFile.Parse("", "x", ["sweep.teacher.jitter=28"]).DataProblem([28, 28]));
        Assert.Contains("sweep.student.jitter", SweepFile.Parse("", "x", ["sweep.student.jitter=5"]).DataProblem([5, 40]));
    }
}
