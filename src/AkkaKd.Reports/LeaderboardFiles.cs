using System.Text;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>leaderboard.csv (every configuration, for machines) and leaderboard.md (the top rows, for people).</summary>
public static class LeaderboardFiles
{
    public const string CsvName = "leaderboard.csv", MarkdownName = "leaderboard.md";

    /// <summary>
    /// leaderboard.csv: every configuration, machine-readable (accuracies as fractions, not percent). <c>selected_on</c> is
    /// "validation", or "test" for a journal without validation rows (then the val_* columns are empty). A configuration
    /// with a diverged seed has <c>diverged_seeds</c> &gt; 0 and <c>diverged_epoch</c> (the earliest), and no accuracy or gain.
    /// </summary>
    public static string ToCsv(IReadOnlyList<LeaderboardRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("rank,width,temperature,alpha,seeds,selected_on,val_acc_mean,val_acc_sd,val_acc_ci95,test_acc_mean,test_acc_sd,test_acc_ci95," +
                      "val_gain,val_gain_ci95,test_gain,test_gain_ci95,gap_to_teacher,params,compression,train_seconds,diverged_seeds,diverged_epoch,nodes");
        foreach (var r in rows)
        {
            bool v = !r.SelectedOnTest;
            bool acc = !r.Diverged;
            sb.AppendLine(string.Join(',',
                r.Rank, r.Width, r.Temperature is { } t ? Formats.Exact(t) : "", Formats.Exact(r.Alpha), r.Seeds,
                v ? "validation" : "test",
                v && acc ? Formats.Exact(r.Acc) : "", v ? Opt(r.StdDev) : "", v ? Opt(r.Ci95) : "",
                acc ? Formats.Exact(r.TestAccuracy) : "", Opt(r.TestStdDev), Opt(r.TestCi95),
                v ? Opt(r.Gain) : "", v ? Opt(r.GainCi95) : "", Opt(r.TestGain), Opt(r.TestGainCi95),
                Opt(r.GapToTeacher), r.Params, Opt(r.Compression), Formats.Exact(r.TrainSeconds),
                r.DivergedSeeds, r.DivergedEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", Quote(r.Nodes)));
        }
        return sb.ToString();
    }

    /// <summary>leaderboard.md: the top rows as a Markdown table (accuracies in percent).</summary>
    public static string ToMarkdown(IReadOnlyList<LeaderboardRow> rows, int top, string title, string? teacherLine, string? note = null)
    {
        var columns = LeaderboardTable.Columns;
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}");
        sb.AppendLine();
        if (teacherLine != null) sb.AppendLine(teacherLine).AppendLine();
        sb.AppendLine(LeaderboardTable.Note(rows)).AppendLine();
        if (note != null) sb.AppendLine(note).AppendLine();
        sb.AppendLine("| " + string.Join(" | ", columns) + " |");
        sb.AppendLine("|" + string.Concat(columns.Select(_ => " --- |")));
        foreach (var r in rows.Take(top)) sb.AppendLine("| " + string.Join(" | ", LeaderboardTable.Cells(r)) + " |");
        if (rows.Count > top) sb.AppendLine().AppendLine($"{rows.Count - top} more in {CsvName}.");
        sb.AppendLine();
        sb.AppendLine("val acc: validation accuracy (%), mean over seeds: the ranking's; test acc: test accuracy (%), measured once per trial, never used to choose; " +
                      "ci95: half-width of the 95% interval (Student's t) when there are several seeds; " +
                      "val gain, test gain: points over the same-width baseline (alpha 0), paired by seed, ± their 95% interval; " +
                      "gap_teacher: test points to the teacher; compression: teacher parameters / student parameters; train_s: seconds of training per trial; " +
                      "diverged at epoch N: a seed's loss became NaN or infinite there (no accuracy; ranked last).");
        return sb.ToString();
    }

    /// <summary>
    /// Writes leaderboard.csv (every row) and leaderboard.md (the top rows) into <paramref name="outDir"/>, each whole or
    /// not at all; returns their paths. <paramref name="note"/>: a line for leaderboard.md (results left out, say).
    /// </summary>
    /// <exception cref="ReportWriteException">a file could not be written (one line: the cause and the file)</exception>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<TrialResult> results, TeacherRecord? teacher, int top, string title,
        string? note = null)
    {
        AtomicFile.CreateFolder(outDir);
        var rows = Leaderboard.Rank(results, teacher);
        var csv = Path.Combine(outDir, CsvName);
        var md = Path.Combine(outDir, MarkdownName);
        AtomicFile.WriteAllText(csv, ToCsv(rows));
        AtomicFile.WriteAllText(md, ToMarkdown(rows, top, title, LeaderboardTable.TeacherLine(teacher), note));
        return [csv, md];
    }

    private static string Opt(double? v) => v is { } x ? Formats.Exact(x) : "";
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
