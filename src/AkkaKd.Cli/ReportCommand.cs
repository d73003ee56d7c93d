using AkkaKd.Reports;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary><c>akkakd report DIR</c>: writes DIR/report.html from the journal alone (plots embedded; nothing fetched).</summary>
public static class ReportCommand
{
    public const string Usage = "akkakd report DIR";

    public static int Run(string[] argv)
    {
        var a = Args.Parse(argv, new HashSet<string>(), new HashSet<string>());
        var folder = JournalFolder.Resolve(a.Positional, Usage);
        folder.Read(); // a journal that cannot be used: one line, exit 2, before any drawing
        string? path;
        try
        {
            path = HtmlReport.Write(folder.Dir);
        }
        catch (JournalException e)
        {
            throw new UsageException(e.Message);
        }
        catch (ReportWriteException e)
        {
            throw new UsageException(e.Message);
        }
        if (path is null) throw new UsageException($"{folder.JournalPath}: no journal");
        Console.WriteLine($"wrote {path}");
        return ExitCodes.Done;
    }
}
