using System.Diagnostics;
using System.Globalization;
using System.Text;
using AkkaKd.Reports;
using AkkaKd.Reports.Tests;
using AkkaKd.Sweep;

namespace AkkaKd.Cli.Tests;

/// <summary><c>akkakd leaderboard DIR [--watch] [--top N]</c>: the ranking from a journal, as the real program prints it.</summary>
public sealed class LeaderboardCommandTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string JournalPath => Path.Combine(_dir, Journal.FileName);

    /// <summary>
    /// The table rows of the output (after the header line of the table), as their first six cells: rank, width, T,
    /// alpha, seeds, val acc (the later cells may be empty or hold spaces).
    /// </summary>
    private static List<string[]> TableRows(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r'))
            .SkipWhile(l => !l.StartsWith("rank ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*\d+\s+\d+\s")) // rank, width, ...
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..6])
            .ToList();

    [Fact]
    public async Task The_ranking_is_best_first_in_the_live_tables_columns()
    {
        var results = await ReportFixture.WriteAsync(_dir);
        var (code, output, err) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir, "--top", "0");
        Assert.True(code == 0, err);
        Assert.Equal("", err);

        // The very lines the live table draws: LeaderboardTable.Lines over Leaderboard.Rank.
        var expected = LeaderboardTable.Lines(Leaderboard.Rank(results, ReportFixture.Teacher()));
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.FindIndex(l => l.StartsWith("rank ", StringComparison.Ordinal));
        Assert.Equal(expected, lines.Skip(start).Take(expected.Count));
        Assert.StartsWith("akkakd sweep fixture: 108/108 trials in the journal", lines[0]);
        Assert.StartsWith("teacher: test acc 97.45%, val acc 97.60%", lines[1]);
        Assert.StartsWith("ranked by val acc, mean over seeds; test acc is shown, never used to choose", lines.Last(l => l.Length > 0));

        // Best first by validation accuracy, computed here without the ranking code: 4 widths x (8 distilled + 1
        // baseline) configurations. (The fixture's best on test is another configuration.)
        var rows = TableRows(output);
        Assert.Equal(36, rows.Count);
        Assert.Equal(Enumerable.Range(1, 36).Select(i => i.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
        var accs = rows.Select(r => double.Parse(r[5], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(accs.OrderDescending(), accs);
        var configs = results.GroupBy(r => (r.Width, r.Temperature, r.Alpha)).ToList();
        var best = configs.MaxBy(g => g.Average(r => r.ValAcc!.Value))!;
        Assert.NotEqual(best.Key, configs.MaxBy(g => g.Average(r => r.TestAccuracy))!.Key);
        Assert.Equal([best.Key.Width.ToString(), best.Key.Temperature!.Value.ToString(CultureInfo.InvariantCulture), best.Key.Alpha.ToString(CultureInfo.InvariantCulture)],
            rows[0][1..4]);
        Assert.Equal((best.Average(r => r.ValAcc!.Value) * 100).ToString("0.00", CultureInfo.InvariantCulture), rows[0][5]);
    }

    [Fact]
    public async Task Ties_go_to_fewer_parameters_then_lower_alpha_then_lower_T()
    {
        var header = ReportFixture.Header(6);
        TrialResult R(string id, int w, double? t, double a, double acc) =>
            new(id, w, t, a, 1, acc, 0.3, null, ReportFixture.ParamsOf(w), ReportFixture.TeacherParams, 1, "n", ReportFixture.Created);
        using (var j = Journal.Create(JournalPath, header))
        {
            await j.AppendAsync(R("a", 64, 8, 0.9, 0.9));
            await j.AppendAsync(R("b", 64, 2, 0.9, 0.9));
            await j.AppendAsync(R("c", 64, 8, 0.5, 0.9));
            await j.AppendAsync(R("d", 16, 8, 0.9, 0.9));
            await j.AppendAsync(R("e", 64, null, 0, 0.95));
            await j.AppendAsync(R("f", 16, null, 0, 0.85));
        }
        var (code, output, _) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir);
        Assert.Equal(0, code);
        var order = TableRows(output).Select(r => string.Join(' ', r[1..4])).ToList();
        Assert.Equal(["64 - 0", "16 8 0.9", "64 8 0.5", "64 2 0.9", "64 8 0.9", "16 - 0"], order);
        Assert.Contains("teacher: not trained yet", output);
        // These results have no validation accuracy: ranked on test, and the output says so.
        Assert.Contains("selected on test (no validation rows): ranked by test acc", output);
        Assert.All(TableRows(output), r => Assert.Equal("-", r[5]));
    }

    [Fact]
    public async Task An_old_journal_is_ranked_on_test_and_says_so()
    {
        await ReportFixture.WriteAsync(_dir, withOptionalFields: false);
        var (code, output, err) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir, "--top", "0");
        Assert.True(code == 0, err);
        Assert.Contains("selected on test (no validation rows)", output);
        var old = ReportFixture.WithoutValidation(ReportFixture.Results());
        var best = old.GroupBy(r => (r.Width, r.Temperature, r.Alpha)).MaxBy(g => g.Average(r => r.TestAccuracy))!;
        Assert.Equal([best.Key.Width.ToString(), best.Key.Temperature!.Value.ToString(CultureInfo.InvariantCulture), best.Key.Alpha.ToString(CultureInfo.InvariantCulture)],
            TableRows(output)[0][1..4]);
    }

    [Fact]
    public async Task Top_n_shows_the_first_n_rows_and_says_how_many_more()
    {
        await ReportFixture.WriteAsync(_dir);
        var (code, output, _) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir, "--top", "3");
        Assert.Equal(0, code);
        Assert.Equal(["1", "2", "3"], TableRows(output).Select(r => r[0]));
        Assert.Contains("33 more (--top 36 shows them all)", output);

        // The default is 20 rows; the journal file itself names the sweep too.
        (code, output, _) = await Akkakd.Run(_dir, Limit, "leaderboard", JournalPath);
        Assert.Equal(0, code);
        Assert.Equal(20, TableRows(output).Count);
        Assert.Contains("16 more", output);
    }

    [Theory]
    [InlineData("leaderboard")]
    [InlineData("report")]
    public async Task A_folder_without_a_journal_is_exit_code_2_naming_the_path(string command)
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, command, _dir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, JournalPath, "no journal");

        (code, _, err) = await Akkakd.Run(_dir, Limit, command, Path.Combine(_dir, "nope"));
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, Path.Combine(_dir, "nope"), "no such folder");

        (code, _, err) = await Akkakd.Run(_dir, Limit, command);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "argument missing", $"akkakd {command} --help");
    }

    [Theory]
    [InlineData("leaderboard")]
    [InlineData("report")]
    public async Task A_journal_that_cannot_be_read_is_exit_code_2_in_one_line(string command)
    {
        await File.WriteAllTextAsync(JournalPath, "{\"type\":\"header\",\"sweep_hash\":\"a\",\"sweep_name\":\"n\",\"data_fingerprint\":\"f\",\"trials\":1,\"created\":\"2025-01-01T00:00:00Z\"}\nnot json\n{}\n");
        var (code, _, err) = await Akkakd.Run(_dir, Limit, command, _dir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, JournalPath, "line 2: not JSON", "--set-aside-bad-lines");

        await File.WriteAllTextAsync(JournalPath, "");
        (code, _, err) = await Akkakd.Run(_dir, Limit, command, _dir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, JournalPath, "empty");

        await File.WriteAllTextAsync(JournalPath, "{\"type\":\"trial\",\"id\":\"x\"}\n");
        (code, _, err) = await Akkakd.Run(_dir, Limit, command, _dir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, JournalPath);
        Assert.False(File.Exists(Path.Combine(_dir, "report.html")));
    }

    [Fact]
    public async Task Top_must_be_a_number()
    {
        await ReportFixture.WriteAsync(_dir, take: 3);
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir, "--top", "many");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "--top");
    }

    private static async Task WaitFor(Func<bool> condition, string what, Akkakd p, double seconds = 30)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed.TotalSeconds > seconds) Assert.Fail($"waited {seconds} s for {what}; output:\n{p.Out}\n{p.Err}");
            if (p.HasExited && !condition()) Assert.Fail($"akkakd exited before {what}; output:\n{p.Out}\n{p.Err}");
            await Task.Delay(50);
        }
    }

    private static int Drawings(Akkakd p) => p.Out.Split('\n').Count(l => l.StartsWith("akkakd sweep fixture:", StringComparison.Ordinal));

    [Fact]
    public async Task Watch_prints_the_table_again_as_the_journal_grows_and_stops_when_the_sweep_is_complete()
    {
        var all = ReportFixture.Results();
        using (var j = Journal.Create(JournalPath, ReportFixture.Header(ReportFixture.TrialCount)))
            foreach (var r in all.Take(10)) await j.AppendAsync(r);

        using var p = Akkakd.Start(_dir, "leaderboard", _dir, "--watch");
        await WaitFor(() => p.Out.Contains("10/108 trials in the journal, running or stopped"), "the first drawing", p);
        Assert.Equal(1, Drawings(p));

        // A result being written: a torn last line changes nothing (and is no error).
        var torn = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(all[10], Journal.Json) + "\n");
        await using (var f = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            await f.WriteAsync(torn.AsMemory(0, 40));
        await Task.Delay(1500);
        Assert.Equal(1, Drawings(p));
        Assert.False(p.HasExited);
        Assert.Equal("", p.Err);
        await using (var f = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            await f.WriteAsync(torn.AsMemory(40));
        await WaitFor(() => p.Out.Contains("11/108 trials"), "the completed line", p);

        // A sweep appending as it runs (the journal's own writer, as the coordinator uses it).
        using (var j = Journal.Append(JournalPath, Journal.Read(JournalPath)))
        {
            await j.AppendAsync(ReportFixture.Teacher());
            await WaitFor(() => p.Out.Contains("teacher: test acc 97.45%"), "the teacher", p);
            foreach (var r in all.Skip(11).Take(50)) await j.AppendAsync(r);
            await WaitFor(() => p.Out.Contains("61/108 trials"), "61 trials", p);
            Assert.False(p.HasExited);
            foreach (var r in all.Skip(61)) await j.AppendAsync(r);
        }
        Assert.Equal(0, await p.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("108/108 trials in the journal (sweep", p.Out);
        // Piped: each drawing is printed once, after a blank line; never cursor movements.
        Assert.DoesNotContain("\x1b[", p.Out);
        // At least once per growth; how often more depends on how the appends fall across its polls (a loaded machine
        // splits them more), but never once per line.
        Assert.InRange(Drawings(p), 4, 30);
        Assert.Equal("", p.Err);
    }

    [Fact]
    public async Task Watch_stops_on_ctrl_c_with_exit_code_0()
    {
        await ReportFixture.WriteAsync(_dir, take: 5);
        using var p = Akkakd.Start(_dir, "leaderboard", _dir, "--watch");
        await WaitFor(() => p.Out.Contains("5/108 trials"), "the first drawing", p);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        Assert.Equal(0, await p.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, Drawings(p));
    }

    [Fact]
    public async Task Watch_on_a_finished_sweep_prints_once_and_exits()
    {
        await ReportFixture.WriteAsync(_dir);
        var (code, output, _) = await Akkakd.Run(_dir, Limit, "leaderboard", _dir, "--watch", "--top", "5");
        Assert.Equal(0, code);
        Assert.Equal(5, TableRows(output).Count);
    }
}
