using System.Text;

namespace AkkaKd.Reports;

/// <summary>
/// Writes a file whole or not at all: the text goes to a temporary name in the same folder, is flushed to disk, and is
/// then renamed over the target. A reader never sees half a file, and a failed write leaves the old file as it was.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/>.</summary>
    /// <exception cref="ReportWriteException">the file could not be written; one line naming the cause and the file</exception>
    public static void WriteAllText(string path, string text)
    {
        var tmp = TempName(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(Utf8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new ReportWriteException(path, Cause(e, path), e);
        }
    }

    /// <summary>Creates <paramref name="dir"/> if it is missing.</summary>
    /// <exception cref="ReportWriteException">the folder cannot be made (one line: the cause and the folder)</exception>
    public static void CreateFolder(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportWriteException(dir, Cause(e, Path.Combine(dir, ".")), e);
        }
    }

    /// <summary>The temporary name: hidden, beside the target, unique to this write.</summary>
    internal static string TempName(string path)
    {
        var dir = Path.GetDirectoryName(path) ?? "";
        return Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid().ToString("N")[..12]}.tmp");
    }

    /// <summary>
    /// What went wrong, in a few lower-case words without the path: the system's own words for an I/O error ("no space
    /// left on device", "is a directory"), "permission denied", "not a directory" when part of the path is a file.
    /// </summary>
    public static string Cause(Exception e, string path)
    {
        switch (e)
        {
            case UnauthorizedAccessException:
                return "permission denied";
            case DirectoryNotFoundException or FileNotFoundException:
                return AFileOnTheWay(path) ? "not a directory" : "no such directory";
        }
        var message = e.Message.Split('\n')[0].Trim();
        // .NET on Unix: "<strerror> : '<path>'".
        int quote = message.IndexOf(" : '", StringComparison.Ordinal);
        if (quote > 0) message = message[..quote];
        message = message.TrimEnd('.');
        return message.Length == 0 ? e.GetType().Name : char.ToLowerInvariant(message[0]) + message[1..];
    }

    /// <summary>Some folder on the way to <paramref name="path"/> is a file.</summary>
    private static bool AFileOnTheWay(string path)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) return true;
            if (Directory.Exists(dir)) return false;
        }
        return false;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nothing was created, or the disk is beyond help: the target is untouched either way
        }
    }
}
