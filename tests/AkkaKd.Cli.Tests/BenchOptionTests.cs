using System.Text.Json.Nodes;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// bench's teacher: not given is the default 1200-1200, not an empty list (System.CommandLine reads a missing array
/// option as empty: the teacher was then a linear model and the peer died on "--teacher ''").
/// </summary>
public sealed class BenchOptionTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();

    private async Task<JsonObject> TeacherRow(params string[] extra)
    {
        var (code, output, err) = await Akkakd.Run(_dir, TimeSpan.FromMinutes(2), ["bench", "--json", "--train", "300", "--val", "0",
            "--test", "100", "--teacher-epochs", "1", "--epochs", "1", "--width", "4", "--runs", "1", "--threads", "1", .. extra]);
        Assert.True(code == 0, $"exit {code}: {err}");
        return output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject())
            .First(o => (string?)o["phase"] == "teacher" && o["summary"] is null);
    }

    [Fact]
    public async Task Without_teacher_the_teacher_is_1200_1200() =>
        Assert.Equal("1200,1200", (string?)(await TeacherRow())["widths"]);

    [Fact]
    public async Task With_teacher_the_teacher_is_as_written() =>
        Assert.Equal("30,40", (string?)(await TeacherRow("--teacher", "30,40"))["widths"]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
