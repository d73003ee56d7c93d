using System.Buffers.Binary;
using System.IO.Compression;

namespace AkkaKd.Distillation.Data;

/// <summary>
/// An IDX array of unsigned bytes as loaded: its dimensions (the first one is the count of rows loaded), its payload, and
/// the count of rows the file's header declares (more than loaded when a row limit stopped the reading).
/// </summary>
public sealed record IdxArray(int[] Dims, byte[] Data, int FileCount = -1)
{
    /// <summary>The rows the file declares: <see cref="FileCount"/>, or the rows loaded when it was not given.</summary>
    public int DeclaredCount => FileCount >= 0 ? FileCount : Dims.Length > 0 ? Dims[0] : 0;
}

/// <summary>
/// Reads IDX files (LeCun's MNIST format), gzip-compressed or raw. Only unsigned-byte payloads (type code 0x08) are read.
/// Nothing is allocated from what a header claims: the payload is read in chunks as the bytes arrive, and a header
/// that announces more than the file holds is reported as truncated. A row limit (the rows a sweep needs) stops the
/// reading, and the decompression, after that many rows (the first dimension), so a file of zeros that a small gzip
/// expands to gigabytes costs only the rows needed. A header that declares more than <see cref="MaxRows"/> rows or
/// <see cref="MaxPayloadBytes"/> bytes is refused before any payload is read.
/// </summary>
public static class Idx
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>The largest payload accepted (a .NET array of bytes holds at most about 2^31).</summary>
    public const long MaxPayloadBytes = 2_000_000_000;

    /// <summary>The most rows (first dimension) a header may declare.</summary>
    public const int MaxRows = 10_000_000;

    /// <param name="maxRows">Read at most this many rows (the first dimension); 0 reads the header alone.</param>
    public static IdxArray ReadFile(string path, int expectedMagic, int maxRows = int.MaxValue)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException) { throw new DataException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new DataException(path, "file not found (no such directory)"); }
        catch (UnauthorizedAccessException) { throw new DataException(path, "permission denied"); }
        catch (IOException e) { throw new DataException(path, $"cannot open: {e.Message}"); }
        using (file)
        {
            return Read(file, path, expectedMagic, maxRows);
        }
    }

    /// <summary>Reads one IDX array from a stream that may be gzip-compressed; <paramref name="name"/> names it in errors.</summary>
    public static IdxArray Read(Stream stream, string name, int expectedMagic, int maxRows = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var first = new byte[2];
        int got = ReadFully(stream, first, name);
        if (got == 0) throw new DataException(name, "empty file");
        if (got < 2) throw new DataException(name, "truncated: the file is shorter than an IDX header");

        bool gzip = first[0] == 0x1f && first[1] == 0x8b;
        if (!gzip && (first[0] != 0 || first[1] != 0))
            throw new DataException(name, $"neither gzip nor IDX (first bytes 0x{first[0]:x2}{first[1]:x2})");

        Stream body = gzip
            ? new GZipStream(new PrefixedStream(first, stream), CompressionMode.Decompress)
            : new PrefixedStream(first, stream);
        try
        {
            return ReadIdx(body, name, expectedMagic, gzip, maxRows);
        }
        catch (InvalidDataException e)
        {
            throw new DataException(name, $"corrupt gzip stream ({e.Message.TrimEnd('.')})");
        }
        finally
        {
            body.Dispose();
        }
    }

    private static IdxArray ReadIdx(Stream s, string name, int expectedMagic, bool gzip, int maxRows)
    {
        var head = new byte[4];
        int got = ReadFully(s, head, name);
        if (got == 0) throw new DataException(name, gzip ? "the gzip stream holds no data" : "empty file");
        if (got < 4) throw new DataException(name, "truncated: the file is shorter than an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        if (magic != expectedMagic)
        {
            string what = expectedMagic == ImagesMagic ? "an IDX image file" : "an IDX label file";
            throw new DataException(name, $"wrong magic 0x{magic:x8}, expected 0x{expectedMagic:x8} ({what} of unsigned bytes)");
        }
        int ndims = head[3];
        var dimBytes = new byte[4 * ndims];
        if (ReadFully(s, dimBytes, name) < dimBytes.Length)
            throw new DataException(name, $"truncated: the header announces {ndims} dimensions but ends early");

        var dims = new int[ndims];
        long total = 1;
        for (int i = 0; i < ndims; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (d == 0) throw new DataException(name, $"dimension {i} is zero");
            if (d > int.MaxValue) throw new DataException(name, $"dimension {i} is {d}, too large");
            dims[i] = (int)d;
            total *= d;
            if (total > MaxPayloadBytes)
                throw new DataException(name, $"the header announces more than {MaxPayloadBytes:N0} bytes of data, over the limit");
        }
        if (ndims > 0 && dims[0] > MaxRows)
            throw new DataException(name, $"the header announces {dims[0]:N0} rows, over the limit of {MaxRows:N0}");

        // Only the rows needed: the first dimension counts rows, the others make one row.
        int rows = ndims > 0 ? Math.Min(dims[0], maxRows) : 0;
        bool whole = ndims == 0 || rows == dims[0];
        long want = whole ? total : total / dims[0] * rows;

        // Read the payload as it arrives; never trust the header for the allocation.
        var payload = new MemoryStream();
        var chunk = new byte[1 << 16];
        long remaining = want;
        while (remaining > 0)
        {
            int n = s.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
            if (n == 0) break;
            payload.Write(chunk, 0, n);
            remaining -= n;
        }
        if (remaining > 0)
            throw new DataException(name, whole
                ? $"truncated: the header announces {total:N0} bytes of data, the file has {total - remaining:N0}"
                : $"truncated: the {rows:N0} rows needed take {want:N0} bytes of data, the file has {want - remaining:N0}");
        if (whole && s.Read(chunk, 0, 1) > 0)
            throw new DataException(name, $"unexpected bytes after the {total:N0} bytes the header announces");
        int fileCount = ndims > 0 ? dims[0] : 0;
        if (ndims > 0) dims[0] = rows;
        return new IdxArray(dims, payload.ToArray(), fileCount);
    }

    private static int ReadFully(Stream s, byte[] buffer, string name)
    {
        int off = 0;
        while (off < buffer.Length)
        {
            int n = s.Read(buffer, off, buffer.Length - off);
            if (n == 0) break;
            off += n;
        }
        return off;
    }

    /// <summary>A stream that replays a few bytes already read before continuing with the inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _pos;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_pos < prefix.Length)
            {
                int n = Math.Min(count, prefix.Length - _pos);
                Array.Copy(prefix, _pos, buffer, offset, n);
                _pos += n;
                return n;
            }
            return inner.Read(buffer, offset, count);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
