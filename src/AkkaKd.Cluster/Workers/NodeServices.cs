using System.Collections.Concurrent;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Training;

using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Workers;

/// <summary>The data of one sweep on one node: loaded once, split once, and proven by fingerprint.</summary>
public sealed record NodeData(DataSet Data, LabeledRows Train, LabeledRows? Validation, LabeledRows Test);

/// <summary>This node's data differ from the sweep's: the node takes no work from that sweep.</summary>
public sealed class DataMismatchException(string message) : Exception(message);

/// <summary>The sweep's models do not fit this node's memory at its slot count: the node takes no work from that sweep.</summary>
public sealed class NodeMemoryException(string message) : Exception(message);

/// <summary>What a node's workers share: its name, its teacher store, its loaded data and the trainer.</summary>
public sealed class NodeServices(string node, TeacherStore teachers, ITrialTrainer? trainer = null)
{
    private readonly ConcurrentDictionary<string, Lazy<NodeData>> _splits = new(StringComparer.Ordinal);

    public string Node { get; } = node;

    /// <summary>This node's incarnation: its cluster member's uid (0 outside a cluster).</summary>
    public int NodeUid { get; init; }

    /// <summary>A slot's request for work, naming this node and its incarnation.</summary>
    public RequestWork Request(Akka.Actor.IActorRef worker) => new(worker, Node, NodeUid);

    public TeacherStore Teachers { get; } = teachers;
    public ITrialTrainer Trainer { get; } = trainer ?? DistillationTrainer.Instance;

    /// <summary>The node's slots: trials it trains at once (what its memory must hold).</summary>
    public int Slots { get; init; } = 1;

    /// <summary>The memory this process may use, in bytes (the GC's view: the machine's, or a container's or heap limit).</summary>
    public Func<long> AvailableMemory { get; init; } = static () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// The sweep's data on this node (<see cref="Data(DataSettings, string)"/>), once the work in hand (the teacher:
    /// <paramref name="width"/> null; else a student of that width) is known to fit this node's memory in every slot; a
    /// <see cref="NodeMemoryException"/> (one line naming the key and the estimate) otherwise.
    /// </summary>
    public NodeData Data(SweepContext sweep, int? width)
    {
        var nd = Data(sweep.Settings.Data, sweep.DataFingerprint);
        if (SweepLimits.MemoryProblem(sweep.Settings, nd.Data.Features, Slots, AvailableMemory(), width) is { } problem)
            throw new NodeMemoryException($"{problem} ({Slots} slot{(Slots == 1 ? "" : "s")})");
        return nd;
    }

    /// <summary>Loads (once) and splits the data of a sweep; throws DataException if the fingerprint differs.</summary>
    public NodeData Data(DataSettings slices, string expectedFingerprint)
    {
        var source = slices.Source;
        var key = $"{source}|{slices.Slices}";
        var lazy = _splits.GetOrAdd(key, _ => new Lazy<NodeData>(() =>
        {
            var data = DataCache.Get(DataSource.Parse(source), slices.RowsNeeded());
            var (tr, va, te) = data.Split(slices.Train, slices.Validation, slices.Test);
            return new NodeData(data, tr, va, te);
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

    /// <summary>The teacher artifact a distilled trial needs (already in this node's store); null for a baseline.</summary>
    public TeacherArtifact? TeacherFor(Trial trial, TeacherRecord? record, NodeData data)
    {
        if (trial.IsBaseline) return null;
        var rec = record ?? throw new InvalidOperationException("a distilled trial without a teacher");
        var logits = Teachers.TryGet(rec.Hash) ?? throw new InvalidOperationException($"teacher {rec.Hash[..12]} is not on node {Node}");
        return new TeacherArtifact(logits, data.Train.Rows, data.Data.Classes, rec.TestAccuracy, rec.Params, rec.TrainSeconds, 0);
    }
}
