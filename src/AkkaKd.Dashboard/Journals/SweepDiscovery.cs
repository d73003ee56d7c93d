using AkkaKd.Sweep;

namespace AkkaKd.Dashboard.Journals;

/// <summary>A journal found under one of the given folders: its full path and its folder relative to that root.</summary>
public sealed record FoundJournal(string JournalPath, string Display);

/// <summary>
/// Finds every results.jsonl under the given folders: each folder may be a sweep's output folder, a parent of many, or a
/// journal itself. The walk is bounded (depth and folder count), skips hidden folders and never follows a link out.
/// </summary>
public static class SweepDiscovery
{
    public const int MaxDepth = 6;
    public const int MaxFolders = 20_000;

    public static IReadOnlyList<FoundJournal> Find(IReadOnlyList<string> roots)
    {
        var found = new List<FoundJournal>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int visited = 0;
        foreach (var root in roots)
        {
            var full = Path.GetFullPath(root);
            if (File.Exists(full))
            {
                if (Path.GetFileName(full) == Journal.FileName && seen.Add(full))
                    found.Add(new FoundJournal(full, Path.GetFileName(Path.GetDirectoryName(full)) ?? full));
                continue;
            }
            if (!Directory.Exists(full)) continue;
            var queue = new Queue<(string Dir, int Depth)>();
            queue.Enqueue((full, 0));
            while (queue.Count > 0 && visited < MaxFolders)
            {
                var (dir, depth) = queue.Dequeue();
                visited++;
                var journal = Path.Combine(dir, Journal.FileName);
                if (File.Exists(journal) && seen.Add(journal))
                {
                    var rel = Path.GetRelativePath(full, dir);
                    found.Add(new FoundJournal(journal, rel == "." ? Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)) : rel));
                }
                if (depth >= MaxDepth) continue;
                foreach (var sub in Subfolders(dir))
                    queue.Enqueue((sub, depth + 1));
            }
        }
        return found;
    }

    private static IEnumerable<string> Subfolders(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateDirectories()
                .Where(d => !d.Name.StartsWith('.') && (d.Attributes & FileAttributes.ReparsePoint) == 0)
                .Select(d => d.FullName)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
