using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Cluster.Artifacts;

/// <summary>
/// One per node, at /user/artifacts. Serves the node's teacher artifacts to other nodes in chunks, and fetches an
/// artifact from another node's hub when a local worker (or the coordinator) needs it: one fetch per artifact, however
/// many ask. What arrives is checked against its SHA-256 before it is kept.
/// </summary>
public sealed class ArtifactHub : ReceiveActor
{
    /// <summary>Well under Akka.Remote's default frame size (128,000 bytes).</summary>
    public const int ChunkSize = 32 * 1024;

    public const string Name = "artifacts";

    private readonly TeacherStore _store;
    private readonly Dictionary<string, List<IActorRef>> _waiting = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private (string Hash, byte[] Bytes)? _serving;

    public ArtifactHub(TeacherStore store)
    {
        _store = store;
        Receive<FetchChunk>(OnFetchChunk);
        Receive<EnsureArtifact>(e =>
        {
            if (_store.Has(e.Hash))
            {
                Sender.Tell(new ArtifactReady(e.Hash));
                return;
            }
            if (_waiting.TryGetValue(e.Hash, out var list))
            {
                list.Add(Sender);
                return;
            }
            _waiting[e.Hash] = [Sender];
            Context.ActorOf(ArtifactFetcher.Props(e.Hash, e.Source));
        });
        Receive<ArtifactFetcher.Fetched>(f =>
        {
            var ok = _store.TryPutBytes(f.Hash, f.Bytes);
            _log.Info("artifact {0}: {1} bytes from {2}, {3}", f.Hash[..12], f.Bytes.Length, f.Source.Path.Address,
                ok ? "hash verified" : "HASH MISMATCH, discarded");
            Answer(f.Hash, ok ? new ArtifactReady(f.Hash) : new ArtifactUnavailable(f.Hash, "the artifact's bytes do not match its hash"));
        });
        Receive<DropCheckpoint>(d =>
        {
            if (_store.Checkpoints.Remove(d.Hash)) _log.Debug("checkpoint {0} dropped: nothing continues from it", d.Hash[..12]);
            if (_serving?.Hash == d.Hash) _serving = null;
        });
        Receive<ArtifactFetcher.Failed>(f =>
        {
            _log.Warning("artifact {0}: fetch failed: {1}", f.Hash[..12], f.Reason);
            Answer(f.Hash, new ArtifactUnavailable(f.Hash, f.Reason));
        });
    }

    public static Props Props(TeacherStore store) => Akka.Actor.Props.Create(() => new ArtifactHub(store));

    private void OnFetchChunk(FetchChunk f)
    {
        // Keep the bytes of the artifact being served: a fetch asks for all its chunks in a row.
        if (_serving is not { } s || s.Hash != f.Hash)
        {
            var bytes = _store.TryGetBytes(f.Hash);
            if (bytes is null)
            {
                Sender.Tell(new ArtifactMissing(f.Hash));
                return;
            }
            _serving = s = (f.Hash, bytes);
        }
        int count = Math.Max(1, (int)((s.Bytes.LongLength + ChunkSize - 1) / ChunkSize));
        if (f.Index < 0 || f.Index >= count)
        {
            Sender.Tell(new ArtifactMissing(f.Hash));
            return;
        }
        int start = f.Index * ChunkSize;
        int len = Math.Min(ChunkSize, s.Bytes.Length - start);
        Sender.Tell(new ArtifactChunk(f.Hash, f.Index, count, s.Bytes.LongLength, s.Bytes.AsSpan(start, len).ToArray()));
    }

    private void Answer(string hash, object answer)
    {
        if (_waiting.Remove(hash, out var list))
            foreach (var w in list) w.Tell(answer);
    }
}

/// <summary>Fetches one artifact from another node's hub, a few chunks in flight at a time, with a time limit.</summary>
public sealed class ArtifactFetcher : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const int Window = 4;

    private readonly string _hash;
    private readonly IActorRef _source;
    private byte[]? _bytes;
    private int _count, _received, _next;
    private bool[]? _have;

    public ITimerScheduler Timers { get; set; } = null!;

    public ArtifactFetcher(string hash, IActorRef source)
    {
        _hash = hash;
        _source = source;
        Receive<ArtifactChunk>(OnChunk);
        Receive<ArtifactMissing>(_ => Fail($"node {_source.Path.Address} does not have it"));
        Receive<TimedOut>(_ => Fail($"no answer from {_source.Path.Address} within {Timeout.TotalSeconds:0} s"));
        Receive<Terminated>(_ => Fail($"node {_source.Path.Address} went away"));
    }

    public static Props Props(string hash, IActorRef source) => Akka.Actor.Props.Create(() => new ArtifactFetcher(hash, source));

    protected override void PreStart()
    {
        Context.Watch(_source);
        Timers.StartSingleTimer("timeout", TimedOut.Instance, Timeout);
        _source.Tell(new FetchChunk(_hash, 0));
        _next = 1;
    }

    private void OnChunk(ArtifactChunk c)
    {
        if (c.Hash != _hash) return;
        if (_bytes is null)
        {
            if (c.Length > int.MaxValue || c.Count < 1 || (long)c.Count * ArtifactHub.ChunkSize < c.Length)
            {
                Fail("the artifact's announced size does not add up");
                return;
            }
            _bytes = new byte[c.Length];
            _count = c.Count;
            _have = new bool[c.Count];
            for (; _next < Math.Min(_count, 1 + Window); _next++) _source.Tell(new FetchChunk(_hash, _next));
        }
        if (c.Index < 0 || c.Index >= _count || _have![c.Index]) return;
        long offset = (long)c.Index * ArtifactHub.ChunkSize;
        if (offset + c.Bytes.Length > _bytes.Length)
        {
            Fail("a chunk runs past the artifact's end");
            return;
        }
        c.Bytes.CopyTo(_bytes, offset);
        _have[c.Index] = true;
        _received++;
        if (_next < _count) _source.Tell(new FetchChunk(_hash, _next++));
        if (_received == _count)
        {
            Context.Parent.Tell(new Fetched(_hash, _bytes, _source));
            Context.Stop(Self);
        }
    }

    private void Fail(string reason)
    {
        Context.Parent.Tell(new Failed(_hash, reason));
        Context.Stop(Self);
    }

    internal sealed record Fetched(string Hash, byte[] Bytes, IActorRef Source);
    internal sealed record Failed(string Hash, string Reason);

    private sealed record TimedOut
    {
        public static readonly TimedOut Instance = new();
    }
}
