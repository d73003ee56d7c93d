using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// Issue 14's input faults, with the real program: one owner per output folder, journal lines that are not records,
/// unusable output folders, a decompression bomb, and a model too large to train. Each ends with one line, the
/// documented exit code, in bounded time.
/// </summary>
public sealed class InputFaultTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string Write(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public async Task Two_sweeps_on_one_out_the_second_is_refused_naming_the_holder_and_the_journal_stays_whole()
    {
        // 12 trials of 100 epochs on one slot: long enough (tens of seconds) for a second and a third start to meet it.
        var sweep = Write("twelve.hocon", Sweeps.Twelve);
        var outDir = Path.Combine(_dir, "out");
        string[] args = ["sweep", sweep, "--out", outDir, "--slots", "1", "--set", "sweep.student.epochs=100"];
        using var a = Akkakd.Start(_dir, args);
        using var b = Akkakd.Start(_dir, args); // two fresh sweeps at once: one wins

        var long_ = TimeSpan.FromMinutes(5);
        Task<int> ta = a.WaitAsync(long_), tb = b.WaitAsync(long_);
        var first = await Task.WhenAny(ta, tb);
        var (loser, winner, winnerDone) = first == ta ? (a, b, tb) : (b, a, ta);
        Assert.False(winner.HasExited, $"one sweep should still run; a: {a.Err} b: {b.Err}");
        Assert.Equal(2, await first);
        Akkakd.AssertOneLineError(loser.Err, outDir, "is in use by", $"process {winner.Id}");

        // A --resume while it runs is refused too, naming the same process.
        var (code, _, err) = await Akkakd.Run(_dir, Limit, [.. args, "--resume"]);
        Assert.False(winner.HasExited, "the sweep ended before the --resume was tried; make its trials longer");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "is in use by", $"process {winner.Id}", "akkakd sweep");

        Assert.Equal(0, await winnerDone);
        var journal = AkkaKd.Sweep.Journal.Read(Path.Combine(outDir, AkkaKd.Sweep.Journal.FileName));
        Assert.Null(journal.TornTail);
        Assert.Equal(0, journal.Duplicates);
        Assert.Equal(12, journal.Results.Count);
        Assert.Equal("", File.ReadAllText(Path.Combine(outDir, AkkaKd.Sweep.OutputFolderLock.FileName))); // let go

        // ... and once it is done the folder is free again.
        (code, _, err) = await Akkakd.Run(_dir, Limit, [.. args, "--resume"]);
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Bad_lines_are_never_set_aside_under_a_running_sweep()
    {
        var sweep = Write("twelve.hocon", Sweeps.Twelve);
        var outDir = Path.Combine(_dir, "running");
        using var running = Akkakd.Start(_dir, "sweep", sweep, "--out", outDir, "--slots", "1", "--set", "sweep.student.epochs=100");
        var lockFile = Path.Combine(outDir, AkkaKd.Sweep.OutputFolderLock.FileName);
        var journal = Path.Combine(outDir, AkkaKd.Sweep.Journal.FileName);
        var until = DateTime.UtcNow + Limit;
        while (!(File.Exists(lockFile) && File.ReadAllText(lockFile).Contains("\"pid\"")) && DateTime.UtcNow < until && !running.HasExited)
            await Task.Delay(100);
        File.AppendAllText(journal, "[1]\n");

        var e = Assert.Throws<AkkaKd.Sweep.JournalException>(() => AkkaKd.Sweep.Journal.Read(journal, setAside: true));
        Assert.Contains("bad lines not set aside", e.Message);
        Assert.Contains($"process {running.Id}", e.Message);
        Assert.False(File.Exists(journal + ".bad"));
        Assert.False(running.HasExited, "the sweep ended before the read; make its trials longer");
        running.Kill();
    }

    private string JournalWith(string badLine)
    {
        var outDir = Path.Combine(_dir, "j" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(outDir);
        var header = "{\"type\":\"header\",\"sweep_hash\":\"" + new string('a', 64) + "\",\"sweep_name\":\"x\",\"data_fingerprint\":\"fp\"," +
                     "\"trials\":2,\"created\":\"2026-01-01T00:00:00+00:00\",\"version\":1}";
        var trial = "{\"type\":\"trial\",\"id\":\"t1\",\"width\":8,\"temperature\":null,\"alpha\":0,\"seed\":1,\"test_acc\":0.8," +
                    "\"test_loss\":0.5,\"teacher_acc\":null,\"params\":100,\"teacher_params\":1000,\"train_seconds\":1,\"node\":\"n\"," +
                    "\"finished\":\"2026-01-01T00:00:01+00:00\"}";
        File.WriteAllText(Path.Combine(outDir, "results.jsonl"), $"{header}\n{badLine}\n{trial}\n");
        return outDir;
    }

    [Theory]
    [InlineData("leaderboard", "[1,2,3]", "JSON but not an object (a list)")]
    [InlineData("report", "[1,2,3]", "JSON but not an object (a list)")]
    [InlineData("leaderboard", "5", "JSON but not an object (the number 5)")]
    [InlineData("report", "null", "JSON but not an object (null)")]
    [InlineData("leaderboard", "{\"type\":7}", "\"type\" is the number 7, not text")]
    [InlineData("leaderboard", "{\"type\":\"trial\",\"id\":\"t2\",\"test_acc\":7.5}", "\"test_acc\" is 7.5, outside 0..1")]
    [InlineData("report", "{\"type\":\"trial\",\"id\":\"t2\",\"params\":\"many\"}", "\"params\" is the text \"many\", expected a whole number")]
    public async Task A_journal_line_that_is_not_a_record_is_one_line_exit_2(string command, string line, string words)
    {
        var outDir = JournalWith(line);
        var (code, _, err) = await Akkakd.Run(_dir, Limit, command, outDir);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "results.jsonl: line 2: ", words, "--set-aside-bad-lines");
        Assert.DoesNotContain("LineNumber", err);
    }

    [Theory]
    [InlineData("leaderboard")]
    [InlineData("report")]
    public async Task The_option_the_error_names_sets_the_bad_line_aside_and_keeps_the_rest(string command)
    {
        var outDir = JournalWith("[1,2,3]");
        var journal = Path.Combine(outDir, "results.jsonl");
        int before = File.ReadAllLines(journal).Length;
        var (code, stdout, err) = await Akkakd.Run(_dir, Limit, command, outDir, "--set-aside-bad-lines");
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{err}");
        Assert.Equal(["[1,2,3]"], File.ReadAllLines(journal + ".bad"));
        Assert.Equal(before - 1, File.ReadAllLines(journal).Length);
        // The journal reads cleanly now, without the option.
        var (again, _, err2) = await Akkakd.Run(_dir, Limit, command, outDir);
        Assert.True(again == 0, err2);
    }

    [Fact]
    public async Task A_bad_journal_line_on_resume_is_one_line_exit_2()
    {
        var outDir = JournalWith("[1,2,3]");
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--out", outDir, "--resume");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "results.jsonl: line 2: JSON but not an object", "--set-aside-bad-lines");
    }

    [Fact]
    public async Task An_out_that_is_a_file_or_holds_a_folder_named_results_jsonl_is_one_line_exit_2()
    {
        var file = Write("not-a-folder", "x");
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--out", file, "--set", "sweep.grid.width=[8]");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, file, "is a file, not a folder");

        (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--out", file, "--resume");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, file, "is a file, not a folder");

        var outDir = Path.Combine(_dir, "folder-journal");
        Directory.CreateDirectory(Path.Combine(outDir, "results.jsonl"));
        (code, _, err) = await Akkakd.Run(_dir, Limit, "sweep", "--out", outDir, "--resume");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "results.jsonl", "is a folder, not a journal");
    }

    /// <summary>
    /// A gzip of under 1 MB that declares 2,500,000 images of 28 x 28 (1.96 GB) and expands to 600 MB of zeros (1 MiB
    /// gzip members, concatenated); its label file declares 2,400,000 labels, so the pair is a data error once read.
    /// </summary>
    private (string Images, string Labels) Bomb()
    {
        string images = Path.Combine(_dir, "bomb-images.gz"), labels = Path.Combine(_dir, "bomb-labels.gz");
        var head = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(head, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(4), 2_500_000);
        BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(12), 28);
        using (var f = File.Create(images))
        {
            f.Write(Gzip(head));
            var zeros = Gzip(new byte[1 << 20]);
            for (int i = 0; i < 600; i++) f.Write(zeros);
        }
        var lhead = new byte[8 + 2_400_000];
        BinaryPrimitives.WriteInt32BigEndian(lhead, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(lhead.AsSpan(4), 2_400_000);
        for (int i = 8; i < lhead.Length; i++) lhead[i] = (byte)(i % 10);
        File.WriteAllBytes(labels, Gzip(lhead));
        return (images, labels);
    }

    private static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    [Fact]
    public async Task A_decompression_bomb_is_one_line_exit_3_in_bounded_time_and_memory()
    {
        var (images, labels) = Bomb();
        Assert.InRange(new FileInfo(images).Length, 1, 1 << 20);
        // A heap limit of 384 MB: reading the 600 MB of zeros (as bytes, then floats) could not fit.
        var env = new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = "0x18000000" };
        var sw = Stopwatch.StartNew();
        using var p = Akkakd.Start(_dir, env, "sweep", "--out", Path.Combine(_dir, "bomb-out"),
            "--set", $"sweep.data.source=idx:{images},{labels}");
        int code = await p.WaitAsync(Limit);
        Assert.True(code == 3, p.Err);
        Akkakd.AssertOneLineError(p.Err, "data error", labels, "2,400,000 labels for 2,500,000 images");
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 30);
    }

    [Theory]
    [InlineData("sweep.grid.width=[100000000]", "sweep.grid.width", "parameters")]
    [InlineData("sweep.teacher.hidden=[100000, 100000]", "sweep.teacher.hidden", "parameters")]
    [InlineData("sweep.student.lr=1e-60", "sweep.student.lr", "too small for float32")]
    [InlineData("sweep.grid.temperature=[1e300]", "sweep.grid.temperature", "out of range")]
    public async Task A_model_or_number_the_program_cannot_hold_is_refused_before_any_work(string set, string key, string words)
    {
        var outDir = Path.Combine(_dir, "never");
        var sw = Stopwatch.StartNew();
        var (code, stdout, err) = await Akkakd.Run(_dir, Limit, "sweep", "--out", outDir, "--set", set);
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, key, words);
        Assert.DoesNotContain("data:", stdout); // nothing loaded, nothing trained
        Assert.False(Directory.Exists(outDir));
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 30);
    }
}
