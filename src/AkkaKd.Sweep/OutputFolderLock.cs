using System.Text.Json;

namespace AkkaKd.Sweep;

/// <summary>
/// One owner per output folder: <c>DIR/.akkakd.lock</c>, held for a sweep's life. The file stays (deleting a lock
/// file invites two owners); what makes it held is an exclusive lock on a byte range of it (fcntl on Unix, LockFile on
/// Windows), which the operating system drops when the process ends, however it ends: a stale lock of a dead process
/// is simply taken over. The file's text names the holder (process id, host, start time, command) so that a second
/// sweep can say who has the folder; it is emptied when the holder lets go.
/// POSIX record locks belong to the process and are lost when the process closes any descriptor of the file, so this
/// process never opens a lock file it holds: a second acquire in the same process is refused from memory.
/// </summary>
public sealed class OutputFolderLock : IDisposable
{
    public const string FileName = ".akkakd.lock";

    /// <summary>The byte locked: past any holder text, so readers on every system can read the text.</summary>
    private const long LockOffset = 1 << 20;

    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);

    private readonly FileStream _file;
    private int _disposed;

    private OutputFolderLock(FileStream file, string path, string? previous)
    {
        _file = file;
        Path = path;
        PreviousHolder = previous;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The holder text a process left behind when it died holding the folder (null when it let go cleanly).</summary>
    public string? PreviousHolder { get; }

    /// <summary>True when this process holds the lock of <paramref name="outDir"/>.</summary>
    public static bool IsHeldHere(string outDir)
    {
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(outDir, FileName));
        lock (HeldHere) return HeldHere.Contains(path);
    }

    /// <summary>Takes the folder <paramref name="outDir"/> (made if missing) for this process, or throws a one-line PlanException.</summary>
    public static OutputFolderLock Acquire(string outDir, string command = "akkakd sweep")
    {
        OutputFolder.Ensure(outDir);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(outDir, FileName));
        lock (HeldHere)
        {
            if (HeldHere.Contains(path))
                throw new PlanException($"{outDir} is in use by another sweep of this process ({Environment.ProcessId}); choose another --out");
            FileStream file;
            try
            {
                // Unbuffered: a write that fails (a full disk) fails at once, and closing has nothing left to flush.
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            }
            catch (Exception e) when (IoError.IsIo(e))
            {
                throw new PlanException($"{outDir}: cannot use this output folder: {IoError.Describe(e)}");
            }
            try
            {
                if (!TryLock(file, out var error))
                {
                    file.Dispose();
                    throw new PlanException(error is null
                        ? $"{outDir} is in use by {Holder(path)}; wait for it to end or choose another --out"
                        : $"{outDir}: cannot lock the output folder ({FileName}): {IoError.Describe(error)}");
                }
                var previous = ReadText(file);
                file.SetLength(0);
                var text = JsonSerializer.SerializeToUtf8Bytes(new HolderInfo(Environment.ProcessId, Environment.MachineName,
                    DateTimeOffset.UtcNow, command));
                file.Write([.. text, (byte)'\n']);
                file.Flush(true);
                HeldHere.Add(path);
                return new OutputFolderLock(file, path, string.IsNullOrWhiteSpace(previous) ? null : Describe(previous));
            }
            catch (Exception e) when (IoError.IsIo(e))
            {
                file.Dispose();
                throw new PlanException($"{outDir}: cannot use this output folder: {IoError.Describe(e)}");
            }
        }
    }

    /// <summary>Lets go: the holder text is emptied, then the lock and the file are closed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        lock (HeldHere)
        {
            try
            {
                _file.SetLength(0);
                _file.Flush(true);
            }
            catch (Exception e) when (IoError.IsIo(e))
            {
                // the text is informative only; the lock goes with the file
            }
            _file.Dispose();
            HeldHere.Remove(Path);
        }
    }

    private static bool TryLock(FileStream file, out Exception? error)
    {
        error = null;
        if (OperatingSystem.IsMacOS()) return true; // .NET has no byte-range locks there: one owner is not enforced
        try
        {
            file.Lock(LockOffset, 1);
            return true;
        }
        catch (IOException e) when (e.HResult is 11 or 13 or 32 or 33) // EAGAIN, EACCES; Windows sharing/lock violation
        {
            return false;
        }
        catch (IOException e)
        {
            error = e;
            return false;
        }
    }

    private static string ReadText(FileStream file)
    {
        file.Seek(0, SeekOrigin.Begin);
        var buffer = new byte[4096];
        int n = file.Read(buffer, 0, buffer.Length);
        file.Seek(0, SeekOrigin.Begin);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Who holds the lock file at <paramref name="path"/>, in words (read from another descriptor: we do not hold it).</summary>
    private static string Holder(string path)
    {
        // The holder writes its name just after it takes the lock: a sweep started at the same moment waits for it a little.
        string text = "";
        for (int attempt = 0; attempt < 40 && string.IsNullOrWhiteSpace(text); attempt++)
        {
            if (attempt > 0) Thread.Sleep(50);
            try
            {
                using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                text = ReadText(s);
            }
            catch (Exception e) when (IoError.IsIo(e))
            {
                text = "";
            }
        }
        return string.IsNullOrWhiteSpace(text) ? "another process (it has not written its name yet)" : Describe(text);
    }

    private static string Describe(string text)
    {
        try
        {
            var h = JsonSerializer.Deserialize<HolderInfo>(text.Trim());
            if (h is not null && h.Pid > 0)
                return $"process {h.Pid} on {h.Host} ({h.Command}, started {h.Started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)";
        }
        catch (JsonException)
        {
            // not ours: say so below
        }
        return "another process (its lock file names no process)";
    }

    private sealed record HolderInfo(
        [property: System.Text.Json.Serialization.JsonPropertyName("pid")] int Pid,
        [property: System.Text.Json.Serialization.JsonPropertyName("host")] string Host,
        [property: System.Text.Json.Serialization.JsonPropertyName("started")] DateTimeOffset Started,
        [property: System.Text.Json.Serialization.JsonPropertyName("command")] string Command);
}

/// <summary>Checks that an output folder can be used, with one-line errors (PlanException, exit code 2).</summary>
public static class OutputFolder
{
    /// <summary>Makes the folder if it is missing; a file in its place, or one the system refuses, is a PlanException.</summary>
    public static void Ensure(string outDir)
    {
        if (File.Exists(outDir)) throw new PlanException($"{outDir}: is a file, not a folder (--out names the sweep's output folder)");
        for (var up = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(outDir)); up != null; up = System.IO.Path.GetDirectoryName(up))
            if (File.Exists(up)) throw new PlanException($"{outDir}: a part of the path is a file, not a folder ({up})");
        try
        {
            Directory.CreateDirectory(outDir);
        }
        catch (Exception e) when (IoError.IsIo(e))
        {
            throw new PlanException($"{outDir}: cannot make the output folder: {IoError.Describe(e)}");
        }
        var journal = System.IO.Path.Combine(outDir, Journal.FileName);
        if (Directory.Exists(journal))
            throw new PlanException($"{journal}: is a folder, not a journal; move it away or choose another --out");
    }
}
