namespace AkkaKd.Sweep.Tests;

/// <summary>Refused up front: numbers float32 cannot hold and models too large for an array or for the node's memory.</summary>
public sealed class SweepLimitsTests
{
    private static SweepFileException Fails(string set, string key, params string[] words)
    {
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Parse("", "test.hocon", [set])));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.StartsWith($"test.hocon: {key}: ", e.Message);
        foreach (var w in words) Assert.Contains(w, e.Message);
        return e;
    }

    [Theory]
    [InlineData("sweep.student.lr=1e-60", "sweep.student.lr", "too small for float32")]
    [InlineData("sweep.teacher.lr=1e-60", "sweep.teacher.lr", "too small for float32")]
    [InlineData("sweep.student.lr=1e-39", "sweep.student.lr", "too small for float32")]
    [InlineData("sweep.student.lr=1e300", "sweep.student.lr", "too large for float32")]
    [InlineData("sweep.teacher.lr=1e39", "sweep.teacher.lr", "too large for float32")]
    [InlineData("sweep.grid.temperature=[1e-60]", "sweep.grid.temperature", "1e-60 is out of range")]
    [InlineData("sweep.grid.temperature=[2, 1e300]", "sweep.grid.temperature", "1e300 is out of range")]
    [InlineData("sweep.grid.temperature=[1e20]", "sweep.grid.temperature", "T²")]
    public void Numbers_float32_cannot_hold_are_refused_naming_the_key(string set, string key, string words) => Fails(set, key, words);

    [Theory]
    [InlineData("sweep.student.lr=1e-30")]
    [InlineData("sweep.teacher.lr=1e20")]
    [InlineData("sweep.grid.temperature=[0.001, 1000]")]
    public void Extreme_but_representable_values_pass(string set) => SweepFile.Parse("", "test.hocon", [set]);

    [Fact]
    public void A_student_wider_than_an_array_is_refused_with_its_parameter_count()
    {
        var e = Fails("sweep.grid.width=[16, 100000000]", "sweep.grid.width", "a student of width 100,000,000", "parameters", "784 inputs");
        Assert.Contains("79,500,000,010", e.Message); // 784 x 1e8 + 1e8 + 1e8 x 10 + 10
    }

    [Fact]
    public void A_teacher_wider_than_an_array_is_refused() =>
        Fails("sweep.teacher.hidden=[100000, 100000]", "sweep.teacher.hidden", "the teacher", "parameters");

    [Fact]
    public void A_model_over_the_nodes_memory_is_refused_with_the_estimate()
    {
        var d = SweepFile.Load(null);
        var s = d with { Grid = d.Grid with { Width = [2_000_000] } };
        var e = Assert.Throws<SweepFileException>(() => SweepLimits.Check(s, "test.hocon", availableBytes: 8L << 30));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.StartsWith("test.hocon: sweep.grid.width: a student of width 2,000,000 needs about ", e.Message);
        Assert.Contains("more than this node's 8.0 GiB", e.Message);
        // 1.59e9 parameters x 16 bytes = 23.7 GiB, and (2 x 128 + 1024) rows x 2.0e6 activations x 4 bytes = 9.5 GiB
        Assert.Contains("needs about 33.3 GiB", e.Message);

        var teacher = d with { Teacher = d.Teacher with { Hidden = [30_000, 30_000] } };
        e = Assert.Throws<SweepFileException>(() => SweepLimits.Check(teacher, "test.hocon", availableBytes: 8L << 30));
        Assert.StartsWith("test.hocon: sweep.teacher.hidden: the teacher needs about ", e.Message);
    }

    [Fact]
    public void The_default_sweep_fits_a_small_node()
    {
        SweepLimits.Check(SweepFile.Load(null), "default", availableBytes: 1L << 30);
        var e = Assert.Throws<SweepFileException>(() => SweepLimits.Check(SweepFile.Load(null), "default", availableBytes: 10L << 20));
        Assert.Contains("sweep.teacher.hidden", e.Message); // the teacher (1200 x 1200) is the largest model
    }

    /// <summary>The per-node decision: data once, one slot may train the largest model, every other slot the widest student.</summary>
    [Fact]
    public void A_node_refuses_a_sweep_that_does_not_fit_its_memory_at_its_slot_count()
    {
        var d = SweepFile.Load(null);
        var s = d with { Teacher = d.Teacher with { Hidden = [64] }, Grid = d.Grid with { Width = [100_000] } };
        // The widest student: 784 x 1e5 + 1e5 + 1e5 x 10 + 10 = 79.5e6 parameters x 16 bytes = 1.18 GiB,
        // and (2 x 128 + 1024) rows x 100,794 activations x 4 bytes = 0.48 GiB: about 1.67 GiB a slot, plus the data.
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 1, availableBytes: 2L << 30));
        var two = SweepLimits.MemoryProblem(s, 784, slots: 2, availableBytes: 2L << 30);
        Assert.NotNull(two);
        JournalTotalityTests.AssertOneLine(two);
        Assert.StartsWith("sweep.grid.width: a student of width 100,000 needs about 1.", two);
        Assert.Contains("2 slots training at once with the data need about 3.", two);
        Assert.Contains("more than this node's 2.0 GiB", two);
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 4, availableBytes: 8L << 30));
        Assert.NotNull(SweepLimits.MemoryProblem(s, 784, slots: 5, availableBytes: 8L << 30));
        // A model that does not fit even alone is named as such, whatever the slots.
        var alone = SweepLimits.MemoryProblem(s, 784, slots: 4, availableBytes: 1L << 30);
        Assert.Contains("needs about 1.", alone);
        Assert.Contains("and the data), more than this node's 1.0 GiB", alone);
        // An unknown memory (0) refuses nothing; zero slots count as one.
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 64, availableBytes: 0));
        Assert.Equal(SweepLimits.MemoryProblem(s, 784, 1, 1L << 30), SweepLimits.MemoryProblem(s, 784, 0, 1L << 30));
    }

    /// <summary>A worker knows the work in hand, not the grid: the data once, and this model in every slot.</summary>
    [Fact]
    public void A_worker_node_decides_on_the_work_in_hand_at_its_slot_count()
    {
        var d = SweepFile.Load(null);
        var s = (d with { Teacher = d.Teacher with { Hidden = [64] } }).WithoutGrid(); // what a worker receives
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 1, availableBytes: 2L << 30, width: 100_000));
        var two = SweepLimits.MemoryProblem(s, 784, slots: 2, availableBytes: 2L << 30, width: 100_000);
        Assert.NotNull(two);
        JournalTotalityTests.AssertOneLine(two);
        Assert.StartsWith("sweep.grid.width: a student of width 100,000 needs about 1.", two);
        Assert.Contains("2 slots training at once with the data need about 3.", two);
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 2, availableBytes: 2L << 30, width: 64)); // a narrow one fits
        Assert.Null(SweepLimits.MemoryProblem(s, 784, slots: 2, availableBytes: 2L << 30, width: null)); // so does the teacher
        var teacher = SweepLimits.MemoryProblem(s, 784, slots: 2, availableBytes: 4L << 20, width: null);
        Assert.StartsWith("sweep.teacher.hidden: the teacher needs about ", teacher);
        Assert.Contains("more than this node's 4 MiB", teacher);
    }

    [Fact]
    public void Reading_a_sweep_file_does_not_check_this_nodes_memory()
    {
        // A lab cluster's workers may have more memory than the launching node: each checks for itself.
        var s = SweepFile.Parse("", "test.hocon", ["sweep.grid.width=[2000000]"]);
        Assert.Equal([2_000_000], s.Grid.Width);
    }
}
