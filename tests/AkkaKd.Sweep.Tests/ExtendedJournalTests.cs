using System.Text.Json;

namespace AkkaKd.Sweep.Tests;

/// <summary>
/// A sweep extended with <c>--resume --force</c>: the journal gets a header line per sweep file, reading keeps them all
/// (the last is in force), results not in the current grid are left out with a note, and the header and teacher carry
/// the validation-era fields when they have them.
/// </summary>
public sealed class ExtendedJournalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string JournalPath => _dir.File(Journal.FileName);

    private static SweepSettings Sweep(string grid, int seed = 1) =>
        SweepFile.Parse($"sweep {{ name = x, seed = {seed}, grid {{ {grid} }} }}", "test.hocon");

    private static TrialResult ResultOf(Trial t, double acc = 0.9) =>
        new(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, acc, 0.3, null, 100, 1000, 1, "n", DateTimeOffset.UnixEpoch, acc + 0.01);

    private static async Task Run(SweepPlan plan)
    {
        using (plan.Journal)
            foreach (var t in plan.Trials.Where(t => plan.Finished.All(f => f.Id != t.Id)))
                await plan.Journal.AppendAsync(ResultOf(t));
    }

    [Fact]
    public async Task Adding_seeds_with_force_appends_a_header_and_keeps_every_earlier_result()
    {
        var first = Sweep("width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1]");
        await Run(SweepPlan.Prepare(first, _dir.Path, false, false, "fp"));
        var more = Sweep("width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1, 2]");
        var plan = SweepPlan.Prepare(more, _dir.Path, true, true, "fp");
        Assert.Equal(2, plan.Finished.Count);
        Assert.Contains(plan.Notes, n => n.Contains("new header line", StringComparison.Ordinal));
        await Run(plan);

        var c = Journal.Read(JournalPath);
        Assert.Equal(2, c.Headers.Count);
        Assert.Same(c.Headers[^1], c.Header);
        Assert.Equal(first.Hash(), c.Headers[0].SweepHash);
        Assert.Equal(more.Hash(), c.Header!.SweepHash);
        Assert.Equal(4, c.Header.Trials); // the current grid, not the first one
        Assert.Equal([0, 0, 1, 1], c.ResultHeader);
        var scope = JournalScope.Of(c);
        Assert.Equal(4, scope.Current.Count);
        Assert.Equal(0, scope.LeftOut);
        Assert.Null(scope.Note);

        // Resuming with the sweep file now in force adds no header.
        using (SweepPlan.Prepare(more, _dir.Path, true, false, "fp").Journal) { }
        Assert.Equal(2, Journal.Read(JournalPath).Headers.Count);
    }

    [Fact]
    public async Task Results_of_an_earlier_sweep_file_not_in_the_current_grid_are_left_out_and_counted()
    {
        await Run(SweepPlan.Prepare(Sweep("width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1]"), _dir.Path, false, false, "fp"));
        // Another sweep seed: every trial id differs.
        var other = Sweep("width = [8], temperature = [2], alpha = [0, 0.5], seeds = [1]", seed: 2);
        var plan = SweepPlan.Prepare(other, _dir.Path, true, true, "fp");
        Assert.Empty(plan.Finished);
        await Run(plan);

        var c = Journal.Read(JournalPath);
        Assert.Equal(4, c.Results.Count);
        var scope = JournalScope.Of(c);
        Assert.Equal(plan.Trials.Select(t => t.Id).Order(), scope.Current.Select(r => r.Id).Order());
        Assert.Equal(2, scope.LeftOut);
        Assert.Equal("2 results made under an earlier sweep file left out of the ranking (their trial ids are not in the current grid)", scope.Note);
    }

    [Fact]
    public void With_one_header_or_no_recorded_sweep_file_nothing_is_left_out()
    {
        var h = new JournalHeader("a", "n", "fp", 1, DateTimeOffset.UnixEpoch);
        var r = new TrialResult("x", 8, null, 0, 1, 0.9, 0.3, null, 1, 1, 1, "n", DateTimeOffset.UnixEpoch);
        var one = new JournalContents(h, [r], [], 0, null, 0);
        Assert.Equal([r], JournalScope.Of(one).Current);
        var two = one with { Headers = [h, h with { SweepHash = "b" }], ResultHeader = [1] };
        Assert.Equal([r], JournalScope.Of(two).Current); // no sweep file to expand: nothing can be told apart
    }

    [Fact]
    public void Several_header_lines_and_records_of_unknown_types_read()
    {
        var h1 = new JournalHeader("a", "n", "fp", 2, DateTimeOffset.UnixEpoch);
        var h2 = h1 with { SweepHash = "b", Trials = 4 };
        var r = new TrialResult("x", 8, null, 0, 1, 0.9, 0.3, null, 1, 1, 1, "n", DateTimeOffset.UnixEpoch);
        string J(object o) => JsonSerializer.Serialize(o, Journal.Json);
        _dir.Write(Journal.FileName, string.Join('\n',
            J(h1), J(r), """{"type":"rung","config":"c","trial":"x","rung":1,"epoch":2,"val_acc":0.5}""", J(h2),
            J(r with { Id = "y" }), """{"type":"decision","config":"c","rung":1,"decision":"stop"}""") + "\n");
        var c = Journal.Read(JournalPath);
        Assert.Equal([h1, h2], c.Headers);
        Assert.Equal(h2, c.Header);
        Assert.Equal(["x", "y"], c.Results.Select(x => x.Id));
        Assert.Equal([0, 1], c.ResultHeader);
    }

    [Fact]
    public void The_slices_threads_and_the_teachers_validation_round_trip_and_are_absent_when_null()
    {
        var h = new JournalHeader("a", "n", "fp", 2, DateTimeOffset.UnixEpoch, Train: 7000, Validation: 1000, Test: 2000, ThreadsPerTrial: 1);
        var json = JsonSerializer.Serialize(h, Journal.Json);
        Assert.Contains("\"train\":7000,\"validation\":1000,\"test\":2000,\"threads_per_trial\":1", json);
        Assert.Equal(h, JsonSerializer.Deserialize<JournalHeader>(json, Journal.Json));
        var old = JsonSerializer.Serialize(h with { Train = null, Validation = null, Test = null, ThreadsPerTrial = null }, Journal.Json);
        Assert.DoesNotContain("\"train\"", old);
        Assert.DoesNotContain("threads_per_trial", old);

        var t = new TeacherRecord("k", "h", 0.97, 10, 1, "n", 0.975, [0.9, 0.975]);
        json = JsonSerializer.Serialize(t, Journal.Json);
        Assert.Contains("\"val_acc\":0.975,\"val_acc_curve\":[0.9,0.975]", json);
        var back = JsonSerializer.Deserialize<TeacherRecord>(json, Journal.Json)!;
        Assert.Equal(t.ValAccCurve, back.ValAccCurve);
        Assert.DoesNotContain("val_acc", JsonSerializer.Serialize(t with { ValAcc = null, ValAccCurve = null }, Journal.Json));
    }

    [Fact]
    public void A_new_sweep_records_its_train_and_test_rows()
    {
        var s = Sweep("width = [8], temperature = [2], alpha = [0, 0.5]");
        using (SweepPlan.Prepare(s, _dir.Path, false, false, "fp").Journal) { }
        var h = Journal.Read(JournalPath).Header!;
        Assert.Equal(s.Data.Train, h.Train);
        Assert.Equal(s.Data.Test, h.Test);
    }
}
