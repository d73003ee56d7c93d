namespace AkkaKd.Sweep.Tests;

/// <summary>
/// The laptop sweep (what <c>akkakd sweep</c> runs without a file) is configs/laptop.hocon as built into the program,
/// and the sweep files in configs/ load.
/// </summary>
public sealed class LaptopSweepTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AkkaKd.sln"))) return d.FullName;
        throw new InvalidOperationException($"AkkaKd.sln not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void The_built_in_laptop_sweep_is_the_repositorys_configs_laptop_hocon()
    {
        var onDisk = File.ReadAllText(Path.Combine(Root, SweepFile.LaptopPath));
        Assert.Equal(onDisk, SweepFile.Laptop);
        Assert.Equal(SweepFile.Load(Path.Combine(Root, SweepFile.LaptopPath)).Hash(), SweepFile.LoadLaptop().Hash());
    }

    [Fact]
    public void The_laptop_sweep_has_a_regularized_teacher_and_narrow_and_wide_students_at_T_20()
    {
        var s = SweepFile.LoadLaptop();
        Assert.Equal("laptop", s.Name);
        Assert.True(s.Teacher.Reg.Dropout > 0 && s.Teacher.Reg.InputDropout > 0 && s.Teacher.Reg.Jitter > 0, "the teacher is not regularized");
        Assert.Contains(20.0, s.Grid.Temperature);
        Assert.Contains(0.0, s.Grid.Alpha);
        Assert.True(s.Grid.Width.Min() * 4 <= s.Grid.Width.Max(), "no narrow and wide students");
        Assert.True(s.Grid.Seeds.Length >= 3, "fewer than 3 seeds: no interval worth the name");
    }

    [Fact]
    public void Overrides_apply_to_the_laptop_sweep()
    {
        var s = SweepFile.LoadLaptop(["sweep.grid.width=[8]"]);
        Assert.Equal([8], s.Grid.Width);
        var laptop = SweepFile.LoadLaptop();
        Assert.Equal(laptop.Teacher.Hidden, s.Teacher.Hidden);
        Assert.Equal(laptop.Teacher.Reg, s.Teacher.Reg);
    }

    [Theory]
    [InlineData("laptop.hocon")]
    [InlineData("smoke.hocon")]
    [InlineData("hinton.hocon")]
    public void Every_sweep_file_in_configs_loads(string name) => Assert.NotNull(SweepFile.Load(Path.Combine(Root, "configs", name)));
}
