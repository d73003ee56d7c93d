namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Every way a sweep file or a --set can be wrong: each is a SweepFileException whose message is one line and names
/// the file (or --set) and the key.
/// </summary>
public sealed class SweepFileValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Loads <paramref name="hocon"/> from a file and expects a one-line error naming the file and <paramref name="key"/>.</summary>
    private string Fails(string hocon, string key, params string[] overrides)
    {
        var path = _dir.Write("sweep.hocon", hocon);
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Load(path, overrides)));
        AssertOneLine(e.Message);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(key, e.Message);
        return e.Message;
    }

    /// <summary>A --set that is wrong: one line, naming --set and the key.</summary>
    private static string SetFails(string set, string key)
    {
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Load(null, [set])));
        AssertOneLine(e.Message);
        Assert.StartsWith("--set ", e.Message);
        Assert.Contains(key, e.Message);
        return e.Message;
    }

    private static void AssertOneLine(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }

    // ---- unknown keys ----

    [Fact]
    public void Unknown_key_with_a_typo_suggests_the_right_one()
    {
        var m = Fails("sweep { grid { widht = [8, 16] } }", "sweep.grid.widht");
        Assert.Contains("unknown key", m);
        Assert.Contains("did you mean sweep.grid.width?", m);
    }

    [Fact]
    public void Unknown_section_typo_suggests_the_section()
    {
        var m = Fails("sweep { techer { epochs = 3 } }", "sweep.techer");
        Assert.Contains("did you mean sweep.teacher?", m);
    }

    [Fact]
    public void Unknown_key_far_from_any_gets_no_suggestion()
    {
        var m = Fails("sweep { grid { learning-rate-schedule = cosine } }", "sweep.grid.learning-rate-schedule");
        Assert.Contains("unknown key", m);
        Assert.DoesNotContain("did you mean", m);
    }

    [Fact]
    public void Unknown_top_level_key()
    {
        var m = Fails("akka { loglevel = DEBUG }", "akka");
        Assert.Contains("unknown key", m);
    }

    // ---- wrong types ----

    [Fact]
    public void String_where_a_whole_number_is_expected()
    {
        var m = Fails("sweep.teacher.epochs = eight", "sweep.teacher.epochs");
        Assert.Contains("expected a whole number", m);
        Assert.Contains("eight", m);
    }

    [Fact]
    public void Fraction_where_a_whole_number_is_expected()
    {
        var m = Fails("sweep.data.train = 8000.5", "sweep.data.train");
        Assert.Contains("expected a whole number", m);
    }

    [Fact]
    public void String_where_a_number_is_expected()
    {
        var m = Fails("sweep.student.lr = fast", "sweep.student.lr");
        Assert.Contains("expected a number", m);
    }

    [Fact]
    public void String_in_a_list_of_numbers()
    {
        var m = Fails("sweep.grid.alpha = [0.5, high]", "sweep.grid.alpha");
        Assert.Contains("expected a number", m);
        Assert.Contains("high", m);
    }

    [Fact]
    public void Object_where_a_value_is_expected()
    {
        var m = Fails("sweep { seed { value = 1 } }", "sweep.seed");
        Assert.Contains("expected a value, found an object", m);
    }

    [Fact]
    public void Object_where_a_list_is_expected()
    {
        var m = Fails("sweep.grid.width { a = 8 }", "sweep.grid.width");
        Assert.Contains("found an object", m);
    }

    [Fact]
    public void List_where_a_single_value_is_expected()
    {
        var m = Fails("sweep.seed = [1, 2]", "sweep.seed");
        Assert.Contains("expected a single value, found a list", m);
    }

    [Fact]
    public void List_where_a_string_is_expected()
    {
        var m = Fails("sweep.name = [a, b]", "sweep.name");
        Assert.Contains("found a list", m);
    }

    [Fact]
    public void Value_where_a_section_is_expected()
    {
        var m = Fails("sweep.grid = 5", "sweep.grid");
        Assert.Contains("expected an object", m);
    }

    [Fact]
    public void Nested_list_in_an_axis()
    {
        Fails("sweep.grid.width = [[8, 16], 32]", "sweep.grid.width");
    }

    // ---- ranges ----

    [Theory]
    [InlineData("[0]", "0")]
    [InlineData("[1, 2, 0]", "0")]
    [InlineData("[-2]", "-2")]
    [InlineData("[4, -0.5]", "-0.5")]
    public void Temperature_must_be_positive(string axis, string bad)
    {
        var m = Fails($"sweep.grid.temperature = {axis}", "sweep.grid.temperature");
        Assert.Contains($"{bad} is not > 0", m);
    }

    [Theory]
    [InlineData("[-0.1]", "-0.1")]
    [InlineData("[0, 1.5]", "1.5")]
    [InlineData("[0.5, 1.0000001]", "1.0000001")]
    public void Alpha_must_be_within_zero_and_one(string axis, string bad)
    {
        var m = Fails($"sweep.grid.alpha = {axis}", "sweep.grid.alpha");
        Assert.Contains($"{bad} is outside [0, 1]", m);
    }

    [Fact]
    public void Alpha_bounds_are_inclusive()
    {
        var s = SweepFile.Parse("sweep.grid.alpha = [0, 1]", "t.hocon");
        Assert.Equal([0.0, 1.0], s.Grid.Alpha);
    }

    [Theory]
    [InlineData("[0]")]
    [InlineData("[16, -4]")]
    public void Width_must_be_at_least_one(string axis)
    {
        var m = Fails($"sweep.grid.width = {axis}", "sweep.grid.width");
        Assert.Contains("less than 1", m);
    }

    [Fact]
    public void Width_of_one_is_allowed()
    {
        Assert.Equal([1], SweepFile.Parse("sweep.grid.width = [1]", "t.hocon").Grid.Width);
    }

    [Theory]
    [InlineData("temperature", "[]")]
    [InlineData("alpha", "[]")]
    [InlineData("width", "[]")]
    [InlineData("seeds", "[]")]
    [InlineData("temperature", "[ ]")]
    [InlineData("alpha", "[\n]")]
    [InlineData("width", "[ # none\n ]")]
    [InlineData("seeds", "[ ]")]
    public void An_empty_axis_is_an_error(string axis, string empty)
    {
        // Akka's parser reads "[]" as a value that is no list, and "[ ]" as a list of one item holding nothing:
        // both were a NullReferenceException, not a one-line error.
        var m = Fails($"sweep.grid.{axis} = {empty}", $"sweep.grid.{axis}");
        Assert.Contains("empty", m);
    }

    [Theory]
    [InlineData("sweep.grid.seeds=[]")]
    [InlineData("sweep.grid.width=[ ]")]
    public void An_empty_axis_via_set_is_an_error(string set)
    {
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Load(null, [set])));
        AssertOneLine(e.Message);
        Assert.Contains(set[..set.IndexOf('=')], e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[ ]")]
    public void Teacher_hidden_must_not_be_empty(string empty)
    {
        var m = Fails($"sweep.teacher.hidden = {empty}", "sweep.teacher.hidden");
        Assert.Contains("empty", m);
    }

    [Fact]
    public void Null_in_an_axis_is_an_error()
    {
        Fails("sweep.grid.width = [8, null]", "sweep.grid.width");
    }

    [Theory]
    [InlineData("sweep.student.lr", "0")]
    [InlineData("sweep.student.lr", "-0.001")]
    [InlineData("sweep.teacher.lr", "0")]
    [InlineData("sweep.teacher.lr", "-1")]
    public void Learning_rate_must_be_positive(string key, string value)
    {
        var m = Fails($"{key} = {value}", key);
        Assert.Contains("is not > 0", m);
    }

    [Theory]
    [InlineData("sweep.student.epochs")]
    [InlineData("sweep.teacher.epochs")]
    [InlineData("sweep.student.batch")]
    [InlineData("sweep.data.train")]
    [InlineData("sweep.leaderboard.top")]
    public void Zero_where_a_positive_count_is_expected(string key)
    {
        var m = Fails($"{key} = 0", key);
        Assert.Contains("0 is less than 1", m);
    }

    [Fact]
    public void Negative_replicate_seed_is_an_error()
    {
        Fails("sweep.grid.seeds = [1, -1]", "sweep.grid.seeds");
    }

    [Fact]
    public void Empty_name_is_an_error()
    {
        var m = Fails("sweep.name = \"\"", "sweep.name");
        Assert.Contains("empty", m);
    }

    // ---- regularization and student layers ----

    [Theory]
    [InlineData("sweep.teacher.dropout = 1", "sweep.teacher.dropout", "1 is outside [0, 1)")]
    [InlineData("sweep.teacher.dropout = -0.1", "sweep.teacher.dropout", "-0.1 is outside [0, 1)")]
    [InlineData("sweep.teacher.input-dropout = 1.5", "sweep.teacher.input-dropout", "1.5 is outside [0, 1)")]
    [InlineData("sweep.student.dropout = 2", "sweep.student.dropout", "2 is outside [0, 1)")]
    [InlineData("sweep.student.input-dropout = half", "sweep.student.input-dropout", "expected a number")]
    [InlineData("sweep.teacher.jitter = -1", "sweep.teacher.jitter", "-1 is less than 0")]
    [InlineData("sweep.teacher.jitter = 1.5", "sweep.teacher.jitter", "expected a whole number")]
    [InlineData("sweep.student.jitter = -2", "sweep.student.jitter", "-2 is less than 0")]
    [InlineData("sweep.student.layers = 0", "sweep.student.layers", "0 is less than 1")]
    [InlineData("sweep.student.layers = 9", "sweep.student.layers", "9 is more than 8")]
    [InlineData("sweep.student.layers = [2, 3]", "sweep.student.layers", "found a list")]
    [InlineData("sweep { teacher { dropout { rate = 0.5 } } }", "sweep.teacher.dropout", "expected a value, found an object")]
    [InlineData("sweep.student.jiter = 1", "sweep.student.jiter", "did you mean sweep.student.jitter?")]
    public void Regularization_and_layers_out_of_range(string hocon, string key, string problem)
    {
        var m = Fails(hocon, key);
        Assert.Contains(problem, m);
    }

    [Fact]
    public void Regularization_via_set_is_checked_too()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(null, ["sweep.teacher.dropout=1"]));
        AssertOneLine(e.Message);
        Assert.Contains("sweep.teacher.dropout: 1 is outside [0, 1)", e.Message);
    }

    [Fact]
    public void Regularization_and_layers_are_read()
    {
        var s = SweepFile.Load(_dir.Write("sweep.hocon", """
            sweep {
              teacher { dropout = 0.5, input-dropout = 0.2, jitter = 2 }
              student { layers = 2, dropout = 0.1, jitter = 1 }
            }
            """));
        Assert.Equal(new AkkaKd.Distillation.Training.Regularization(0.5, 0.2, 2), s.Teacher.Regularization);
        Assert.Equal(2, s.Student.Layers);
        Assert.Equal(new AkkaKd.Distillation.Training.Regularization(0.1, 0, 1), s.Student.Regularization);
        var d = SweepFile.Load(null);
        Assert.Null(d.Teacher.Regularization);
        Assert.Null(d.Student.Regularization);
        Assert.Equal(1, d.Student.Layers);
    }

    // ---- data source ----

    [Theory]
    [InlineData("foo")]
    [InlineData("idx:onlyone")]
    [InlineData("embedded:cifar")]
    [InlineData("idx:,labels.gz")]
    public void Bad_data_source(string source)
    {
        var m = Fails($"sweep.data.source = \"{source}\"", "sweep.data.source");
        Assert.DoesNotContain("did you mean", m);
    }

    [Fact]
    public void Idx_data_source_with_two_files_is_valid()
    {
        var s = SweepFile.Parse("sweep.data.source = \"idx:/data/images.gz,/data/labels.gz\"", "t.hocon");
        Assert.Equal("idx:/data/images.gz,/data/labels.gz", s.Data.Source);
    }

    // ---- trial limit ----

    [Fact]
    public void Grid_over_max_trials_says_how_many_trials()
    {
        // Default grid: (2 distilled alphas x 3 T + 1 baseline) x 4 widths x 3 seeds = 84 trials.
        var m = Fails("sweep.max-trials = 83", "sweep.max-trials");
        Assert.Contains("84 trials", m);
        Assert.Contains("sweep.grid", m);
    }

    [Fact]
    public void Grid_exactly_at_max_trials_is_allowed()
    {
        var s = SweepFile.Parse("sweep.max-trials = 84", "t.hocon");
        Assert.Equal(84, s.MaxTrials);
        Assert.Equal(84, Grid.Count(s.Grid));
    }

    [Fact]
    public void Large_grid_over_the_default_limit()
    {
        // 7 x 80 widths x 20 seeds = 11,200 > 10,000
        var widths = string.Join(", ", Enumerable.Range(1, 80));
        var seeds = string.Join(", ", Enumerable.Range(1, 20));
        var m = Fails($"sweep.grid {{ width = [{widths}], seeds = [{seeds}] }}", "sweep.max-trials");
        Assert.Contains("11,200 trials", m);
    }

    // ---- the file itself ----

    [Theory]
    [InlineData("sweep { grid { width = [8, 16 } }", "line 1: '}' closes the '[' of line 1")]
    [InlineData("sweep {\n  grid { width = [8, 16 }\n}", "line 2: '}' closes the '[' of line 2")]
    [InlineData("sweep { grid { width = [8, 16] }", "line 1: '{' is never closed")]
    [InlineData("sweep {\n  name = laptop\n", "line 1: '{' is never closed")]
    [InlineData("sweep { seed = 1 } }", "'}' without a matching '{'")]
    [InlineData("sweep.grid.width = [8, 16]]", "']' without a matching '['")]
    [InlineData("sweep { name = \"laptop }", "line 1: a quoted string is never closed")]
    [InlineData("sweep.grid.alpha = [a = 1]", "'=' in a list")]
    [InlineData("sweep.grid.alpha = [0.5, 0.9!]", "'!' in a list")]
    [InlineData("sweep.grid.alpha = [0.5 : 0.9]", "':' in a list")]
    [InlineData("sweep.grid.alpha = [$]", "'$' in a list")]
    [InlineData("sweep { seed = ${nowhere} }", "nowhere")]
    [InlineData("sweep { seed = ${nowhere\n}", "line 1: a ${...} substitution is never closed")]
    public void Hocon_syntax_error_is_one_line_naming_the_file_and_where(string hocon, string where)
    {
        // Several of these made Akka's HOCON parser (1.5.73) loop forever, or were silently accepted.
        var m = Fails(hocon, "HOCON syntax error");
        Assert.Contains(where, m);
    }

    [Fact]
    public void Brackets_and_colons_in_comments_and_strings_are_not_syntax_errors()
    {
        var s = NoHang.Run(() => SweepFile.Parse("""
            # a comment with [ brackets } and : = ! signs
            sweep {
              name = "a [name} with: = and ! in it"   // and a comment ] here
              data { source = "idx:/data/a[1].gz,/data/b{2}.gz" }
              grid { width = [8, 16] }   # [
            }
            """, "t.hocon"));
        Assert.Equal("a [name} with: = and ! in it", s.Name);
        Assert.Equal("idx:/data/a[1].gz,/data/b{2}.gz", s.Data.Source);
        Assert.Equal([8, 16], s.Grid.Width);
    }

    [Fact]
    public void A_malformed_list_via_set_is_a_string_and_then_a_type_error()
    {
        // "[8,16}" made the HOCON parser loop forever; not valid HOCON, so it is taken as a string.
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Load(null, ["sweep.grid.width=[8,16}"])));
        AssertOneLine(e.Message);
        Assert.Contains("sweep.grid.width: expected a whole number, found '[8,16}'", e.Message);
    }

    [Fact]
    public void Missing_file()
    {
        var path = _dir.File("no-such-sweep.hocon");
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(path));
        AssertOneLine(e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void A_directory_is_not_a_sweep_file()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(_dir.Path));
        AssertOneLine(e.Message);
        Assert.Contains(_dir.Path, e.Message);
        Assert.Contains("directory", e.Message);
    }

    [Fact]
    public void Binary_garbage_is_not_a_sweep_file()
    {
        var path = _dir.File("garbage.hocon");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x73, 0x77, 0x65, 0x65, 0x70, 0x00, 0xff, 0xfe]);
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(path));
        AssertOneLine(e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("binary", e.Message);
    }

    [Fact]
    public void An_empty_file_is_all_defaults()
    {
        var path = _dir.Write("empty.hocon", "");
        var s = SweepFile.Load(path);
        var d = SweepFile.Load(null);
        Assert.Equal(d.Hash(), s.Hash());
        Assert.Equal("laptop", s.Name);
        Assert.Equal(20, s.Top);
    }

    [Fact]
    public void A_file_of_comments_only_is_all_defaults()
    {
        var path = _dir.Write("comments.hocon", "# nothing here\n// nor here\n\n");
        Assert.Equal(SweepFile.Load(null).Hash(), SweepFile.Load(path).Hash());
    }

    [Fact]
    public void A_file_with_a_utf8_byte_order_mark_loads()
    {
        // Windows editors (and PowerShell 5's Set-Content -Encoding UTF8) write a BOM.
        var path = _dir.File("bom.hocon");
        File.WriteAllText(path, "sweep { seed = 5 }\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(0xEF, File.ReadAllBytes(path)[0]);
        Assert.Equal(5, SweepFile.Load(path).Seed);
    }

    // ---- --set ----

    [Fact]
    public void Unknown_key_via_set()
    {
        var m = SetFails("sweep.grid.widht=[8,16]", "sweep.grid.widht");
        Assert.Contains("unknown key", m);
        Assert.Contains("did you mean sweep.grid.width?", m);
    }

    [Fact]
    public void Unknown_key_inside_a_section_set_via_set()
    {
        var e = Assert.Throws<SweepFileException>(() => NoHang.Run(() => SweepFile.Load(null, ["sweep.grid={ widht = [8, 16] }"])));
        AssertOneLine(e.Message);
        Assert.Contains("--set", e.Message);
        Assert.Contains("sweep.grid.widht", e.Message);
        Assert.Contains("unknown key", e.Message);
    }

    [Theory]
    [InlineData("sweep.seed")]
    [InlineData("sweep.grid.width")]
    public void Set_without_equals(string set)
    {
        var m = SetFails(set, set);
        Assert.Contains("key=value", m);
    }

    [Fact]
    public void Set_with_an_empty_key()
    {
        var m = SetFails("=7", "=7");
        Assert.Contains("key=value", m);
    }

    [Fact]
    public void A_bad_value_via_set_names_the_key()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(null, ["sweep.grid.alpha=[0.5, 2]"]));
        AssertOneLine(e.Message);
        Assert.Contains("sweep.grid.alpha", e.Message);
        Assert.Contains("2 is outside [0, 1]", e.Message);
    }

    [Fact]
    public void An_object_via_set_where_a_value_is_expected()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load(null, ["sweep.seed={ a = 1 }"]));
        AssertOneLine(e.Message);
        Assert.Contains("sweep.seed", e.Message);
        Assert.Contains("object", e.Message);
    }

    [Fact]
    public void Priority_is_a_positive_weight_1_by_default_and_not_part_of_the_sweep_hash()
    {
        Assert.Equal(1, SweepFile.Parse("", "t.hocon").Priority);
        var heavy = SweepFile.Parse("sweep.priority = 3", "t.hocon");
        Assert.Equal(3, heavy.Priority);
        Assert.Equal(SweepFile.Parse("", "t.hocon").Hash(), heavy.Hash());
        Assert.Contains("sweep.priority", Fails("sweep.priority = 0", "sweep.priority"));
    }
}
