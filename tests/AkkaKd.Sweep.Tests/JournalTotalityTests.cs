using System.Text.Json;

namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Whatever a journal line holds, reading gives the contents or one JournalException line naming the file and line and
/// what is wrong in a user's words; bad lines can be set aside on request.
/// </summary>
public sealed class JournalTotalityTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string JournalPath => _dir.File(Journal.FileName);

    private static string HeaderLine => JsonSerializer.Serialize(new JournalHeader(new string('a', 64), "n", "fp", 3, T0), Journal.Json);

    private static string TrialLine(string id, double acc = 0.9) => JsonSerializer.Serialize(
        new TrialResult(id, 16, 2, 0.5, 1, acc, 0.3, 0.97, 100, 1000, 1.5, "node", T0), Journal.Json);

    private void Write(params string[] lines) => File.WriteAllText(JournalPath, string.Join("\n", lines) + "\n");

    /// <summary>Reading throws one line naming the file, line 3 and every keyword, with no .NET internals.</summary>
    private JournalException Refused(string badLine, params string[] keywords)
    {
        Write(HeaderLine, TrialLine("t1"), badLine, TrialLine("t2"));
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath));
        AssertOneLine(e.Message);
        Assert.Contains($"{JournalPath}: line 3: ", e.Message);
        Assert.Contains(JournalReader.SetAsideOption, e.Message);
        foreach (var k in keywords) Assert.Contains(k, e.Message);
        return e;
    }

    internal static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain("LineNumber", message);
        Assert.DoesNotContain("BytePosition", message);
        Assert.DoesNotContain("System.", message);
        Assert.DoesNotContain("Exception", message);
    }

    [Theory]
    [InlineData("[1,2,3]", "not an object (a list)")]
    [InlineData("5", "not an object (the number 5)")]
    [InlineData("null", "not an object (null)")]
    [InlineData("\"trial\"", "not an object (the text \"trial\")")]
    [InlineData("true", "not an object (true)")]
    public void A_line_that_is_JSON_but_not_an_object(string line, string words) => Refused(line, words);

    [Theory]
    [InlineData("{\"type\":5}", "\"type\" is the number 5, not text")]
    [InlineData("{\"type\":null}", "\"type\" is null, not text")]
    [InlineData("{\"type\":[\"trial\"]}", "\"type\" is a list, not text")]
    [InlineData("{\"id\":\"x\"}", "no \"type\" field")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"width\":\"wide\"}", "\"width\" is the text \"wide\", expected a whole number")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"test_acc\":\"abc\"}", "\"test_acc\" is the text \"abc\", expected a number")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"finished\":5}", "\"finished\" is the number 5, expected a date and time")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"width\":1e10}", "\"width\" is the number 1e10, expected a whole number")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"params\":1.5}", "\"params\" is the number 1.5, expected a whole number")]
    [InlineData("{\"type\":\"trial\",\"id\":7}", "\"id\" is the number 7, expected text")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"val_acc_curve\":{}}", "\"val_acc_curve\" is an object, expected a list of numbers")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"val_acc_curve\":[0.5,null]}", "\"val_acc_curve\" is null, expected a number")]
    [InlineData("{\"type\":\"teacher\",\"key\":\"k\",\"test_acc\":[]}", "\"test_acc\" is a list, expected a number")]
    [InlineData("{\"type\":\"trial\",\"width\":8}", "a trial without an \"id\"")]
    public void Wrong_types_are_named_in_words(string line, string words) => Refused(line, words);

    [Theory]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"test_acc\":7.5}", "\"test_acc\" is 7.5, outside 0..1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"test_acc\":-0.1}", "\"test_acc\" is -0.1, outside 0..1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"teacher_acc\":1.5}", "\"teacher_acc\" is 1.5, outside 0..1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"alpha\":2}", "\"alpha\" is 2, outside 0..1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"params\":-1}", "\"params\" is -1, expected a whole number >= 0")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"width\":0}", "\"width\" is 0, expected a whole number >= 1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"temperature\":-2}", "\"temperature\" is -2, expected a number > 0")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"train_seconds\":-3}", "\"train_seconds\" is -3, expected a number >= 0")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"val_acc_curve\":[0.5,2]}", "\"val_acc_curve\" is 2, outside 0..1")]
    [InlineData("{\"type\":\"teacher\",\"key\":\"k\",\"test_acc\":99}", "\"test_acc\" is 99, outside 0..1")]
    [InlineData("{\"type\":\"trial\",\"id\":\"x\",\"test_loss\":1e999}", "\"test_loss\" is the number 1e999, expected a number")]
    public void Values_out_of_range_are_refused(string line, string words) => Refused(line, words);

    [Fact]
    public void A_header_with_a_negative_trial_count_is_refused_on_line_1()
    {
        File.WriteAllText(JournalPath, "{\"type\":\"header\",\"sweep_hash\":\"abc\",\"trials\":-4}\n");
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath));
        AssertOneLine(e.Message);
        Assert.Contains("line 1: \"trials\" is -4", e.Message);
    }

    [Fact]
    public void Missing_and_null_fields_take_their_defaults_and_new_fields_are_ignored()
    {
        Write(HeaderLine,
            "{\"type\":\"trial\",\"id\":\"bare\"}",
            "{\"type\":\"trial\",\"id\":\"nulls\",\"test_acc\":null,\"node\":null,\"temperature\":null,\"val_acc_curve\":[0.5,0.75]," +
            "\"status\":\"diverged\",\"diverged_epoch\":3,\"something_new\":{\"a\":[1]}}",
            "{\"type\":\"teacher\"}");
        var c = Journal.Read(JournalPath);
        Assert.Equal(["bare", "nulls"], c.Results.Select(r => r.Id));
        Assert.Equal(0, c.Results[1].TestAccuracy);
        Assert.Equal("", c.Results[1].Node);
        Assert.Null(c.Results[1].Temperature);
        Assert.Equal("", Assert.Single(c.Teachers).Key);
    }

    [Fact]
    public async Task A_bad_line_is_set_aside_on_request_and_the_rest_kept()
    {
        Write(HeaderLine, TrialLine("t1"), "[1,2,3]", TrialLine("t2"), "{\"type\":\"trial\",\"id\":\"t3\",\"test_acc\":7.5}", TrialLine("t4"));
        File.AppendAllText(JournalPath, "{\"type\":\"trial\",\"id\":\"torn"); // and a torn tail, which stays as it was
        var c = Journal.Read(JournalPath, setAside: true);
        Assert.Equal(2, c.SetAside);
        Assert.Equal(["t1", "t2", "t4"], c.Results.Select(r => r.Id));
        Assert.Equal(["[1,2,3]", "{\"type\":\"trial\",\"id\":\"t3\",\"test_acc\":7.5}"],
            File.ReadAllLines(JournalPath + JournalReader.BadSuffix));
        Assert.False(File.Exists(JournalPath + ".tmp"));

        // The journal now reads without the option, keeps its torn tail, and appends cleanly after it is cut.
        var again = Journal.Read(JournalPath);
        Assert.Equal(0, again.SetAside);
        Assert.Equal("{\"type\":\"trial\",\"id\":\"torn", again.TornTail);
        Assert.Equal(c.GoodLength, again.GoodLength);
        using (var j = Journal.Append(JournalPath, again))
            await j.AppendAsync(JsonSerializer.Deserialize<TrialResult>(TrialLine("t5"), Journal.Json)!);
        Assert.Equal(["t1", "t2", "t4", "t5"], Journal.Read(JournalPath).Results.Select(r => r.Id));
    }

    [Fact]
    public void A_journal_whose_every_record_is_bad_keeps_refusing_without_a_header()
    {
        Write("[1]", TrialLine("t1"));
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath, setAside: true));
        AssertOneLine(e.Message);
        Assert.Contains("line 2: the first record is not a journal header", e.Message);
        Assert.Equal(2, File.ReadAllLines(JournalPath).Length); // nothing was rewritten
    }

    [Fact]
    public void A_folder_where_the_journal_belongs_is_one_line()
    {
        Directory.CreateDirectory(JournalPath);
        var e = Assert.Throws<JournalException>(() => Journal.Read(JournalPath));
        AssertOneLine(e.Message);
        Assert.Contains("is a folder", e.Message);
    }
}
