namespace AkkaKd.Reports.Tests;

/// <summary>End-of-sweep files are written whole or not at all, and a failure is one line naming the file and the cause.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_text_replaces_the_file_and_no_temporary_file_is_left()
    {
        var path = _dir.Write("leaderboard.md", "old");
        AtomicFile.WriteAllText(path, "new ±");
        Assert.Equal("new ±", File.ReadAllText(path));
        Assert.Equal([(byte)'n', (byte)'e', (byte)'w'], File.ReadAllBytes(path)[..3]); // no byte order mark
        Assert.Equal(["leaderboard.md"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_temporary_name_is_hidden_beside_the_target_and_new_each_time()
    {
        var target = _dir.File("report.html");
        var a = AtomicFile.TempName(target);
        var b = AtomicFile.TempName(target);
        Assert.Equal(_dir.Path, Path.GetDirectoryName(a));
        Assert.StartsWith(".report.html.", Path.GetFileName(a));
        Assert.EndsWith(".tmp", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_target_that_is_a_folder_is_refused_and_left_as_it_was()
    {
        var target = Directory.CreateDirectory(_dir.File("report.html")).FullName;
        var e = Assert.Throws<ReportWriteException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Equal($"is a directory: {target}", e.Message);
        Assert.True(Directory.Exists(target));
        Assert.Empty(Directory.GetFiles(_dir.Path)); // the temporary file is gone
    }

    [Fact]
    public void A_parent_that_is_a_file_is_not_a_directory()
    {
        var file = _dir.Write("results", "x");
        var target = Path.Combine(file, "leaderboard.csv");
        var e = Assert.Throws<ReportWriteException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Equal($"not a directory: {target}", e.Message);
        Assert.Equal("not a directory", e.Cause);
    }

    [Fact]
    public void A_missing_folder_is_named_as_such()
    {
        var target = Path.Combine(_dir.Path, "gone", "leaderboard.csv");
        var e = Assert.Throws<ReportWriteException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Equal($"no such directory: {target}", e.Message);
    }

    [Fact]
    public void A_full_disk_is_named_in_the_systems_words()
    {
        // /dev/full answers every write with ENOSPC: the very exception a full disk gives.
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var fs = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            fs.Write(new byte[8192]);
            fs.Flush(flushToDisk: true);
        });
        Assert.Equal("no space left on device", AtomicFile.Cause(e, "leaderboard.md"));
        Assert.Equal("no space left on device: leaderboard.md", new ReportWriteException("leaderboard.md", AtomicFile.Cause(e, "leaderboard.md")).Message);
    }

    [Fact]
    public void Permission_denied_is_named()
    {
        var e = new UnauthorizedAccessException("Access to the path '/x/report.html' is denied.");
        Assert.Equal("permission denied", AtomicFile.Cause(e, "/x/report.html"));
    }
}
