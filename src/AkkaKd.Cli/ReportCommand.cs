using System.CommandLine;
using AkkaKd.Reports;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary><c>akkakd report DIR</c>: writes DIR/report.html from the journal alone (plots embedded; nothing fetched).</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "a sweep's output folder (or its results.jsonl); during a sweep, a report so far" };
        var setAside = Opt.SetAsideBadLines();
        var command = new Command("report", "Writes DIR/report.html from the journal alone: plots, statistics, the sweep (nothing fetched).") { dir, setAside };
        command.SetAction(r => Run(r.GetValue(dir)!, r.GetValue(setAside)));
        return command;
    }

    public static int Run(string dir, bool setAsideBadLines = false)
    {
        var folder = JournalFolder.Resolve(dir);
        folder.Read(setAsideBadLines); // a journal that cannot be used: one line, exit 2, before any drawing
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
