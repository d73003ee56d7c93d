namespace AkkaKd.Sweep.Tests;

/// <summary>Defaults, every key read from a file, and --set overrides.</summary>
public sealed class SweepFileSettingsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Defaults_are_the_documented_laptop_sweep()
    {
        var s = SweepFile.Load(null);
        Assert.Equal("laptop", s.Name);
        Assert.Equal(1, s.Seed);
        Assert.Equal("embedded:mnist10k", s.Data.Source);
        Assert.Equal(7000, s.Data.Train);
        Assert.Equal(1000, s.Data.Validation);
        Assert.Equal(2000, s.Data.Test);
        Assert.Equal(1, s.ThreadsPerTrial);
        Assert.Equal([1200, 1200], s.Teacher.Hidden);
        Assert.Equal(8, s.Teacher.Epochs);
        Assert.Equal(128, s.Teacher.Batch);
        Assert.Equal(0.001, s.Teacher.Lr);
        Assert.Equal(10, s.Student.Epochs);
        Assert.Equal(128, s.Student.Batch);
        Assert.Equal(0.001, s.Student.Lr);
        Assert.Equal([1.0, 2.0, 4.0, 8.0, 20.0], s.Grid.Temperature);
        Assert.Equal([0.0, 0.5, 0.9], s.Grid.Alpha);
        Assert.Equal([16, 32, 64, 128], s.Grid.Width);
        Assert.Equal([1], s.Grid.Seeds);
        Assert.Equal(20, s.Top);
        Assert.Equal(10000, s.MaxTrials);
    }

    [Fact]
    public void The_defaults_written_as_a_file_load_as_the_defaults()
    {
        var path = _dir.Write("laptop.hocon", SweepFile.Defaults);
        var s = NoHang.Run(() => SweepFile.Load(path));
        Assert.Equal(SweepFile.Load(null).Hash(), s.Hash());
        Assert.Equal("laptop", s.Name);
    }

    [Fact]
    public void Every_key_can_be_set_in_a_file_and_is_read_back()
    {
        var path = _dir.Write("all.hocon", """
            # every key, none at its default
            sweep {
              name = lab-run
              seed = 42
              data    { source = "idx:/data/train-images.gz,/data/train-labels.gz", train = 50000, test = 10000 }
              teacher { hidden = [800, 400, 200], epochs = 3, batch = 64, lr = 0.0005 }
              student { epochs = 4, batch = 32, lr = 0.002 }
              grid    { temperature = [0.5, 3], alpha = [0.25, 1], width = [8, 512], seeds = [0, 7, 9] }
              leaderboard { top = 5 }
              max-trials = 100
            }
            """);
        var s = NoHang.Run(() => SweepFile.Load(path));
        Assert.Equal("lab-run", s.Name);
        Assert.Equal(42, s.Seed);
        Assert.Equal("idx:/data/train-images.gz,/data/train-labels.gz", s.Data.Source);
        Assert.Equal(50000, s.Data.Train);
        Assert.Equal(10000, s.Data.Test);
        Assert.Equal([800, 400, 200], s.Teacher.Hidden);
        Assert.Equal(3, s.Teacher.Epochs);
        Assert.Equal(64, s.Teacher.Batch);
        Assert.Equal(0.0005, s.Teacher.Lr);
        Assert.Equal(4, s.Student.Epochs);
        Assert.Equal(32, s.Student.Batch);
        Assert.Equal(0.002, s.Student.Lr);
        Assert.Equal([0.5, 3.0], s.Grid.Temperature);
        Assert.Equal([0.25, 1.0], s.Grid.Alpha);
        Assert.Equal([8, 512], s.Grid.Width);
        Assert.Equal([0, 7, 9], s.Grid.Seeds);
        Assert.Equal(5, s.Top);
        Assert.Equal(100, s.MaxTrials);
    }

    [Fact]
    public void Dotted_keys_and_partial_sections_keep_the_other_defaults()
    {
        var s = SweepFile.Parse("sweep.grid.width = [8]\nsweep { teacher { epochs = 2 } }", "t.hocon");
        Assert.Equal([8], s.Grid.Width);
        Assert.Equal(2, s.Teacher.Epochs);
        Assert.Equal([0.0, 0.5, 0.9], s.Grid.Alpha);
        Assert.Equal([1200, 1200], s.Teacher.Hidden);
        Assert.Equal(128, s.Teacher.Batch);
    }

    [Fact]
    public void Train_settings_follow_the_file()
    {
        var s = SweepFile.Parse("sweep { teacher { epochs = 3, batch = 64, lr = 0.5 }\n student { epochs = 4, batch = 32, lr = 0.25 } }", "t.hocon");
        Assert.Equal(3, s.Teacher.Train.Epochs);
        Assert.Equal(64, s.Teacher.Train.Batch);
        Assert.Equal(0.5f, s.Teacher.Train.LearningRate);
        Assert.Equal(4, s.Student.Train.Epochs);
        Assert.Equal(32, s.Student.Train.Batch);
        Assert.Equal(0.25f, s.Student.Train.LearningRate);
    }

    // ---- --set ----

    [Fact]
    public void Set_a_list()
    {
        var s = SweepFile.Load(null, ["sweep.grid.width=[8,16]"]);
        Assert.Equal([8, 16], s.Grid.Width);
        Assert.Equal([1.0, 2.0, 4.0, 8.0, 20.0], s.Grid.Temperature); // the rest untouched
    }

    [Fact]
    public void Set_a_value_that_is_not_hocon_is_a_string()
    {
        var s = SweepFile.Load(null, ["sweep.data.source=idx:a.gz,b.gz"]);
        Assert.Equal("idx:a.gz,b.gz", s.Data.Source);
    }

    [Fact]
    public void Set_an_idx_source_with_paths()
    {
        var s = SweepFile.Load(null, [@"sweep.data.source=idx:/data/mnist/train-images-idx3-ubyte.gz,/data/mnist/train-labels-idx1-ubyte.gz"]);
        Assert.Equal("idx:/data/mnist/train-images-idx3-ubyte.gz,/data/mnist/train-labels-idx1-ubyte.gz", s.Data.Source);
    }

    [Fact]
    public void Set_a_number()
    {
        Assert.Equal(7, SweepFile.Load(null, ["sweep.seed=7"]).Seed);
    }

    [Fact]
    public void Set_tolerates_spaces_around_equals()
    {
        Assert.Equal(7, SweepFile.Load(null, ["sweep.seed = 7"]).Seed);
    }

    [Fact]
    public void Set_a_quoted_string()
    {
        var s = SweepFile.Load(null, ["sweep.name=\"my sweep\""]);
        Assert.Equal("my sweep", s.Name);
    }

    [Fact]
    public void Later_set_wins_over_earlier_set_and_over_the_file()
    {
        var path = _dir.Write("s.hocon", "sweep { seed = 3, grid { width = [8] } }");
        Assert.Equal(3, SweepFile.Load(path).Seed);
        var s = SweepFile.Load(path, ["sweep.seed=5", "sweep.grid.width=[64]", "sweep.seed=7"]);
        Assert.Equal(7, s.Seed);
        Assert.Equal([64], s.Grid.Width);
        var r = SweepFile.Load(path, ["sweep.seed=7", "sweep.seed=5"]);
        Assert.Equal(5, r.Seed);
    }

    [Fact]
    public void Set_wins_over_the_file_for_a_list()
    {
        var path = _dir.Write("s.hocon", "sweep.grid.alpha = [0, 0.5]");
        Assert.Equal([0.9], SweepFile.Load(path, ["sweep.grid.alpha=[0.9]"]).Grid.Alpha);
    }

    [Fact]
    public void A_single_number_for_an_axis_is_a_list_of_one()
    {
        var s = SweepFile.Load(null, ["sweep.grid.width=32"]);
        Assert.Equal([32], s.Grid.Width);
        var t = SweepFile.Parse("sweep.grid { temperature = 4, alpha = 0.5, seeds = 3 }", "t.hocon");
        Assert.Equal([4.0], t.Grid.Temperature);
        Assert.Equal([0.5], t.Grid.Alpha);
        Assert.Equal([3], t.Grid.Seeds);
    }

    [Fact]
    public void Set_a_whole_section_keeps_the_other_keys_of_it()
    {
        var s = SweepFile.Load(null, ["sweep.grid={ width = [8] }"]);
        Assert.Equal([8], s.Grid.Width);
        Assert.Equal([0.0, 0.5, 0.9], s.Grid.Alpha);
    }

    [Fact]
    public void Set_raises_max_trials_so_a_big_grid_passes()
    {
        var widths = "[" + string.Join(",", Enumerable.Range(1, 50)) + "]";
        var seeds = "[" + string.Join(",", Enumerable.Range(1, 20)) + "]";
        Assert.Throws<SweepFileException>(() => SweepFile.Load(null, [$"sweep.grid.width={widths}", $"sweep.grid.seeds={seeds}"]));
        var s = SweepFile.Load(null, [$"sweep.grid.width={widths}", $"sweep.grid.seeds={seeds}", "sweep.max-trials=11000"]);
        Assert.Equal(11000, Grid.Count(s.Grid));
    }
}
