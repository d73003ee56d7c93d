using System.Text;
using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>leaderboard.csv (every configuration, for machines) and leaderboard.md (the top rows, for people).</summary>
public static class LeaderboardFiles
{
    public const string CsvName = "leaderboard.csv", MarkdownName = "leaderboard.md";

    /// <summary>leaderboard.csv: every configuration, machine-readable (accuracies as fractions, not percent).</summary>
    public static string ToCsv(IReadOnlyList<LeaderboardRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("rank,width,temperature,alpha,seeds,test_acc_mean,test_acc_sd,test_acc_ci95,gain_over_baseline,gap_to_teacher,params,compression,train_seconds,nodes");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join(',',
                r.Rank, r.Width, r.Temperature is { } t ? Formats.Exact(t) : "", Formats.Exact(r.Alpha), r.Seeds, Formats.Exact(r.MeanAcc),
                Opt(r.StdDev), Opt(r.Ci95), Opt(r.Gain), Opt(r.GapToTeacher), r.Params, Opt(r.Compression),
                Formats.Exact(r.TrainSeconds), Quote(r.Nodes)));
        }
        return sb.ToString();
    }

    /// <summary>leaderboard.md: the top rows as a Markdown table (accuracies in percent).</summary>
    public static string ToMarkdown(IReadOnlyList<LeaderboardRow> rows, int top, string title, string? teacherLine)
    {
        var columns = LeaderboardTable.Columns;
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}");
        sb.AppendLine();
        if (teacherLine != null) sb.AppendLine(teacherLine).AppendLine();
        sb.AppendLine("| " + string.Join(" | ", columns) + " |");
        sb.AppendLine("|" + string.Concat(columns.Select(_ => " --- |")));
        foreach (var r in rows.Take(top)) sb.AppendLine("| " + string.Join(" | ", LeaderboardTable.Cells(r)) + " |");
        if (rows.Count > top) sb.AppendLine().AppendLine($"{rows.Count - top} more in {CsvName}.");
        sb.AppendLine();
        sb.AppendLine("acc: test accuracy (%), mean over seeds; ci95: half-width of the 95% interval (Student's t) when there are several seeds; " +
                      "gain: points over the same-width baseline (alpha 0), paired by seed; gap_teacher: points to the teacher; " +
                      "compression: teacher parameters / student parameters; train_s: seconds of training per trial.");
        return sb.ToString();
    }

    /// <summary>
    /// Writes leaderboard.csv (every row) and leaderboard.md (the top rows) into <paramref name="outDir"/>, each whole or
    /// not at all; returns their paths.
    /// </summary>
    /// <exception cref="ReportWriteException">a file could not be written (one line: the cause and the file)</exception>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<TrialResult> results, TeacherRecord? teacher, int top, string title)
    {
        AtomicFile.CreateFolder(outDir);
        var rows = Leaderboard.Rank(results, teacher);
        var csv = Path.Combine(outDir, CsvName);
        var md = Path.Combine(outDir, MarkdownName);
        AtomicFile.WriteAllText(csv, ToCsv(rows));
        AtomicFile.WriteAllText(md, ToMarkdown(rows, top, title, LeaderboardTable.TeacherLine(teacher)));
        return [csv, md];
    }

    private static string Opt(double? v) => v is { } x ? Formats.Exact(x) : "";
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
