using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Cluster.Artifacts;

/// <summary>
/// Teacher artifacts (the teacher's logits on the training rows) kept by SHA-256: in memory, and on disk when the
/// store has a folder, so a resumed sweep does not train its teacher again. Rung checkpoints, the other artifact that
/// travels between nodes, are kept apart in a cache bounded by bytes (<see cref="Checkpoints"/>, in the folder's
/// checkpoints/): the byte-level methods serve both kinds.
/// </summary>
public sealed class TeacherStore(string? directory, long? checkpointCapacity = null)
{
    private readonly ConcurrentDictionary<string, float[]> _memory = new(StringComparer.Ordinal);

    public string? Directory { get; } = directory;

    /// <summary>This node's rung checkpoints, least recently used dropped first beyond their capacity.</summary>
    public CheckpointCache Checkpoints { get; } = new(directory is null ? null : Path.Combine(directory, "checkpoints"),
        checkpointCapacity ?? CheckpointCache.CapacityFromEnvironment());

    /// <summary>A teacher artifact or a checkpoint with this hash is here.</summary>
    public bool Has(string hash) => Checkpoints.Contains(hash) || TryGet(hash) != null;

    public void Put(string hash, float[] logits)
    {
        if (TeacherArtifact.HashOf(logits) != hash) throw new ArgumentException("the logits do not match their hash");
        _memory[hash] = logits;
        if (Directory is null) return;
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(hash);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            f.Write(MemoryMarshal.AsBytes(logits.AsSpan()));
            f.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The logits with this hash, from memory or disk (checked against the hash); null if not here.</summary>
    public float[]? TryGet(string hash)
    {
        if (_memory.TryGetValue(hash, out var logits)) return logits;
        if (Directory is null) return null;
        var path = PathOf(hash);
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % sizeof(float) != 0) return null;
        var loaded = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (TeacherArtifact.HashOf(loaded) != hash) return null;
        _memory[hash] = loaded;
        return loaded;
    }

    /// <summary>The artifact's bytes (as they travel between nodes), or null if it is not here.</summary>
    public byte[]? TryGetBytes(string hash) =>
        Checkpoints.TryGet(hash) ?? (TryGet(hash) is { } logits ? MemoryMarshal.AsBytes(logits.AsSpan()).ToArray() : null);

    /// <summary>Keeps an artifact that arrived as bytes (a checkpoint goes to <see cref="Checkpoints"/>), after checking them against the hash.</summary>
    public bool TryPutBytes(string hash, byte[] bytes)
    {
        if (StudentCheckpoint.IsCheckpoint(bytes)) return Checkpoints.Put(hash, bytes);
        if (bytes.Length % sizeof(float) != 0) return false;
        var logits = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (TeacherArtifact.HashOf(logits) != hash) return false;
        Put(hash, logits);
        return true;
    }

    /// <summary>How many teachers are here: on disk when the store has a folder, else in memory.</summary>
    public int Count => Directory is null ? _memory.Count
        : System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "teacher-*.f32").Length : 0;

    private string PathOf(string hash) => Path.Combine(Directory!, $"teacher-{hash}.f32");
}
