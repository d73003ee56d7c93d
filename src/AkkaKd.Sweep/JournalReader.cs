using System.Text;

namespace AkkaKd.Sweep;

/// <summary>
/// Reads results.jsonl, totally: whatever the file holds, the answer is its contents or a <see cref="JournalException"/>
/// whose message is one line naming the file, the line and what is wrong. A torn last line (no newline: a crash
/// mid-write) is reported, not thrown. A bad line elsewhere can be set aside on request: it is appended to
/// <c>results.jsonl.bad</c> and the journal rewritten without it (to a temporary file, then renamed), under the output
/// folder's lock, so never under a running sweep's feet.
/// </summary>
public static class JournalReader
{
    /// <summary>The command-line option that asks for bad lines to be set aside (leaderboard, report, sweep --resume).</summary>
    public const string SetAsideOption = "--set-aside-bad-lines";

    /// <summary>Where set-aside lines go, next to the journal.</summary>
    public const string BadSuffix = ".bad";

    private static readonly string Hint =
        $"run the command again with {SetAsideOption} to move bad lines to {Journal.FileName}{BadSuffix} and keep the rest";

    public static JournalContents Read(string path, bool setAside = false)
    {
        var scan = Scan(path, setAside);
        if (scan.Bad.Count == 0) return scan.Contents;

        // Set the bad lines aside under the folder's lock, from a fresh read (a sweep may have appended meanwhile).
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        OutputFolderLock? folderLock = null;
        try
        {
            if (!OutputFolderLock.IsHeldHere(dir)) folderLock = OutputFolderLock.Acquire(dir, "akkakd, setting bad journal lines aside");
        }
        catch (PlanException e)
        {
            throw new JournalException($"{path}: {scan.Bad.Count} bad lines not set aside: {e.Message}");
        }
        using (folderLock)
        {
            scan = Scan(path, setAside: true);
            if (scan.Bad.Count == 0) return scan.Contents;
            try
            {
                return Rewrite(path, scan);
            }
            catch (Exception e) when (IoError.IsIo(e))
            {
                throw new JournalException($"{path}: bad lines not set aside: {IoError.Describe(e)}");
            }
        }
    }

    private sealed record ScanResult(JournalContents Contents, byte[] Bytes, List<(int Start, int Length)> Kept,
        List<string> Bad, int TailStart);

    private static ScanResult Scan(string path, bool setAside)
    {
        byte[] bytes;
        try
        {
            if (Directory.Exists(path)) throw new JournalException($"{path}: is a folder, not a journal");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ScanResult(new JournalContents(null, [], [], 0, null, 0), [], [], [], 0);
        }
        catch (Exception e) when (IoError.IsIo(e))
        {
            throw new JournalException($"{path}: cannot read: {IoError.Describe(e)}");
        }

        JournalHeader? header = null;
        var results = new List<TrialResult>();
        var teachers = new List<TeacherRecord>();
        var rungs = new List<RungRecord>();
        var headers = new List<JournalHeader>();
        var resultHeader = new List<int>();
        var decisions = new List<DecisionRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<(int, int)>();
        var bad = new List<string>();
        int duplicates = 0, skipped = 0, lineNo = 0, pos = 0;
        string? torn = null;
        while (pos < bytes.Length)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', pos);
            int end = nl >= 0 ? nl : bytes.Length;
            var line = Encoding.UTF8.GetString(bytes, pos, end - pos).Trim();
            lineNo++;
            if (nl < 0)
            {
                torn = line; // no newline: the writer died mid-line; keep what came before, set this aside
                break;
            }
            int start = pos;
            pos = nl + 1;
            if (line.Length == 0) continue;
            JournalLines.Line parsed;
            try
            {
                parsed = JournalLines.Parse(line);
                CheckPlace(parsed, header);
            }
            catch (BadLineException e)
            {
                if (!setAside) throw new JournalException($"{path}: line {lineNo}: {e.Message}; {Hint}");
                bad.Add(line);
                continue;
            }
            if (header is null && parsed.Type != "header")
                throw new JournalException($"{path}: line {lineNo}: the first record is not a journal header; not an akkakd journal");
            kept.Add((start, pos - start));
            switch (parsed.Record)
            {
                // A later header: the sweep was extended (--resume --force) with another sweep file; the last is in force.
                case JournalHeader h:
                    header = h;
                    headers.Add(h);
                    break;
                case TrialResult r when seen.Add(r.Id):
                    results.Add(r);
                    resultHeader.Add(headers.Count - 1);
                    break;
                case TrialResult: duplicates++; break;
                case TeacherRecord t: teachers.Add(t); break;
                case RungRecord g: rungs.Add(g); break;
                case DecisionRecord d: decisions.Add(d); break;
                default: skipped++; break;
            }
        }
        int tailStart = torn is null ? bytes.Length : pos;
        var contents = new JournalContents(header, results, teachers, tailStart, torn, duplicates, bad.Count, skipped, rungs, decisions)
        {
            Headers = headers,
            ResultHeader = resultHeader,
        };
        return new ScanResult(contents, bytes, kept, bad, tailStart);
    }

    /// <summary>Problems of a line's place in the journal: a second header, a header without a hash, a trial without an id.</summary>
    private static void CheckPlace(JournalLines.Line line, JournalHeader? header)
    {
        switch (line.Record)
        {
            case JournalHeader h when h.SweepHash.Length == 0:
                throw new BadLineException("a journal header without \"sweep_hash\"");
            case TrialResult r when r.Id.Length == 0:
                throw new BadLineException("a trial without an \"id\"");
        }
    }

    /// <summary>Appends the bad lines to results.jsonl.bad, then replaces the journal by its good lines (and torn tail).</summary>
    private static JournalContents Rewrite(string path, ScanResult scan)
    {
        using (var bad = new FileStream(path + BadSuffix, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            foreach (var line in scan.Bad) bad.Write(Encoding.UTF8.GetBytes(line + "\n"));
            bad.Flush(true);
        }
        var tmp = path + ".tmp";
        long good = 0;
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var (start, length) in scan.Kept)
            {
                file.Write(scan.Bytes, start, length);
                good += length;
            }
            file.Write(scan.Bytes, scan.TailStart, scan.Bytes.Length - scan.TailStart);
            file.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
        return scan.Contents with { GoodLength = good };
    }
}
