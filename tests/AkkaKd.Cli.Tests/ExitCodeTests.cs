using System.IO.Compression;

namespace AkkaKd.Cli.Tests;

/// <summary>A user's mistake ends with one line naming what is wrong, the documented exit code, and no stack trace.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    private const string Tiny = """
        sweep {
          name = tiny
          data    { source = "embedded:mnist10k", train = 600, test = 300 }
          teacher { hidden = [32], epochs = 1, batch = 32, lr = 0.005 }
          student { epochs = 2, batch = 32, lr = 0.005 }
          grid    { temperature = [2], alpha = [0, 0.9], width = [8], seeds = [1] }
        }
        """;

    private string File(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public async Task A_missing_sweep_file_is_a_usage_error()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "nope.hocon");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "nope.hocon", "not found");
    }

    [Fact]
    public async Task An_unknown_key_is_a_sweep_file_error_naming_the_key()
    {
        var f = File("typo.hocon", "sweep { grid { temprature = [1, 2] } }");
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", f);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "sweep.grid.temprature", "sweep.grid.temperature");
    }

    [Fact]
    public async Task An_out_of_range_value_given_with_set_is_refused()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--set", "sweep.grid.alpha=[0, 1.5]");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "sweep.grid.alpha", "1.5");
    }

    [Fact]
    public async Task A_missing_data_file_is_a_data_error_naming_the_file()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--set", "sweep.data.source=idx:/no/such/images.gz,/no/such/labels.gz");
        Assert.Equal(3, code);
        Akkakd.AssertOneLineError(err, "/no/such/images.gz", "not found");
    }

    [Fact]
    public async Task A_corrupt_data_file_is_a_data_error_naming_the_file()
    {
        var images = Path.Combine(_dir, "images.gz");
        await using (var f = System.IO.File.Create(images))
        await using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            gz.Write([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]); // 10 images announced, 3 bytes there
        var labels = File("labels.idx", "");
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--set", $"sweep.data.source=idx:{images},{labels}");
        Assert.Equal(3, code);
        Akkakd.AssertOneLineError(err, images, "truncated");
    }

    [Fact]
    public async Task More_rows_than_the_data_has_is_refused_before_any_work()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--set", "sweep.data.train=9000", "--set", "sweep.data.test=2000");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "sweep.data.train + sweep.data.validation + sweep.data.test", "10,000");
    }

    [Fact]
    public async Task Unknown_commands_and_options_are_usage_errors()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "frobnicate");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "frobnicate");
        (code, _, err) = await Akkakd.Run(_dir, Limit, "bench", "--widht", "3");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "--widht");
        (code, _, err) = await Akkakd.Run(_dir, Limit, "worker");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "--seeds");
    }

    [Fact]
    public async Task A_sweep_runs_then_a_resume_of_the_finished_sweep_runs_nothing_and_exits_0()
    {
        var f = File("tiny.hocon", Tiny);
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, err) = await Akkakd.Run(_dir, Limit, "sweep", f, "--out", outDir);
        Assert.True(code == 0, $"exit {code}: {stdout}\n{err}");
        Assert.Contains("2/2 trials finished", stdout);
        var journal = System.IO.File.ReadAllText(Path.Combine(outDir, "results.jsonl"));

        (code, stdout, _) = await Akkakd.Run(_dir, Limit, "sweep", f, "--out", outDir, "--resume");
        Assert.Equal(0, code);
        Assert.Contains("nothing to do", stdout);
        Assert.Equal(journal, System.IO.File.ReadAllText(Path.Combine(outDir, "results.jsonl")));

        // The same folder without --resume is refused; a different sweep file is refused without --force.
        (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", f, "--out", outDir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "--resume");
        (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", f, "--out", outDir, "--resume", "--set", "sweep.seed=2");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "different sweep", "--force");
        // With --force it goes on in the same journal: the other sweep's trials are added, the first ones kept.
        (code, stdout, err) = await Akkakd.Run(_dir, Limit, "sweep", f, "--out", outDir, "--resume", "--force", "--set", "sweep.seed=2");
        Assert.True(code == 0, $"exit {code}: {stdout}\n{err}");
        Assert.Contains("--force", err);
        var after = System.IO.File.ReadAllText(Path.Combine(outDir, "results.jsonl"));
        Assert.StartsWith(journal, after);
        Assert.Equal(4, after.Split('\n').Count(l => l.Contains("\"type\":\"trial\"")));
        // The new sweep file is recorded as a second header: totals count its grid, the first sweep's results are left out.
        Assert.Equal(2, after.Split('\n').Count(l => l.Contains("\"type\":\"header\"")));
        (code, stdout, err) = await Akkakd.Run(_dir, Limit, "leaderboard", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("2/2 trials in the journal", stdout);
        Assert.Contains("2 results made under an earlier sweep file left out of the ranking", stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
