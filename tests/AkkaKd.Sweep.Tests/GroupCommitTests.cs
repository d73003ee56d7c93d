namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Group commit, deterministically: the writer is held inside its first fsync (through the journal's Sync seam, which every fsync goes through)
/// while more lines are appended; all of them must then become durable with one more fsync, and none may count as
/// durable before its fsync. A journal that fsyncs every line on its own fails.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TrialResult Result(int i) =>
        new($"{i:x12}", 32, 4, 0.5, i, 0.9, 0.3, 0.98, 25_450, 2_395_210, 1.25, "node-a", T0.AddSeconds(i));

    [Fact]
    public async Task Lines_queued_during_an_fsync_share_the_next_one()
    {
        const int n = 200;
        var path = _dir.File(Journal.FileName);
        var j = Journal.Create(path, new JournalHeader(new string('a', 64), "group", "fp", n + 1, T0));
        using var inFirstSync = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim(false);
        int syncs = 0;
        var fsync = j.Sync;
        j.Sync = file =>
        {
            if (Interlocked.Increment(ref syncs) == 1)
            {
                inFirstSync.Release();
                release.Wait(Patience);
            }
            fsync(file);
        };
        try
        {
            var first = j.AppendAsync(Result(0));
            Assert.True(await inFirstSync.WaitAsync(Patience), "the writer never reached its first fsync");

            var rest = new Task[n];
            Parallel.For(0, n, i => rest[i] = j.AppendAsync(Result(i + 1)));
            // every append has returned, so all n lines are queued; none is durable yet, nor is the first
            Assert.False(first.IsCompleted, "a line counted as durable before its fsync finished");
            Assert.DoesNotContain(rest, t => t.IsCompleted);

            release.Set();
            await Task.WhenAll(rest.Append(first)).WaitAsync(Patience);
            Assert.Equal(n + 1, j.LinesWritten);
            Assert.Equal(2, j.Syncs); // the first line's fsync, then one for all n queued behind it
            Assert.Equal(2, Volatile.Read(ref syncs));
        }
        finally
        {
            release.Set();
            j.Dispose();
        }
        var c = Journal.Read(path);
        Assert.Equal(n + 1, c.Results.Count);
        Assert.Null(c.TornTail);
    }
}
