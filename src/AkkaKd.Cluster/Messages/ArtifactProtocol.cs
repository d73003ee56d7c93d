using Akka.Actor;

namespace AkkaKd.Cluster.Messages;

// Between the ArtifactHub actors of the nodes (one per node, at /user/artifacts). A teacher artifact travels in chunks
// well under Akka.Remote's frame size and is checked against its SHA-256 before it is kept.

/// <summary>Ask a hub for one chunk of an artifact.</summary>
public sealed record FetchChunk(string Hash, int Index) : IAkkaKdMessage;

/// <summary>One chunk: bytes [Index * ChunkSize, ...) of an artifact of Length bytes in Count chunks.</summary>
public sealed record ArtifactChunk(string Hash, int Index, int Count, long Length, byte[] Bytes) : IAkkaKdMessage;

/// <summary>The hub does not have this artifact.</summary>
public sealed record ArtifactMissing(string Hash) : IAkkaKdMessage;

/// <summary>To a node's own hub: make sure the artifact is here, fetching it from Source if need be.</summary>
public sealed record EnsureArtifact(string Hash, IActorRef Source) : IAkkaKdMessage;

public sealed record ArtifactReady(string Hash) : IAkkaKdMessage;

public sealed record ArtifactUnavailable(string Hash, string Reason) : IAkkaKdMessage;

/// <summary>To a node's hub: nothing will continue from this rung checkpoint any more (its configuration stopped, or its continuation is durable).</summary>
public sealed record DropCheckpoint(string Hash) : IAkkaKdMessage;
