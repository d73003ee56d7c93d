namespace AkkaKd.Sweep.Tests;

/// <summary>
/// One owner per output folder, and a folder that cannot be used is one line. (Two processes on one folder are tested
/// with real processes in AkkaKd.Cli.Tests; these tests run as root on the build machine, so permissions are covered by
/// the error mapping rather than by chmod.)
/// </summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SweepSettings Tiny() =>
        SweepFile.Parse("sweep { name = x, grid { width = [8], temperature = [2], alpha = [0, 0.5] } }", "test.hocon");

    [Fact]
    public void A_second_sweep_on_a_held_folder_is_refused_until_the_first_lets_go()
    {
        var out1 = Path.Combine(_dir.Path, "out");
        var first = SweepPlan.Prepare(Tiny(), out1, false, false, "fp");
        var e = Assert.Throws<PlanException>(() => SweepPlan.Prepare(Tiny(), out1, true, false, "fp"));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.Contains("in use by another sweep of this process", e.Message);
        Assert.Contains(Environment.ProcessId.ToString(), e.Message);
        Assert.True(OutputFolderLock.IsHeldHere(out1));

        first.Journal.Dispose();
        Assert.False(OutputFolderLock.IsHeldHere(out1));
        using var second = SweepPlan.Prepare(Tiny(), out1, true, false, "fp").Journal;
        Assert.True(OutputFolderLock.IsHeldHere(out1));
    }

    [Fact]
    public void The_lock_file_names_its_holder_and_is_emptied_on_release()
    {
        var lockPath = Path.Combine(_dir.Path, OutputFolderLock.FileName);
        using (var l = OutputFolderLock.Acquire(_dir.Path))
        {
            Assert.Null(l.PreviousHolder);
        }
        Assert.Equal("", File.ReadAllText(lockPath));
    }

    [Fact]
    public void A_stale_lock_of_a_dead_process_is_taken_over_and_named()
    {
        File.WriteAllText(Path.Combine(_dir.Path, OutputFolderLock.FileName),
            "{\"pid\":999999,\"host\":\"gone-box\",\"started\":\"2026-01-02T03:04:05+00:00\",\"command\":\"akkakd sweep\"}\n");
        var plan = SweepPlan.Prepare(Tiny(), _dir.Path, false, false, "fp");
        using (plan.Journal)
            Assert.Contains(plan.Notes, n => n.Contains("process 999999 on gone-box") && n.Contains("took the folder over"));
    }

    [Fact]
    public void Out_naming_a_file_is_one_line()
    {
        var file = _dir.Write("not-a-folder", "x");
        var e = Assert.Throws<PlanException>(() => SweepPlan.Prepare(Tiny(), file, false, false, "fp"));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.Contains($"{file}: is a file, not a folder", e.Message);
        // and a folder below a file
        e = Assert.Throws<PlanException>(() => SweepPlan.Prepare(Tiny(), Path.Combine(file, "sub"), false, false, "fp"));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.Contains("a part of the path is a file", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_folder_where_the_journal_belongs_is_one_line_and_the_folder_is_let_go(bool resume)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, Journal.FileName));
        var e = Assert.Throws<PlanException>(() => SweepPlan.Prepare(Tiny(), _dir.Path, resume, false, "fp"));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.Contains("is a folder, not a journal", e.Message);
        Assert.False(OutputFolderLock.IsHeldHere(_dir.Path));
    }

    [Fact]
    public void A_bad_journal_line_on_resume_is_one_line_and_can_be_set_aside()
    {
        using (SweepPlan.Prepare(Tiny(), _dir.Path, false, false, "fp").Journal) { }
        File.AppendAllText(Path.Combine(_dir.Path, Journal.FileName), "null\n");
        var e = Assert.Throws<PlanException>(() => SweepPlan.Prepare(Tiny(), _dir.Path, true, false, "fp"));
        JournalTotalityTests.AssertOneLine(e.Message);
        Assert.Contains("line 2: JSON but not an object (null)", e.Message);
        Assert.False(OutputFolderLock.IsHeldHere(_dir.Path));

        var plan = SweepPlan.Prepare(Tiny(), _dir.Path, true, false, "fp", setAsideBadLines: true);
        using (plan.Journal)
            Assert.Contains(plan.Notes, n => n.Contains("1 bad lines were set aside"));
        Assert.Equal(["null"], File.ReadAllLines(Path.Combine(_dir.Path, Journal.FileName + ".bad")));
    }

    [Theory]
    [InlineData(28, "no space left on device")]
    [InlineData(30, "read-only file system")]
    [InlineData(13, "permission denied")]
    [InlineData(21, "is a folder, not a file")]
    [InlineData(122, "disk quota exceeded")]
    public void Errno_values_read_as_words(int errno, string words)
    {
        Assert.Equal(words, IoError.Describe(new IOException("No such thing : '/x/y'", errno)));
        Assert.Equal($"/x/results.jsonl: {words}", IoError.Line("/x/results.jsonl", new IOException("whatever", errno)));
    }

    [Fact]
    public void Other_io_failures_read_as_words()
    {
        Assert.Equal("permission denied", IoError.Describe(new UnauthorizedAccessException("Access to the path '/x' is denied.")));
        Assert.Equal("no such folder", IoError.Describe(new DirectoryNotFoundException("Could not find a part of the path '/x'.")));
        Assert.Equal("Something odd happened", IoError.Describe(new IOException("Something odd happened : '/x/y'\nsecond line", 12345)));
    }
}
