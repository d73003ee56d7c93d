namespace AkkaKd.Sweep;

/// <summary>
/// An I/O failure in a user's words: what went wrong ("no space left on device", "permission denied", "is a folder"),
/// never a .NET type name or a second line. On Unix .NET keeps the errno in <see cref="Exception.HResult"/> of the
/// <see cref="IOException"/> it throws; permission problems arrive as <see cref="UnauthorizedAccessException"/>.
/// </summary>
public static class IoError
{
    /// <summary>True for the exceptions that mean "the file system said no" (and not a bug).</summary>
    public static bool IsIo(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>The cause of an I/O failure in a few words.</summary>
    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such folder",
        PathTooLongException => "the path is too long",
        IOException io => Errno(io.HResult) ?? FirstLine(io.Message),
        _ => FirstLine(e.Message),
    };

    /// <summary>"PATH: cause", one line.</summary>
    public static string Line(string path, Exception e) => $"{path}: {Describe(e)}";

    private static string? Errno(int errno) => errno switch
    {
        1 or 13 => "permission denied",
        2 => "no such file or folder",
        5 => "input/output error",
        11 => "in use by another process",
        17 => "already exists",
        20 => "a part of the path is a file, not a folder",
        21 => "is a folder, not a file",
        24 => "too many open files",
        27 => "file too large",
        28 => "no space left on device",
        30 => "read-only file system",
        36 => "the name is too long",
        39 => "the folder is not empty",
        122 => "disk quota exceeded",
        _ => null,
    };

    /// <summary>The message's first line, without the " : 'path'" .NET appends to some of them.</summary>
    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        int at = line.IndexOf(" : '", StringComparison.Ordinal);
        return (at > 0 ? line[..at] : line).TrimEnd('.');
    }
}
