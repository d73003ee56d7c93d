using AkkaKd.Sweep;

namespace AkkaKd.Reports;

/// <summary>How a sweep ended, as the closing line tells it (<see cref="Diverged"/>: finished trials whose training diverged).</summary>
public sealed record SweepTally(int Total, int Finished, int FinishedBefore, int Failed, int Requeued, int Duplicates, double Seconds,
    int Diverged = 0);

/// <summary>
/// The end of a sweep: its files (leaderboard.csv, leaderboard.md, report.html, each written whole or not at all) and
/// what the terminal shows last (the ranking when it was not drawn live, the T x alpha grids, the closing line).
/// </summary>
public static class EndOfSweep
{
    /// <summary>
    /// Writes leaderboard.csv and leaderboard.md from <paramref name="results"/> and report.html from the journal in
    /// <paramref name="outDir"/>; returns the paths written.
    /// </summary>
    /// <exception cref="ReportWriteException">a file could not be written or the report not made: one line naming the cause and the file</exception>
    public static IReadOnlyList<string> WriteFiles(string outDir, IReadOnlyList<TrialResult> results, TeacherRecord? teacher, int top, string title)
    {
        var files = LeaderboardFiles.Write(outDir, results, teacher, top, title).ToList();
        string? report;
        try
        {
            // report.html, from the journal alone (as `akkakd report DIR` makes it).
            report = HtmlReport.Write(outDir);
        }
        catch (Exception e) when (e is not ReportWriteException)
        {
            throw new ReportWriteException(Path.Combine(outDir, HtmlReport.FileName),
                $"cannot make the report ({e.Message.Split('\n')[0].TrimEnd()}; akkakd report {outDir} tries again)", e);
        }
        if (report != null) files.Add(report);
        return files;
    }

    /// <summary>
    /// What the terminal shows at the end. <paramref name="live"/>: the ranking was drawn live (so it is not printed again)
    /// and the grids may be in colour, <paramref name="width"/> columns wide. <paramref name="files"/>: what was written,
    /// null when the files were not written (the caller says why).
    /// </summary>
    public static void Print(TextWriter output, IReadOnlyList<TrialResult> results, TeacherRecord? teacher, int top, SweepTally s,
        IReadOnlyList<string>? files, bool live, int width)
    {
        var rows = Leaderboard.Rank(results, teacher);
        if (!live)
        {
            output.WriteLine();
            foreach (var line in LeaderboardTable.Lines(rows.Take(top).ToList())) output.WriteLine(line);
            if (rows.Count > 0) output.WriteLine(LeaderboardTable.Note(rows));
        }
        if (rows.Count > 0)
        {
            // The shape of the result: per width, a T x alpha grid (in colour on a terminal).
            output.WriteLine();
            TerminalGrid.Write(output, rows, colour: live, width: width);
        }
        output.WriteLine();
        output.WriteLine(TallyLine(s with { Diverged = results.Count(r => r.Diverged) }));
        if (files != null) output.WriteLine("wrote " + string.Join(", ", files));
        output.Flush();
    }

    /// <summary>"12/12 trials finished (4 this run, 8 from the journal; 2 diverged), 1 requeued in 1:02".</summary>
    public static string TallyLine(SweepTally s) =>
        $"{s.Finished}/{s.Total} trials finished ({s.Finished - s.FinishedBefore} this run, {s.FinishedBefore} from the journal" +
        $"{(s.Diverged > 0 ? $"; {s.Diverged} diverged" : "")})" +
        $"{(s.Failed > 0 ? $", {s.Failed} failed" : "")}" +
        $"{(s.Requeued > 0 ? $", {s.Requeued} requeued" : "")}{(s.Duplicates > 0 ? $", {s.Duplicates} duplicate results discarded" : "")}" +
        $" in {Formats.Clock(s.Seconds)}";
}
