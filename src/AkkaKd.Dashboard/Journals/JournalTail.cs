namespace AkkaKd.Dashboard.Journals;

/// <summary>
/// Follows one results.jsonl as it grows: each read hands over the complete lines written since the last one. A line
/// without its newline yet (being written, or torn by a crash) is left for the next read. A file that shrank below what
/// was read (replaced, or cut by hand) starts over from its first byte.
/// </summary>
public sealed class JournalTail(string path)
{
    private const int Chunk = 1 << 20;
    private byte[] _buffer = new byte[64 * 1024];
    private long _offset;

    public string Path { get; } = path;

    /// <summary>Bytes consumed: up to and including the last complete line.</summary>
    public long Offset => _offset;

    /// <summary>Bytes after the last complete line at the last read (a line being written, or a torn tail).</summary>
    public long Pending { get; private set; }

    /// <summary>The file's length at the last read; a cheap check against it tells whether to read again.</summary>
    public long SeenLength { get; private set; }

    /// <summary>
    /// Reads what was appended and calls <paramref name="line"/> for each complete line (without its newline).
    /// Returns false when the file shrank and reading started over: the caller must drop what it had.
    /// </summary>
    public bool Read(Action<ReadOnlySpan<byte>> line)
    {
        bool continued = true;
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        long length = file.Length;
        if (length < _offset || (_offset > 0 && !SameStart(file)))
        {
            // Cut, or replaced by another journal (its first bytes differ): start over.
            _offset = 0;
            _start = [];
            continued = false;
        }
        SeenLength = length;
        file.Seek(_offset, SeekOrigin.Begin);
        int filled = 0;
        while (true)
        {
            if (_buffer.Length - filled < Chunk / 16) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, filled + Chunk));
            int n = file.Read(_buffer, filled, Math.Min(Chunk, _buffer.Length - filled));
            if (n == 0) break;
            filled += n;
            int start = 0;
            var span = _buffer.AsSpan(0, filled);
            int nl;
            while ((nl = span[start..].IndexOf((byte)'\n')) >= 0)
            {
                var l = span.Slice(start, nl);
                if (!l.Trim((byte)' ').Trim((byte)'\r').IsEmpty) line(l);
                start += nl + 1;
            }
            _offset += start;
            // Keep the unfinished line at the buffer's start for the next chunk.
            span[start..].CopyTo(_buffer);
            filled -= start;
        }
        // A long first read grew the buffer; give the memory back (a few lines follow at a time from now on).
        if (_buffer.Length > 4 * Chunk) Array.Resize(ref _buffer, Math.Max(filled, 64 * 1024));
        Pending = filled;
        if (_offset > 0 && _start.Length == 0) RememberStart(file);
        return continued;
    }

    /// <summary>The file's first bytes (up to 256, within its first complete line), to recognise it on later reads.</summary>
    private byte[] _start = [];

    private void RememberStart(FileStream file)
    {
        var start = new byte[(int)Math.Min(256, _offset)];
        file.Seek(0, SeekOrigin.Begin);
        file.ReadExactly(start);
        _start = start;
    }

    private bool SameStart(FileStream file)
    {
        if (_start.Length == 0) return true;
        Span<byte> now = stackalloc byte[256];
        file.Seek(0, SeekOrigin.Begin);
        file.ReadExactly(now[.._start.Length]);
        return now[.._start.Length].SequenceEqual(_start);
    }
}
