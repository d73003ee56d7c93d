using System.Text;
using System.Text.Json;

namespace AkkaKd.Sweep.Tests;

/// <summary>results.jsonl: create, append, reopen, torn tails, duplicates, corruption and group commit.</summary>
public sealed class JournalTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string JournalPath => _dir.File(Journal.FileName);

    private static JournalHeader Header(int trials = 44) =>
        new("0123abcd" + new string('e', 56), "laptop", "fp-42", trials, T0);

    private static TrialResult Result(string id, int width = 32, double? t = 4, double alpha = 0.5, int seed = 1, double acc = 0.9) =>
        new(id, width, t, alpha, seed, acc, 0.3, 0.98, 25_450, 2_395_210, 1.25, "node-a", T0.AddSeconds(width + seed));

    private static TeacherRecord Teacher() => new("1200x1200,e8,b128,lr0.001,seed1", "beefcafe", 0.981, 2_395_210, 42.5, "node-a");

    private async Task<string[]> CreateWithResults(params string[] ids)
    {
        using var j = Journal.Create(JournalPath, Header());
        foreach (var id in ids) await j.AppendAsync(Result(id));
        return ids;
    }

    [Fact]
    public async Task Create_append_and_read_back()
    {
        var results = new[]
        {
            Result("aaaaaaaaaaa1", 16, 2, 0.5, 1, 0.91),
            Result("aaaaaaaaaaa2", 16, null, 0, 1, 0.89),
            Result("aaaaaaaaaaa3", 64, 20, 0.9, 2, 0.935),
        };
        var teacher = Teacher();
        using (var j = Journal.Create(JournalPath, Header()))
        {
            Assert.Equal(JournalPath, j.Path);
            await j.AppendAsync(results[0]);
            await j.AppendAsync(teacher);
            await j.AppendAsync(results[1]);
            await j.AppendAsync(results[2]);
            Assert.Equal(4, j.LinesWritten);
        }

        var c = Journal.Read(JournalPath);
        Assert.NotNull(c.Header);
        Assert.Equal(Header(), c.Header);
        Assert.Equal("header", c.Header!.Type);
        Assert.Equal(2, c.Header.Version);
        Assert.Equal(results, c.Results);
        Assert.Null(c.Results[1].Temperature);
        Assert.True(c.Results[1].IsBaseline);
        Assert.Equal(teacher, Assert.Single(c.Teachers));
        Assert.Null(c.TornTail);
        Assert.Equal(0, c.Duplicates);
        Assert.Equal(new FileInfo(JournalPath).Length, c.GoodLength);

        // One JSON object per line, a header first, every line ended.
        var text = File.ReadAllText(JournalPath);
        Assert.EndsWith("\n", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal("header", first.RootElement.GetProperty("type").GetString());
            Assert.Equal(Header().SweepHash, first.RootElement.GetProperty("sweep_hash").GetString());
        }
        using (var second = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal("trial", second.RootElement.GetProperty("type").GetString());
            Assert.Equal(0.91, second.RootElement.GetProperty("test_acc").GetDouble());
        }
    }

    [Fact]
    public async Task Create_refuses_to_overwrite_an_existing_journal()
    {
        await CreateWithResults("bbbbbbbbbbb1");
        var before = File.ReadAllBytes(JournalPath);
        Assert.Throws<IOException>(() => Journal.Create(JournalPath, Header()));
        Assert.Equal(before, File.ReadAllBytes(JournalPath));
    }

    [Fact]
    public async Task Reopen_and_append_keeps_everything()
    {
        await CreateWithResults("ccccccccccc1", "ccccccccccc2");
        using (var j = Journal.Append(JournalPath, Journal.Read(JournalPath)))
        {
            await j.AppendAsync(Result("ccccccccccc3"));
            await j.AppendAsync(Teacher());
            await j.AppendAsync(Result("ccccccccccc4"));
        }
        var c = Journal.Read(JournalPath);
        Assert.Equal(Header(), c.Header);
        Assert.Equal(["ccccccccccc1", "ccccccccccc2", "ccccccccccc3", "ccccccccccc4"], c.Results.Select(r => r.Id));
        Assert.Single(c.Teachers);
        Assert.Null(c.TornTail);
        Assert.False(File.Exists(JournalPath + ".torn"));
    }

    [Fact]
    public async Task A_torn_last_line_is_tolerated_set_aside_and_cut_off()
    {
        await CreateWithResults("ddddddddddd1", "ddddddddddd2");
        long goodLength = new FileInfo(JournalPath).Length;
        const string torn = "{\"id\":\"ddddddddddd3\",\"width\":32,\"temperature\":4,\"alp";
        await using (var f = new FileStream(JournalPath, FileMode.Append))
            f.Write(Encoding.UTF8.GetBytes(torn)); // a crash mid-write: no newline

        var c = Journal.Read(JournalPath);
        Assert.Equal(["ddddddddddd1", "ddddddddddd2"], c.Results.Select(r => r.Id));
        Assert.Equal(torn, c.TornTail);
        Assert.Equal(goodLength, c.GoodLength);
        Assert.NotNull(c.Header);

        using (var j = Journal.Append(JournalPath, c))
        {
            Assert.Equal(goodLength, new FileInfo(JournalPath).Length);
            await j.AppendAsync(Result("ddddddddddd3"));
        }
        Assert.Contains(torn, File.ReadAllText(JournalPath + ".torn"));

        var again = Journal.Read(JournalPath);
        Assert.Null(again.TornTail);
        Assert.Equal(["ddddddddddd1", "ddddddddddd2", "ddddddddddd3"], again.Results.Select(r => r.Id));
        var lines = File.ReadAllText(JournalPath).Split('\n');
        Assert.Equal("", lines[^1]);
        foreach (var line in lines[..^1])
            using (JsonDocument.Parse(line)) { } // every line whole JSON: the new one did not glue onto the torn bytes
    }

    [Fact]
    public async Task A_complete_last_line_without_newline_is_also_set_aside()
    {
        await CreateWithResults("eeeeeeeeeee1");
        var whole = JsonSerializer.Serialize(Result("eeeeeeeeeee2"), Journal.Json);
        File.AppendAllText(JournalPath, whole); // not durable: the newline never made it
        var c = Journal.Read(JournalPath);
        Assert.Equal(whole, c.TornTail);
        Assert.Equal(["eeeeeeeeeee1"], c.Results.Select(r => r.Id));
    }

    [Fact]
    public async Task A_duplicated_id_counts_once()
    {
        using (var j = Journal.Create(JournalPath, Header()))
        {
            await j.AppendAsync(Result("fffffffffff1", acc: 0.90));
            await j.AppendAsync(Result("fffffffffff2", acc: 0.80));
            await j.AppendAsync(Result("fffffffffff1", acc: 0.70)); // e.g. a trial re-run after a worker was lost
        }
        var c = Journal.Read(JournalPath);
        Assert.Equal(1, c.Duplicates);
        Assert.Equal(["fffffffffff1", "fffffffffff2"], c.Results.Select(r => r.Id));
        Assert.Equal(0.90, c.Results[0].TestAccuracy); // the first copy
    }

    [Fact]
    public async Task A_corrupt_line_in_the_middle_throws_naming_the_line()
    {
        await CreateWithResults("ggggggggggg1", "ggggggggggg2");
        var lines = File.ReadAllLines(JournalPath).ToList(); // header, g1, g2
        lines.Insert(2, "{\"type\":\"trial\",\"id\":\"gggg"); // line 3 of 4
        File.WriteAllText(JournalPath, string.Join("\n", lines) + "\n");
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath));
        Assert.Contains("line 3", e.Message);
        Assert.Contains(JournalPath, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task A_record_type_this_version_does_not_read_is_skipped()
    {
        // A later akkakd's records (rung, decision, ...) must never break this reader.
        await CreateWithResults("hhhhhhhhhhh1");
        File.AppendAllText(JournalPath, "{\"type\":\"mystery\",\"rung\":1}\n{\"type\":\"mystery\"}\n");
        var c = Journal.Read(JournalPath);
        Assert.Equal(2, c.Skipped);
        Assert.Equal(["hhhhhhhhhhh1"], c.Results.Select(r => r.Id));
    }

    [Fact]
    public void A_journal_without_a_header_is_refused()
    {
        File.WriteAllText(JournalPath, JsonSerializer.Serialize(Result("iiiiiiiiiii1"), Journal.Json) + "\n");
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath));
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void A_missing_journal_reads_as_empty()
    {
        var c = Journal.Read(JournalPath);
        Assert.Null(c.Header);
        Assert.Empty(c.Results);
        Assert.Empty(c.Teachers);
        Assert.Null(c.TornTail);
        Assert.Equal(0, c.Duplicates);
        Assert.Equal(0, c.GoodLength);
    }

    [Fact]
    public void A_journal_in_a_missing_folder_reads_as_empty()
    {
        var c = Journal.Read(Path.Combine(_dir.Path, "no-such-out-dir", Journal.FileName));
        Assert.Null(c.Header);
        Assert.Empty(c.Results);
    }

    [Fact]
    public async Task Group_commit_of_a_thousand_concurrent_appends()
    {
        const int n = 1000;
        var j = Journal.Create(JournalPath, Header(n));
        var tasks = new Task[n];
        Parallel.For(0, n, i => tasks[i] = j.AppendAsync(Result($"{i:x12}", width: 8 + i % 5, seed: i)));
        await Task.WhenAll(tasks);
        j.Dispose();

        Assert.Equal(n, j.LinesWritten);
        Assert.InRange(j.Syncs, 1, j.LinesWritten);

        var c = Journal.Read(JournalPath);
        Assert.Null(c.TornTail);
        Assert.Equal(0, c.Duplicates);
        Assert.Equal(n, c.Results.Count);
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"{i:x12}").Order(), c.Results.Select(r => r.Id).Order());
        Assert.Equal(n + 1, File.ReadAllLines(JournalPath).Length);
    }

    [Fact]
    public async Task Dispose_writes_what_is_queued()
    {
        var j = Journal.Create(JournalPath, Header());
        var tasks = Enumerable.Range(0, 50).Select(i => j.AppendAsync(Result($"q{i:x11}"))).ToArray();
        j.Dispose();
        await Task.WhenAll(tasks);
        Assert.Equal(50, Journal.Read(JournalPath).Results.Count);
    }

    [Fact]
    public async Task Append_after_dispose_fails_the_task()
    {
        var j = Journal.Create(JournalPath, Header());
        j.Dispose();
        var t = j.AppendAsync(Result("zzzzzzzzzzz1"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => t);
        Assert.Empty(Journal.Read(JournalPath).Results);
    }

    /// <summary>A callback append: told once its line is durable (in the file, after the fsync), on the writer's thread.</summary>
    [Fact]
    public async Task A_callback_append_is_told_after_its_line_is_durable()
    {
        var j = Journal.Create(JournalPath, Header());
        var told = new TaskCompletionSource<(Exception? Error, int Lines, bool Pool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        j.Append(Result("cccccccccc01"), e => told.SetResult((e, File.ReadAllLines(JournalPath).Length, Thread.CurrentThread.IsThreadPoolThread)));
        var (error, lines, pool) = await told.Task.WaitAsync(TimeSpan.FromSeconds(30));
        j.Dispose();
        Assert.Null(error);
        Assert.Equal(2, lines); // the header and the result were in the file when it was told
        Assert.False(pool); // no thread-pool hop in between
        Assert.Equal("cccccccccc01", Assert.Single(Journal.Read(JournalPath).Results).Id);
    }

    [Fact]
    public async Task A_callback_append_is_told_of_a_line_JSON_cannot_hold_a_failed_write_and_a_disposed_journal()
    {
        var j = Journal.Create(JournalPath, Header());
        Exception? nan = null;
        j.Append(Result("cccccccccc02", acc: double.NaN), e => nan = e); // told at once: nothing to write
        Assert.IsType<JournalException>(nan);

        var fsync = j.Sync;
        j.Sync = _ => throw new IOException("disk full");
        var failed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        j.Append(Result("cccccccccc03"), e => failed.SetResult(e));
        Assert.IsType<IOException>(await failed.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        j.Sync = fsync;
        j.Dispose();
        Exception? disposed = null;
        j.Append(Result("cccccccccc04"), e => disposed = e);
        Assert.IsType<ObjectDisposedException>(disposed);
    }

    [Fact]
    public async Task A_callback_that_throws_does_not_stop_the_writer()
    {
        var j = Journal.Create(JournalPath, Header());
        j.Append(Result("cccccccccc05"), _ => throw new InvalidOperationException("a careless caller"));
        var next = j.AppendAsync(Result("cccccccccc06"));
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        j.Dispose();
        Assert.Equal(["cccccccccc05", "cccccccccc06"], Journal.Read(JournalPath).Results.Select(r => r.Id));
    }

    [Fact]
    public void Dispose_twice_is_harmless()
    {
        var j = Journal.Create(JournalPath, Header());
        j.Dispose();
        j.Dispose();
        Assert.NotNull(Journal.Read(JournalPath).Header);
    }
}
