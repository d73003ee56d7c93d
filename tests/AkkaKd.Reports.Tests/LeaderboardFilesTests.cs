using AkkaKd.Sweep;

namespace AkkaKd.Reports.Tests;

/// <summary>The leaderboard's cells, leaderboard.csv and leaderboard.md, and how they are written.</summary>
public sealed class LeaderboardFilesTests : IDisposable
{
    private const long TeacherParams = 2_000_000;
    private const double TeacherAccuracy = 0.98;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A student MLP 784-w-10's parameter count.</summary>
    private static long ParamsOf(int width) => 784L * width + width + (long)width * 10 + 10;

    private static int _next;

    private static TrialResult R(int width, double? t, double alpha, int seed, double acc,
        string node = "node-a", double seconds = 1.0, long? prms = null) =>
        new($"{Interlocked.Increment(ref _next):x12}", width, alpha == 0 ? null : t, alpha, seed, acc, 0.1, TeacherAccuracy,
            prms ?? ParamsOf(width), TeacherParams, seconds, node, DateTimeOffset.UnixEpoch);

    private static LeaderboardRow Row(IReadOnlyList<LeaderboardRow> rows, int width, double? t, double alpha) =>
        Assert.Single(rows, r => r.Width == width && r.Temperature == t && r.Alpha == alpha);

    private static string Cell(LeaderboardRow r, string column) =>
        LeaderboardTable.Cells(r)[Array.IndexOf(LeaderboardTable.Columns, column)];

    private static List<TrialResult> FiveResults() =>
    [
        R(16, null, 0, 1, 0.80), R(16, 4, 0.5, 1, 0.84), R(32, null, 0, 1, 0.86), R(32, 4, 0.5, 1, 0.88),
        R(64, 4, 0.5, 1, 0.91), R(64, 4, 0.5, 2, 0.93, node: "node-b"),
    ];

    private static IReadOnlyList<LeaderboardRow> FiveRows() => Leaderboard.Rank(FiveResults());

    [Fact]
    public void A_single_seed_shows_no_interval()
    {
        var r = Assert.Single(Leaderboard.Rank([R(32, 4, 0.5, 1, 0.90)]));
        Assert.Equal("", Cell(r, "test ci95"));
        Assert.Equal("", Cell(r, "val ci95"));
    }

    [Fact]
    public void Compression_shows_as_a_factor()
    {
        var r = Assert.Single(Leaderboard.Rank([R(32, 4, 0.5, 1, 0.91, prms: 25_000), R(32, 4, 0.5, 2, 0.93, prms: 25_000)]));
        Assert.Equal("80.0x", Cell(r, "compression"));
        Assert.Equal("25,000", Cell(r, "params"));
    }

    [Fact]
    public void Csv_has_a_header_and_one_line_per_row()
    {
        var rows = FiveRows();
        var csv = LeaderboardFiles.ToCsv(rows);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(rows.Count + 1, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("rank", header[0]);
        Assert.Contains("test_acc_mean", header);
        Assert.Contains("val_acc_mean", header);
        Assert.Contains("test_gain", header);
        int acc = Array.IndexOf(header, "test_acc_mean");
        int nodes = Array.IndexOf(header, "nodes");
        for (int i = 0; i < rows.Count; i++)
        {
            var line = lines[i + 1];
            if (line.Contains('"')) continue; // a quoted node list: checked below
            var cells = line.Split(',');
            Assert.Equal(header.Length, cells.Length);
            Assert.Equal(rows[i].Rank.ToString(), cells[0]);
            Assert.Equal(rows[i].TestAccuracy, double.Parse(cells[acc], System.Globalization.CultureInfo.InvariantCulture), 12);
            Assert.Equal("test", cells[Array.IndexOf(header, "selected_on")]); // these results have no validation accuracy
            Assert.Equal("", cells[Array.IndexOf(header, "val_acc_mean")]);
            Assert.Equal(rows[i].Nodes, cells[nodes]);
        }
        // rank 1 is width 64 over two nodes: the node list is quoted.
        Assert.StartsWith("1,64,4,0.5,2,test,", lines[1]);
        Assert.EndsWith(",\"node-a,node-b\"", lines[1]);
    }

    [Fact]
    public void Markdown_shows_the_top_rows_and_says_how_many_more()
    {
        var rows = FiveRows();
        Assert.Equal(5, rows.Count);
        var md = LeaderboardFiles.ToMarkdown(rows, 3, "laptop", "teacher: 98.00%");
        var tableLines = md.Split('\n').Where(l => l.StartsWith('|')).ToArray();
        Assert.Equal(2 + 3, tableLines.Length); // header, separator, 3 rows
        Assert.StartsWith("| rank | width |", tableLines[0]);
        Assert.StartsWith("| 1 | 64 | 4 | 0.5 | 2 | - |  | 92.00 | ±", tableLines[2]);
        Assert.Contains("selected on test (no validation rows)", md);
        Assert.DoesNotContain(md.Split('\n'), l => l.StartsWith("| 4 |"));
        Assert.Contains("2 more", md);
        Assert.Contains("# laptop", md);
        Assert.Contains("teacher: 98.00%", md);
    }

    [Fact]
    public void Markdown_with_room_for_all_rows_mentions_no_more()
    {
        var rows = FiveRows();
        var md = LeaderboardFiles.ToMarkdown(rows, 20, "laptop", null);
        Assert.Equal(2 + rows.Count, md.Split('\n').Count(l => l.StartsWith('|')));
        Assert.DoesNotContain("more in", md);
    }

    [Fact]
    public void Markdown_cells_mark_the_baseline_and_the_signed_gain()
    {
        var rows = FiveRows();
        Assert.Equal("+2.00", Cell(Row(rows, 32, 4, 0.5), "test gain")); // one seed: no interval
        Assert.Equal("-", Cell(Row(rows, 32, 4, 0.5), "val gain")); // no validation accuracies
        Assert.Equal("-10.00", Cell(Row(rows, 32, 4, 0.5), "gap_teacher"));
        Assert.Equal("baseline", Cell(Row(rows, 32, null, 0), "test gain"));
        Assert.EndsWith("1 seed: no interval", LeaderboardTable.Note(rows));
        Assert.Equal("-", Cell(Row(rows, 32, null, 0), "T"));
    }

    [Fact]
    public void The_table_lines_align_every_column_under_its_header()
    {
        var lines = LeaderboardTable.Lines(FiveRows());
        Assert.Equal(1 + 5, lines.Count);
        Assert.StartsWith("rank  width  T  alpha  seeds  val acc  val ci95  test acc", lines[0]);
        // Right-aligned numbers end in the same column as their header: test acc (percent) under "test acc".
        int accEnd = lines[0].IndexOf("test acc", StringComparison.Ordinal) + 8;
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\d\d\.\d\d$", l[(accEnd - 5)..accEnd]));
    }

    private static TrialResult V(int width, double? t, double alpha, int seed, double val, double test) =>
        R(width, t, alpha, seed, test) with { ValAcc = val };

    [Fact]
    public void With_validation_the_cells_say_which_accuracy_is_which_and_gains_carry_their_interval()
    {
        var rows = Leaderboard.Rank([
            V(32, null, 0, 1, 0.80, 0.81), V(32, null, 0, 2, 0.82, 0.80), V(32, null, 0, 3, 0.81, 0.82),
            V(32, 4, 0.9, 1, 0.85, 0.83), V(32, 4, 0.9, 2, 0.86, 0.82), V(32, 4, 0.9, 3, 0.86, 0.85),
        ]);
        var d = Row(rows, 32, 4, 0.9);
        Assert.Equal("85.67", Cell(d, "val acc"));
        Assert.Equal("83.33", Cell(d, "test acc"));
        Assert.Equal(Formats.Points(d.Gain!.Value) + " " + Formats.Interval(d.GainCi95!.Value), Cell(d, "val gain"));
        Assert.Equal(Formats.Points(d.TestGain!.Value) + " " + Formats.Interval(d.TestGainCi95!.Value), Cell(d, "test gain"));
        Assert.StartsWith("ranked by val acc", LeaderboardTable.Note(rows));
        Assert.DoesNotContain("1 seed", LeaderboardTable.Note(rows));
        var csv = LeaderboardFiles.ToCsv(rows).Split('\n');
        var header = csv[0].TrimEnd('\r').Split(',');
        var first = csv[1].Split(',');
        Assert.Equal("validation", first[Array.IndexOf(header, "selected_on")]);
        Assert.Equal(d.Acc, double.Parse(first[Array.IndexOf(header, "val_acc_mean")], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(d.TestGainCi95!.Value, double.Parse(first[Array.IndexOf(header, "test_gain_ci95")], System.Globalization.CultureInfo.InvariantCulture), 12);
        var md = LeaderboardFiles.ToMarkdown(rows, 20, "t", null);
        Assert.DoesNotContain("selected on test", md);
        Assert.Contains("val acc: validation accuracy", md);
    }

    [Fact]
    public void Write_puts_both_files_in_place_and_leaves_no_temporary_file()
    {
        var files = LeaderboardFiles.Write(_dir.Path, FiveResults(), null, 3, "laptop");
        Assert.Equal([_dir.File("leaderboard.csv"), _dir.File("leaderboard.md")], files);
        Assert.Equal(LeaderboardFiles.ToCsv(FiveRows()), File.ReadAllText(files[0]));
        Assert.StartsWith("# laptop", File.ReadAllText(files[1]));
        Assert.Equal(["leaderboard.csv", "leaderboard.md"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_folder_whose_parent_is_a_file_is_one_line_naming_the_folder_and_the_cause()
    {
        var file = _dir.Write("not-a-folder", "x");
        var e = Assert.Throws<ReportWriteException>(() =>
            LeaderboardFiles.Write(Path.Combine(file, "out"), FiveResults(), null, 3, "laptop"));
        Assert.Equal($"not a directory: {Path.Combine(file, "out")}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_file_that_cannot_be_written_is_named_and_the_old_file_is_kept()
    {
        // leaderboard.md is a folder here: the rename into place fails ("is a directory"), after leaderboard.csv is written.
        Directory.CreateDirectory(_dir.File("leaderboard.md"));
        var e = Assert.Throws<ReportWriteException>(() => LeaderboardFiles.Write(_dir.Path, FiveResults(), null, 3, "laptop"));
        Assert.Equal($"is a directory: {_dir.File("leaderboard.md")}", e.Message);
        Assert.Equal(_dir.File("leaderboard.md"), e.FilePath);
        Assert.True(Directory.Exists(_dir.File("leaderboard.md")));
        Assert.True(File.Exists(_dir.File("leaderboard.csv")));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }
}
