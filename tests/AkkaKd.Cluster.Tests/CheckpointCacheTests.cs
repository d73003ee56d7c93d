using System.Security.Cryptography;
using Akka.Actor;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// Rung checkpoints are bounded: least recently used dropped first beyond a capacity in bytes, on disk or in memory; and
/// the coordinator says which checkpoints nothing continues from any more (stopped, or continued and durable).
/// </summary>
public sealed class CheckpointCacheTests : IDisposable
{
    private readonly string _dir = Fixtures.TempDir();

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static (string Hash, byte[] Bytes) Blob(byte fill, int size)
    {
        var bytes = Enumerable.Repeat(fill, size).ToArray();
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_least_recently_used_go_first_when_the_bytes_go_over_the_capacity(bool onDisk)
    {
        var cache = new CheckpointCache(onDisk ? Path.Combine(_dir, "c") : null, capacity: 250);
        var (a, b, c) = (Blob(1, 100), Blob(2, 100), Blob(3, 100));
        Assert.True(cache.Put(a.Hash, a.Bytes));
        Assert.True(cache.Put(b.Hash, b.Bytes));
        Assert.Equal(a.Bytes, cache.TryGet(a.Hash)); // a is used: b is now the least recently used
        Assert.True(cache.Put(c.Hash, c.Bytes));
        Assert.Null(cache.TryGet(b.Hash));
        Assert.Equal(a.Bytes, cache.TryGet(a.Hash));
        Assert.Equal(c.Bytes, cache.TryGet(c.Hash));
        Assert.Equal((2, 200L), (cache.Count, cache.Bytes));
        if (onDisk) Assert.Equal(2, Directory.GetFiles(Path.Combine(_dir, "c")).Length);

        Assert.True(cache.Remove(a.Hash));
        Assert.False(cache.Remove(a.Hash));
        Assert.Equal((1, 100L), (cache.Count, cache.Bytes));
        if (onDisk) Assert.Single(Directory.GetFiles(Path.Combine(_dir, "c")));
        // Bytes that do not match their name are refused.
        Assert.False(cache.Put(a.Hash, b.Bytes));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void What_is_on_disk_at_start_counts_oldest_first_and_a_damaged_file_is_not_served()
    {
        var folder = Path.Combine(_dir, "c");
        var first = new CheckpointCache(folder, capacity: 1000);
        var blobs = new[] { Blob(1, 100), Blob(2, 100), Blob(3, 100) };
        foreach (var (h, bytes) in blobs)
        {
            first.Put(h, bytes);
            File.SetLastWriteTimeUtc(Path.Combine(folder, h + ".ckpt"), DateTime.UtcNow.AddMinutes(-10 + Array.IndexOf(blobs, (h, bytes))));
        }
        var again = new CheckpointCache(folder, capacity: 200); // a smaller bound after a restart: the oldest goes
        Assert.Equal((2, 200L), (again.Count, again.Bytes));
        Assert.Null(again.TryGet(blobs[0].Hash));
        Assert.Equal(2, Directory.GetFiles(folder).Length);
        File.WriteAllBytes(Path.Combine(folder, blobs[1].Hash + ".ckpt"), blobs[2].Bytes);
        Assert.Null(again.TryGet(blobs[1].Hash));
        Assert.Equal(1, again.Count);
    }

    [Fact]
    public void The_store_keeps_checkpoints_in_the_bounded_cache_and_teacher_logits_apart()
    {
        var store = new TeacherStore(Path.Combine(_dir, "store"), checkpointCapacity: 1 << 20);
        var state = new StudentCheckpoint(2, [1f, 2f], [0f, 0f], [0f, 0f], 5, [1, 2, 3, 4], [0.5, 0.6], [1.0, 0.9]).ToBytes();
        var name = StudentCheckpoint.HashOf(state);
        Assert.True(StudentCheckpoint.IsCheckpoint(state));
        Assert.True(store.TryPutBytes(name, state));
        Assert.True(store.Checkpoints.Contains(name));
        Assert.True(store.Has(name));
        Assert.Equal(state, store.TryGetBytes(name));
        var logits = new float[] { 0.1f, 2f, -3f, 4f };
        store.Put(TeacherArtifact.HashOf(logits), logits);
        Assert.False(store.Checkpoints.Contains(TeacherArtifact.HashOf(logits)));
        Assert.Equal(1, store.Count);
        Assert.Equal(1, store.Checkpoints.Count);
    }

    [Fact]
    public void The_coordinator_drops_a_checkpoint_once_its_continuation_is_durable_or_its_trial_stopped()
    {
        var settings = Fixtures.TinySweep();
        var assignments = new Assignments(new SweepContext("s", settings, "fp"), null);
        var hub = ActorRefs.Nobody;
        TrialResult At(string id, string? checkpoint) =>
            new(id, 8, 2, 0.9, 1, 0.9, 0.3, 0.9, 1, 1, 1, "n", DateTimeOffset.UnixEpoch, 0.9, Checkpoint: checkpoint);
        void Completed(TrialResult r)
        {
            assignments.Remember(new TrialCompleted("s", r, hub));
        }

        Completed(At("t1", "c1-rung1"));
        Assert.Empty(assignments.Durable(At("t1", "c1-rung1")));
        Completed(At("t1", "c1-rung2")); // continued from rung 1: that checkpoint goes
        Assert.Equal([("c1-rung1", hub)], assignments.Durable(At("t1", "c1-rung2")));
        Completed(At("t1", null)); // the full epochs: rung 2's goes
        Assert.Equal([("c1-rung2", hub)], assignments.Durable(At("t1", null)));

        Completed(At("t2", "c2-rung1"));
        assignments.Durable(At("t2", "c2-rung1"));
        Assert.Equal(("c2-rung1", hub), assignments.Stopped("t2"));
        Assert.Null(assignments.Stopped("t2"));
    }
}
