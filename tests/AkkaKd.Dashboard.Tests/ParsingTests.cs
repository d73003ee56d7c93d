using System.Text;
using AkkaKd.Dashboard.Journals;
using AkkaKd.Dashboard.Model;
using AkkaKd.Sweep;

namespace AkkaKd.Dashboard.Tests;

public sealed class ParsingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JournalLine P(string s) => JournalLineParser.Parse(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Reads_todays_trial_line_and_the_fields_being_added()
    {
        var t = Assert.IsType<TrialLine>(P("""{"type":"trial","id":"a1","width":32,"temperature":4,"alpha":0.5,"seed":2,"test_acc":0.91,"test_loss":0.3,"teacher_acc":0.97,"params":25450,"teacher_params":2000000,"train_seconds":1.5,"node":"n1","finished":"2026-11-01T12:00:00+00:00","val_acc":0.905,"val_acc_curve":[0.5,0.8,0.905],"epochs":3,"layers":2,"status":"diverged","future_field":{"x":1}}"""));
        Assert.Equal(("a1", 32, 2, 4.0, 0.5, 2), (t.Id, t.Width, t.Layers, t.Temperature!.Value, t.Alpha, t.Seed));
        Assert.Equal(0.905, t.ValAcc);
        Assert.Equal([0.5f, 0.8f, 0.905f], t.ValCurve!);
        Assert.True(t.Diverged);
        Assert.Equal(3, t.Epochs);
    }

    [Theory]
    [InlineData("""{"type":"trial","id":"a","width":"wide","alpha":0.5}""")] // width of the wrong type
    [InlineData("""{"type":"trial","width":8,"alpha":0.5}""")] // no id
    [InlineData("""{"type":"gossip","id":"a"}""")] // a type nobody knows
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"type":"trial","id":"a","wid""")] // torn
    [InlineData("not json at all")]
    [InlineData("""{"type":"rung"}""")]
    public void A_line_it_cannot_use_is_foreign_never_an_exception(string line) => Assert.IsType<ForeignLine>(P(line));

    [Fact]
    public void Missing_optional_fields_read_as_absent()
    {
        var t = Assert.IsType<TrialLine>(P("""{"type":"trial","id":"b","width":8,"alpha":0,"test_acc":"NaN","finished":"yesterday"}"""));
        Assert.Null(t.TestAccuracy);
        Assert.Null(t.Finished);
        Assert.Null(t.Temperature);
        Assert.Null(t.Node);
        Assert.Equal(1, t.Layers);
    }

    [Fact]
    public void Rung_and_decision_lines_are_understood()
    {
        var r = Assert.IsType<RungLine>(P("""{"type":"rung","config_id":"c1","trial_id":"t1","rung":2,"epoch":4,"val_acc":0.8}"""));
        Assert.Equal(("c1", "t1", 2, 4, 0.8), (r.Config, r.TrialId, r.Rung, r.Epoch!.Value, r.ValAcc!.Value));
        var d = Assert.IsType<DecisionLine>(P("""{"type":"decision","config_id":"c1","rung":2,"decision":"stop"}"""));
        Assert.Equal("stop", d.Decision);
    }

    [Fact]
    public void The_tail_holds_a_line_back_until_its_newline_arrives_and_starts_over_when_the_file_shrinks()
    {
        var path = Path.Combine(_dir.Path, Journal.FileName);
        File.WriteAllText(path, "{\"a\":1}\n{\"b\":");
        var tail = new JournalTail(path);
        var seen = new List<string>();
        Assert.True(tail.Read(l => seen.Add(Encoding.UTF8.GetString(l))));
        Assert.Equal(["{\"a\":1}"], seen);
        Assert.Equal(5, tail.Pending); // {"b":
        File.AppendAllText(path, "2}\n");
        Assert.True(tail.Read(l => seen.Add(Encoding.UTF8.GetString(l))));
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], seen);
        Assert.Equal(0, tail.Pending);
        File.WriteAllText(path, "{\"c\":3}\n");
        seen.Clear();
        Assert.False(tail.Read(l => seen.Add(Encoding.UTF8.GetString(l))));
        Assert.Equal(["{\"c\":3}"], seen);
        // Replaced by a longer file that starts otherwise: read again from its first byte.
        File.WriteAllText(path, "{\"d\":4}\n{\"e\":5}\n");
        seen.Clear();
        Assert.False(tail.Read(l => seen.Add(Encoding.UTF8.GetString(l))));
        Assert.Equal(["{\"d\":4}", "{\"e\":5}"], seen);
        // Appended to: carries on.
        File.AppendAllText(path, "{\"f\":6}\n");
        seen.Clear();
        Assert.True(tail.Read(l => seen.Add(Encoding.UTF8.GetString(l))));
        Assert.Equal(["{\"f\":6}"], seen);
    }

    [Fact]
    public void Rows_have_the_same_statistics_as_the_report()
    {
        var state = new SweepState("x", "x", "x");
        var lines = new List<JournalLine>();
        double[] baseVals = [0.80, 0.82, 0.79, 0.81], kdVals = [0.83, 0.84, 0.80, 0.85];
        for (int s = 0; s < 4; s++)
        {
            lines.Add(new TrialLine($"b{s}", 16, 1, null, 0, s, baseVals[s] + 0.01, baseVals[s], null, 100, 1000, 0.9, 1, "n", null, null, false));
            lines.Add(new TrialLine($"k{s}", 16, 1, 4, 0.5, s, kdVals[s] + 0.01, kdVals[s], null, 100, 1000, 0.9, 1, "n", null, null, false));
        }
        state.Apply(lines, false, 0, DateTime.UtcNow);
        var view = state.View();
        Assert.Equal("validation", view.Metric);
        var kd = view.Rows.Single(r => r.Alpha == 0.5);
        var expected = Statistics.Summarize(kdVals);
        Assert.Equal(expected.Mean, kd.Metric!.Mean, 12);
        Assert.Equal(expected.Ci95!.Value, kd.Metric.Ci!.Value, 12);
        var gain = Statistics.Summarize(kdVals.Zip(baseVals, (a, b) => a - b).ToArray());
        Assert.Equal(gain.Mean, kd.Gain!.Mean, 12);
        Assert.Equal(gain.Ci95!.Value, kd.Gain.Ci!.Value, 12);
        Assert.Null(view.Rows.Single(r => r.Alpha == 0).Gain);
    }
}

public sealed class ScaleTests
{
    [Fact]
    public void A_random_search_of_twenty_thousand_configurations_sends_the_best_five_thousand_and_every_baseline()
    {
        var state = new SweepState("r", "r", "r");
        var rng = new Random(3);
        var lines = new List<JournalLine>();
        for (int i = 0; i < 20_000; i++)
        {
            bool baseline = i % 1000 == 0;
            int width = baseline ? 100 + i / 1000 : 8 + (i % 50); // 20 baselines, each of its own width
            lines.Add(new TrialLine($"t{i}", width, 1, baseline ? null : 1 + rng.NextDouble() * 19, baseline ? 0 : rng.NextDouble(), 1,
                0.9, 0.5 + rng.NextDouble() * 0.4, null, 100, 1000, 0.97, 1, "n", DateTimeOffset.UnixEpoch.AddSeconds(i), 10, false));
        }
        state.Apply(lines, false, 0, DateTime.UtcNow);
        var view = state.View();
        int baselines = view.Rows.Count(r => r.Alpha == 0);
        Assert.Equal(20, baselines);
        Assert.Equal(SweepState.MaxRowsSent, view.Rows.Count - baselines);
        Assert.Equal(20_000 - view.Rows.Count, view.RowsLeftOut);
        // The best were kept: no row left out beats the worst row sent.
        double worstSent = view.Rows.Where(r => r.Alpha > 0).Min(r => r.Metric!.Mean);
        Assert.Equal(SweepState.MaxRowsSent, lines.OfType<TrialLine>().Count(t => t.Alpha > 0 && t.ValAcc >= worstSent));
        Assert.Equal(SweepState.MaxTrialsSent, view.Trials.Count);
        Assert.Equal(15_000, view.TrialsLeftOut);
        Assert.Equal("t19999", view.Trials[^1].Id);
    }
}
