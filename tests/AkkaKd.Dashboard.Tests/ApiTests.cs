using System.Diagnostics;
using System.Text.Json;
using AkkaKd.Dashboard.Bench;
using AkkaKd.Dashboard.Model;
using Xunit.Abstractions;

namespace AkkaKd.Dashboard.Tests;

/// <summary>The JSON API and the event streams, against Kestrel on a free port.</summary>
public sealed class ApiTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SyntheticSweep Small(string name = "small", bool validation = true) =>
        new(name, [16, 32], [2, 4], [0, 0.5, 0.9], seeds: 3, validation: validation);

    [Fact]
    public async Task Lists_every_sweep_under_a_parent_folder_with_state_progress_and_best()
    {
        Small("alpha").Write(Path.Combine(_dir.Path, "alpha"));
        Small("deep", validation: false).Write(Path.Combine(_dir.Path, "lab", "2026", "deep"), trials: 5);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "empty-folder"));
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var list = await Api.List(c);
        Assert.Equal(["alpha", "deep"], list.Select(s => s.Name).Order());
        var alpha = list.Single(s => s.Name == "alpha");
        Assert.Equal((30, 30, "finished", "validation"), (alpha.Done, alpha.Total!.Value, alpha.State, alpha.Metric));
        Assert.NotNull(alpha.Best);
        var deep = list.Single(s => s.Name == "deep");
        Assert.Equal((5, "running", "test", "lab/2026/deep"), (deep.Done, deep.State, deep.Metric, deep.Path));
    }

    [Fact]
    public async Task A_configuration_with_a_diverged_seed_has_no_metric_and_says_where_it_diverged()
    {
        string Trial(string id, double? t, double alpha, int seed, double? val, int? divergedAt) =>
            $"{{\"type\":\"trial\",\"id\":\"{id}\",\"width\":8,\"temperature\":{(t is { } x ? x.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}," +
            $"\"alpha\":{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"seed\":{seed},\"params\":100,\"train_seconds\":1,\"node\":\"n\"," +
            (divergedAt is { } e
                ? $"\"status\":\"diverged\",\"diverged_epoch\":{e},\"diverged_reason\":\"loss NaN at epoch {e}\"}}"
                : $"\"test_acc\":{val!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"val_acc\":{val.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"status\":\"ok\"}}");
        File.WriteAllLines(Path.Combine(_dir.Path, "results.jsonl"),
        [
            "{\"type\":\"header\",\"sweep_hash\":\"h\",\"sweep_name\":\"div\",\"data_fingerprint\":\"f\",\"trials\":6,\"created\":\"2026-11-01T12:00:00+00:00\",\"validation\":100}",
            Trial("b1", null, 0, 1, 0.80, null), Trial("b2", null, 0, 2, 0.82, null),
            Trial("k1", 4, 0.5, 1, 0.85, null), Trial("k2", 4, 0.5, 2, 0.86, null),
            Trial("d1", 8, 0.5, 1, null, 5), Trial("d2", 8, 0.5, 2, 0.99, null), // one seed diverged: its 99% does not rank it
        ]);
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var v = await Api.Sweep(c, await Api.IdOf(c, "div"));
        var diverged = v.Rows.Single(r => r.T == 8);
        Assert.Null(diverged.Metric); // ranked last: the page ranks a row without a metric after every other
        Assert.Null(diverged.Gain);
        Assert.Equal((1, 5), (diverged.Diverged, diverged.DivergedEpoch!.Value));
        Assert.NotNull(v.Rows.Single(r => r.T == 4).Metric);
        Assert.Equal(1, v.Progress.Diverged);
        Assert.True(v.Trials.Single(t => t.Id == "d1").Diverged);
    }

    [Fact]
    public async Task A_sweep_comes_whole_ranked_on_validation_with_intervals_gains_and_curves()
    {
        var sweep = Small();
        sweep.Write(_dir.Path);
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var v = await Api.Sweep(c, await Api.IdOf(c, "small"));
        Assert.True(v.Full);
        Assert.Equal("validation", v.Metric);
        Assert.Equal(2 * (1 + 2 * 2), v.Rows.Count);
        Assert.All(v.Rows, r => Assert.Equal(3, r.Seeds));
        Assert.All(v.Rows, r => Assert.NotNull(r.Metric!.Ci));
        Assert.All(v.Rows.Where(r => r.Alpha > 0), r => Assert.Equal(3, r.Gain!.N));
        Assert.All(v.Rows.Where(r => r.Alpha == 0), r => Assert.Null(r.Gain));
        Assert.Equal(30, v.Trials.Count);
        Assert.Equal(30, v.Progress.Done);
        Assert.Equal(300, v.Progress.Epochs);
        Assert.NotEmpty(v.Curves);
        Assert.Equal(10, v.Curves[0].Mean.Length);
        Assert.Equal(("synthetic-small", "fp-synthetic"), (v.Header!.SweepHash, v.Header.DataFingerprint));
        Assert.Equal(0.972, v.Teacher!.ValAcc);
        // The page is served, self-contained: its scripts and style come from this server.
        var html = await c.GetStringAsync($"/sweep/{v.Id}");
        Assert.Contains("/assets/app.js", html);
        Assert.DoesNotContain("http", html.Replace("http://www.w3.org", ""), StringComparison.OrdinalIgnoreCase);
        foreach (var a in new[] { "app.js", "charts.js", "style.css" })
            Assert.DoesNotContain("https://", await c.GetStringAsync("/assets/" + a));
    }

    [Fact]
    public async Task An_appended_trial_reaches_an_open_event_stream_within_two_seconds()
    {
        var sweep = Small();
        var journal = sweep.Write(_dir.Path, trials: 10);
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var id = await Api.IdOf(c, "small");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = Api.Events(c, $"/api/sweeps/{id}/events", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());
        var first = JsonSerializer.Deserialize<SweepView>(events.Current.Data, Api.Json)!;
        Assert.Equal(("sweep", true, 10), (events.Current.Event, first.Full, first.TrialCount));

        var sw = Stopwatch.StartNew();
        SyntheticSweep.AppendDurably(journal, sweep.TrialLine("appended-1", 32, 4, 0.5, 7));
        SweepView? delta = null;
        while (delta is null && await events.MoveNextAsync())
        {
            var v = JsonSerializer.Deserialize<SweepView>(events.Current.Data, Api.Json)!;
            if (v.Trials.Any(t => t.Id == "appended-1")) delta = v;
        }
        sw.Stop();
        output.WriteLine($"appended line reached the event stream after {sw.ElapsedMilliseconds} ms");
        Assert.NotNull(delta);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"{sw.ElapsedMilliseconds} ms");
        // Only what changed: the new trial, its configuration's row, not the whole sweep again.
        Assert.False(delta.Full);
        Assert.Single(delta.Trials);
        Assert.Equal(11, delta.TrialCount);
        Assert.Contains(delta.Rows, r => r.Width == 32 && r.T == 4 && r.Alpha == 0.5 && r.Seeds >= 1);
        Assert.True(delta.Rows.Count < first.Rows.Count + 1);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Torn_foreign_and_odd_lines_never_break_an_endpoint()
    {
        var sweep = Small();
        var lines = new List<string>
        {
            sweep.HeaderLine(),
            "this is not json",
            """{"type":"gossip","from":"another program"}""",
            """{"type":"trial","id":"no-width","alpha":0.5}""",
            """{"type":"trial","id":"bare","width":16,"alpha":0}""",
            sweep.TrialLine("ok-1", 16, 2, 0.5, 1),
            sweep.TrialLine("ok-1", 16, 2, 0.5, 1),
            """{"type":"trial","id":"odd","width":16,"temperature":"hot","alpha":0.9,"test_acc":null,"val_acc":"x","val_acc_curve":[0.1,"y",null]}""",
            """{"type":"rung","config_id":"c1","rung":0,"epoch":1,"val_acc":0.7}""",
            """{"type":"decision","config_id":"c1","rung":0,"decision":"stop"}""",
        };
        var journal = Path.Combine(_dir.Sub("odd"), "results.jsonl");
        File.WriteAllText(journal, string.Join("\n", lines) + "\n" + """{"type":"trial","id":"torn","wid""");
        // Two more: an empty journal and one with only half a header.
        File.WriteAllText(Path.Combine(_dir.Sub("empty"), "results.jsonl"), "");
        File.WriteAllText(Path.Combine(_dir.Sub("half"), "results.jsonl"), """{"type":"hea""");

        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var list = await Api.List(c);
        Assert.Equal(3, list.Count);
        foreach (var s in list)
        {
            var v = await Api.Sweep(c, s.Id);
            Assert.Equal(s.Id, v.Id);
            var html = await c.GetAsync($"/sweep/{s.Id}");
            Assert.True(html.IsSuccessStatusCode);
        }
        var odd = await Api.Sweep(c, list.Single(s => s.Path == "odd").Id);
        Assert.Equal(3, odd.Progress.Done); // bare, ok-1, odd
        Assert.Equal((3, 1), (odd.Notes.Foreign, odd.Notes.Duplicates));
        Assert.True(odd.Notes.PendingBytes > 0);
        Assert.Single(odd.Rungs);
        Assert.Equal("stop", odd.Rungs[0].Decision);

        // The torn line completes: it counts now.
        File.AppendAllText(journal, "th\":16,\"alpha\":0.5,\"temperature\":4,\"seed\":2}\n");
        var sw = Stopwatch.StartNew();
        while ((await Api.Sweep(c, odd.Id)).Progress.Done < 4 && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        var after = await Api.Sweep(c, odd.Id);
        Assert.Equal(4, after.Progress.Done);
        Assert.Equal(0, after.Notes.PendingBytes);
    }

    [Fact]
    public async Task A_journal_that_starts_over_is_sent_whole_again_to_an_open_stream()
    {
        var journal = Small().Write(_dir.Path, trials: 12);
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var id = await Api.IdOf(c, "small");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = Api.Events(c, $"/api/sweeps/{id}/events", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(12, JsonSerializer.Deserialize<SweepView>(events.Current.Data, Api.Json)!.TrialCount);

        // Deleted and started again (a new sweep in the same folder): fewer trials, other configurations.
        File.Delete(journal);
        new SyntheticSweep("small", [64], [8], [0, 0.9], seeds: 1).Write(_dir.Path, trials: 2);
        SweepView? v = null;
        while (await events.MoveNextAsync())
        {
            v = JsonSerializer.Deserialize<SweepView>(events.Current.Data, Api.Json)!;
            if (v.Full && v.TrialCount == 2) break;
        }
        Assert.True(v!.Full);
        Assert.Equal(2, v.Rows.Count);
        Assert.All(v.Rows, r => Assert.Equal(64, r.Width));
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Without_validation_accuracy_the_ranking_says_selected_on_test()
    {
        Small(validation: false).Write(_dir.Path);
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        var v = await Api.Sweep(c, await Api.IdOf(c, "small"));
        Assert.Equal("test", v.Metric);
        Assert.All(v.Rows, r => Assert.Equal(r.Test!.Mean, r.Metric!.Mean));
        Assert.Empty(v.Curves);
        Assert.Null(v.Progress.Epochs);
    }

    [Fact]
    public async Task A_sweep_started_after_the_dashboard_appears_in_the_list_stream()
    {
        await using var server = await Api.Start(_dir.Path);
        using var c = Api.Client(server);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = Api.Events(c, "/api/events", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("[]", events.Current.Data);
        Small("late").Write(Path.Combine(_dir.Path, "late"), trials: 3);
        var sw = Stopwatch.StartNew();
        List<SweepSummary>? seen = null;
        while (await events.MoveNextAsync())
        {
            seen = JsonSerializer.Deserialize<List<SweepSummary>>(events.Current.Data, Api.Json)!;
            if (seen.Any(s => s.Name == "late" && s.Done == 3)) break;
        }
        output.WriteLine($"new sweep listed after {sw.ElapsedMilliseconds} ms");
        Assert.Contains(seen!, s => s.Name == "late" && s.Done == 3);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15));
        await events.DisposeAsync();
    }

    [Fact]
    public async Task A_port_in_use_is_an_io_error_and_leaves_nothing_running()
    {
        await using var first = await Api.Start(_dir.Path);
        await Assert.ThrowsAnyAsync<IOException>(() =>
            DashboardServer.StartAsync(new DashboardOptions { Folders = [_dir.Path], Port = first.Port }));
        using var c = Api.Client(first);
        Assert.Empty(await Api.List(c));
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_refused_by_name()
    {
        var missing = Path.Combine(_dir.Path, "nope");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Api.Start(missing));
        Assert.Contains(missing, e.Message);
    }
}
