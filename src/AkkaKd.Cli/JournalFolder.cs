using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>The DIR of <c>akkakd leaderboard DIR</c> and <c>akkakd report DIR</c>: a sweep's output folder (or its journal).</summary>
public sealed record JournalFolder(string Dir, string JournalPath)
{
    /// <summary>
    /// The folder and its results.jsonl; the journal file itself is taken too. No such folder, or no journal in it, is a
    /// usage error (exit code 2) naming the path.
    /// </summary>
    public static JournalFolder Resolve(string arg)
    {
        if (File.Exists(arg) && Path.GetFileName(arg) == Journal.FileName)
            return new JournalFolder(Path.GetDirectoryName(Path.GetFullPath(arg))!, arg);
        if (!Directory.Exists(arg)) throw new UsageException($"{arg}: no such folder (the output folder of akkakd sweep)");
        var path = Path.Combine(arg, Journal.FileName);
        if (!File.Exists(path)) throw new UsageException($"{path}: no journal (is {arg} the output folder of akkakd sweep?)");
        return new JournalFolder(arg, path);
    }

    /// <summary>
    /// Reads the journal; one that cannot be read (or has no header) is a usage error naming it. With
    /// <paramref name="setAside"/> (the --set-aside-bad-lines option) bad lines are moved to results.jsonl.bad instead.
    /// </summary>
    public JournalContents Read(bool setAside = false)
    {
        JournalContents c;
        try
        {
            c = Journal.Read(JournalPath, setAside);
        }
        catch (JournalException e)
        {
            throw new UsageException(e.Message);
        }
        catch (IOException e)
        {
            throw new UsageException($"{JournalPath}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UsageException($"{JournalPath}: {e.Message}");
        }
        if (c.Header is null)
            throw new UsageException(c.TornTail is null
                ? $"{JournalPath}: empty, not a sweep journal yet"
                : $"{JournalPath}: no complete header line; not an akkakd journal");
        return c;
    }
}
