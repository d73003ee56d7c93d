using System.Security.Cryptography;

namespace AkkaKd.Cluster.Artifacts;

/// <summary>
/// A node's rung checkpoints (a student's state at a rung, named by the SHA-256 of its bytes), bounded by bytes: when a
/// new one would go over <see cref="Capacity"/>, the least recently used go first. On disk when the cache has a folder
/// (what is there at start counts, oldest first), in memory otherwise. A checkpoint that is gone costs only time: the
/// continuation trains again up to its rung, to the same bits. The coordinator also drops a checkpoint once nothing can
/// continue from it (its configuration stopped, or its continuation's result is durable).
/// </summary>
public sealed class CheckpointCache
{
    /// <summary>The environment variable that sets the capacity in MiB (default <see cref="DefaultMiB"/>).</summary>
    public const string CapacityVariable = "AKKAKD_CHECKPOINT_CACHE_MB";

    public const long DefaultMiB = 1024;

    private readonly object _gate = new();
    private readonly string? _directory;
    private readonly LinkedList<string> _lru = new(); // least recently used first
    private readonly Dictionary<string, (LinkedListNode<string> Node, long Size, byte[]? Bytes)> _entries = new(StringComparer.Ordinal);
    private long _total;

    public CheckpointCache(string? directory, long capacity)
    {
        if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity), "at least 0 bytes");
        _directory = directory;
        Capacity = capacity;
        if (directory is null || !Directory.Exists(directory)) return;
        foreach (var f in new DirectoryInfo(directory).GetFiles("*" + Suffix).Where(f => f.Name.Length == 64 + Suffix.Length)
                     .OrderBy(f => f.LastWriteTimeUtc))
            Index(Path.GetFileNameWithoutExtension(f.Name), f.Length, null);
        Trim(keep: null);
    }

    /// <summary>The capacity <see cref="CapacityVariable"/> asks for (MiB), else <see cref="DefaultMiB"/>.</summary>
    public static long CapacityFromEnvironment() =>
        long.TryParse(Environment.GetEnvironmentVariable(CapacityVariable), out var mib) && mib >= 0 ? mib * 1024 * 1024 : DefaultMiB * 1024 * 1024;

    private const string Suffix = ".ckpt";

    public long Capacity { get; }

    public long Bytes
    {
        get { lock (_gate) return _total; }
    }

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public bool Contains(string hash)
    {
        lock (_gate) return _entries.ContainsKey(hash);
    }

    /// <summary>Keeps a checkpoint whose bytes match its name; false (and nothing kept) when they do not.</summary>
    public bool Put(string hash, byte[] bytes)
    {
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != hash) return false;
        lock (_gate)
        {
            if (_entries.ContainsKey(hash))
            {
                Touch(hash);
                return true;
            }
            if (_directory != null)
            {
                Directory.CreateDirectory(_directory);
                var tmp = PathOf(hash) + ".tmp";
                File.WriteAllBytes(tmp, bytes);
                File.Move(tmp, PathOf(hash), overwrite: true);
            }
            Index(hash, bytes.LongLength, _directory is null ? bytes : null);
            Trim(keep: hash);
            return true;
        }
    }

    /// <summary>The checkpoint's bytes (checked against its name when read from disk), or null when it is not here.</summary>
    public byte[]? TryGet(string hash)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(hash, out var e)) return null;
            Touch(hash);
            if (e.Bytes != null) return e.Bytes;
            try
            {
                var bytes = File.ReadAllBytes(PathOf(hash));
                if (Convert.ToHexStringLower(SHA256.HashData(bytes)) == hash) return bytes;
            }
            catch (IOException)
            {
                // gone from under us: forget it below
            }
            Remove(hash);
            return null;
        }
    }

    /// <summary>Drops a checkpoint nothing will continue from. True when it was here.</summary>
    public bool Remove(string hash)
    {
        lock (_gate)
        {
            if (!_entries.Remove(hash, out var e)) return false;
            _lru.Remove(e.Node);
            _total -= e.Size;
            if (_directory != null)
                try
                {
                    File.Delete(PathOf(hash));
                }
                catch (IOException)
                {
                    // a file that cannot be deleted now is no longer counted; the next start indexes it again
                }
            return true;
        }
    }

    private void Index(string hash, long size, byte[]? bytes)
    {
        _entries[hash] = (_lru.AddLast(hash), size, bytes);
        _total += size;
    }

    private void Touch(string hash)
    {
        var node = _entries[hash].Node;
        _lru.Remove(node);
        _lru.AddLast(node);
    }

    /// <summary>Least recently used first, until the total fits (the one just put stays, even alone over the capacity).</summary>
    private void Trim(string? keep)
    {
        for (var n = _lru.First; n != null && _total > Capacity;)
        {
            var next = n.Next;
            if (n.Value != keep) Remove(n.Value);
            n = next;
        }
    }

    private string PathOf(string hash) => Path.Combine(_directory!, hash + Suffix);
}
