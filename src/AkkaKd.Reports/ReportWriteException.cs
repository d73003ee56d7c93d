namespace AkkaKd.Reports;

/// <summary>
/// An end-of-sweep file (leaderboard.csv, leaderboard.md, report.html) could not be written. The message is one line
/// naming the cause and the file, e.g. "no space left on device: results/laptop/leaderboard.md".
/// </summary>
public sealed class ReportWriteException(string path, string cause, Exception? inner = null)
    : Exception($"{cause}: {path}", inner)
{
    public string FilePath { get; } = path;
    public string Cause { get; } = cause;
}
