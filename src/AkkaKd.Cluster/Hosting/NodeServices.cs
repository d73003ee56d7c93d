using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Hosting;

/// <summary>
/// Teacher artifacts (the teacher's logits on the training rows) kept by SHA-256: in memory, and on disk when the
/// store has a folder, so a resumed sweep does not train its teacher again.
/// </summary>
public sealed class TeacherStore(string? directory)
{
    private readonly ConcurrentDictionary<string, float[]> _memory = new(StringComparer.Ordinal);

    public string? Directory { get; } = directory;

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
    public byte[]? TryGetBytes(string hash) => TryGet(hash) is { } logits ? MemoryMarshal.AsBytes(logits.AsSpan()).ToArray() : null;

    /// <summary>Keeps an artifact that arrived as bytes, after checking them against the hash.</summary>
    public bool TryPutBytes(string hash, byte[] bytes)
    {
        if (bytes.Length % sizeof(float) != 0) return false;
        var logits = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (TeacherArtifact.HashOf(logits) != hash) return false;
        Put(hash, logits);
        return true;
    }

    private string PathOf(string hash) => Path.Combine(Directory!, $"teacher-{hash}.f32");
}

/// <summary>The data of one sweep on one node: loaded once, split once, and proven by fingerprint.</summary>
public sealed record NodeData(DataSet Data, LabeledRows Train, LabeledRows Test);

/// <summary>This node's data differ from the sweep's: the node takes no work from that sweep.</summary>
public sealed class DataMismatchException(string message) : Exception(message);

/// <summary>What a node's workers share: its name, its teacher store, its loaded data and the trainer.</summary>
public sealed class NodeServices(string node, TeacherStore teachers, ITrialTrainer? trainer = null)
{
    private readonly ConcurrentDictionary<string, Lazy<NodeData>> _splits = new(StringComparer.Ordinal);

    public string Node { get; } = node;
    public TeacherStore Teachers { get; } = teachers;
    public ITrialTrainer Trainer { get; } = trainer ?? DistillationTrainer.Instance;

    /// <summary>Loads (once) and splits the data of a sweep; throws DataException if the fingerprint differs.</summary>
    public NodeData Data(string source, int train, int test, string expectedFingerprint)
    {
        var key = $"{source}|{train}|{test}";
        var lazy = _splits.GetOrAdd(key, _ => new Lazy<NodeData>(() =>
        {
            var data = DataCache.Get(DataSource.Parse(source), new DataSettings(source, train, test).RowsNeeded());
            var (tr, te) = data.Split(train, test);
            return new NodeData(data, tr, te);
        }));
        NodeData nd;
        try
        {
            nd = lazy.Value;
        }
        catch
        {
            _splits.TryRemove(key, out _);
            throw;
        }
        if (nd.Data.Fingerprint != expectedFingerprint)
            throw new DataMismatchException(
                $"{source} on node {Node} has fingerprint {nd.Data.Fingerprint[..12]}, the sweep's is {expectedFingerprint[..Math.Min(12, expectedFingerprint.Length)]}");
        return nd;
    }
}
