using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaKd.Dashboard.Bench;

/// <summary>
/// <c>akkakd bench --dashboard</c>: (1) over 1,000 trials appended one by one, each fsync'd, the time from the fsync to
/// the event that carries it at a connected Server-Sent Events client (p50, p95); (2) the time to the first full render
/// of a 10,000-trial sweep: the API end to end (page, list, the sweep whole, on a fresh server) and in headless
/// Chromium when it is installed (navigation to the page's first full drawing); (3) the server's memory with a
/// 100,000-line journal. Goals: p95 under 1 s, 10,000 trials under 2 s, under 300 MB. Synthetic journals in a
/// temporary folder; about half a minute.
/// </summary>
public static class DashboardBench
{
    public static async Task<int> RunAsync(TextWriter output, bool json, CancellationToken ct = default)
    {
        var dir = Directory.CreateTempSubdirectory("akkakd-dashboard-bench-").FullName;
        var result = new JsonObject { ["bench"] = "dashboard" };
        try
        {
            if (!json) output.WriteLine("akkakd bench --dashboard: synthetic journals in " + dir);
            await LatencyAsync(Path.Combine(dir, "latency"), result, json ? null : output, ct);
            await RenderAsync(Path.Combine(dir, "render"), result, json ? null : output, ct);
            await MemoryAsync(Path.Combine(dir, "memory"), result, json ? null : output, ct);
            bool met = (double)result["latency_p95_ms"]! < 1000 && (double)result["render_api_ms"]! < 2000
                       && (result["render_chromium_ms"] is null || (double)result["render_chromium_ms"]! < 2000)
                       && (double)result["memory_working_set_mb"]! < 300;
            result["goals_met"] = met;
            if (json) output.WriteLine(result.ToJsonString());
            else output.WriteLine(met ? "all goals met" : "NOT all goals met");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static SyntheticSweep Grid(string name, int seeds) =>
        new(name, [8, 16, 24, 32, 48, 64, 96, 128, 192, 256], [1, 1.5, 2, 3, 4, 6, 8, 12, 16, 20],
            [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], seeds, nodes: 8);

    /// <summary>Fsync-to-event latency over 1,000 appended trials, one every 2 ms.</summary>
    private static async Task LatencyAsync(string dir, JsonObject result, TextWriter? log, CancellationToken ct)
    {
        const int n = 1000;
        var sweep = Grid("latency", 2);
        var journal = sweep.Write(dir, trials: 0);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [dir], Port = 0 }, ct);
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        var id = JsonNode.Parse(await http.GetStringAsync("/api/sweeps", ct))!.AsArray()[0]!["id"]!.GetValue<string>();
        using var resp = await http.GetAsync($"/api/sweeps/{id}/events", HttpCompletionOption.ResponseHeadersRead, ct);
        var reader = new StreamReader(await resp.Content.ReadAsStreamAsync(ct));
        await NextEventAsync(reader, ct); // the sweep whole, before any trial

        var written = new long[n];
        var received = new long[n];
        var lines = sweep.TrialLines().Take(n).Select((l, i) => l.Replace($"\"id\":\"t{i:x6}\"", $"\"id\":\"L{i}\"")).ToArray();
        var writer = Task.Run(async () =>
        {
            await using var f = new FileStream(journal, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            for (int i = 0; i < n; i++)
            {
                f.Write(Encoding.UTF8.GetBytes(lines[i] + "\n"));
                f.Flush(true);
                written[i] = Stopwatch.GetTimestamp();
                await Task.Delay(2, ct);
            }
        }, ct);
        int got = 0, events = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (got < n)
        {
            var data = await NextEventAsync(reader, timeout.Token);
            long now = Stopwatch.GetTimestamp();
            events++;
            using var doc = JsonDocument.Parse(data);
            foreach (var t in doc.RootElement.GetProperty("trials").EnumerateArray())
                if (t.GetProperty("id").GetString() is { } tid && tid.StartsWith('L') && int.TryParse(tid.AsSpan(1), out var i) && received[i] == 0)
                {
                    received[i] = now;
                    got++;
                }
        }
        await writer;
        var ms = written.Zip(received, (w, r) => Stopwatch.GetElapsedTime(w, r).TotalMilliseconds).Order().ToArray();
        result["latency_trials"] = n;
        result["latency_events"] = events;
        result["latency_p50_ms"] = Round(ms[n / 2]);
        result["latency_p95_ms"] = Round(ms[(int)(n * 0.95)]);
        result["latency_max_ms"] = Round(ms[^1]);
        log?.WriteLine($"fsync -> SSE event, {n} trials appended every 2 ms: p50 {ms[n / 2]:0.0} ms, p95 {ms[(int)(n * 0.95)]:0.0} ms, " +
                       $"max {ms[^1]:0.0} ms ({events} events; goal p95 < 1000 ms)");
    }

    /// <summary>A 10,000-trial sweep: the API end to end on a fresh server, then in Chromium on another fresh server.</summary>
    private static async Task RenderAsync(string dir, JsonObject result, TextWriter? log, CancellationToken ct)
    {
        Grid("render", 11).Write(dir, trials: 10_000);
        var sw = Stopwatch.StartNew();
        string id;
        long bytes;
        await using (var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [dir], Port = 0 }, ct))
        {
            double load = sw.Elapsed.TotalMilliseconds;
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
            await http.GetStringAsync("/", ct);
            id = JsonNode.Parse(await http.GetStringAsync("/api/sweeps", ct))!.AsArray()[0]!["id"]!.GetValue<string>();
            foreach (var a in new[] { "app.js", "charts.js", "style.css" }) await http.GetStringAsync("/assets/" + a, ct);
            bytes = (await http.GetByteArrayAsync($"/api/sweeps/{id}", ct)).Length;
            result["render_trials"] = 10_000;
            result["render_load_ms"] = Round(load);
            result["render_api_ms"] = Round(sw.Elapsed.TotalMilliseconds);
            result["render_api_bytes"] = bytes;
            log?.WriteLine($"10,000 trials, API end to end on a fresh server (read the journal, page, list, the sweep whole): " +
                           $"{sw.Elapsed.TotalMilliseconds:0} ms, {bytes / 1024.0 / 1024:0.0} MB of JSON (journal read in {load:0} ms; goal < 2000 ms)");
        }
        if (!HeadlessChromium.Available())
        {
            result["render_chromium_ms"] = null;
            log?.WriteLine($"10,000 trials in Chromium: not measured ({HeadlessChromium.DefaultPath} is not installed)");
            return;
        }
        await using (var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [dir], Port = 0 }, ct))
        await using (var chromium = await HeadlessChromium.StartAsync(1280, 900, ct: ct))
        {
            await chromium.NavigateAsync(server.BaseUrl + "sweep/" + id, ct);
            if (!await chromium.WaitForAsync("window.__akkakd && window.__akkakd.renderedMs > 0", TimeSpan.FromSeconds(60), ct))
                throw new InvalidOperationException("the sweep page did not render within 60 s");
            var ms = (await chromium.EvaluateAsync("window.__akkakd.renderedMs", ct)).GetDouble();
            var rows = (await chromium.EvaluateAsync("window.__akkakd.rows", ct)).GetInt32();
            result["render_chromium_ms"] = Round(ms);
            log?.WriteLine($"10,000 trials in headless Chromium, navigation to the first full drawing ({rows:N0} configurations, every chart): " +
                           $"{ms:0} ms (goal < 2000 ms)");
        }
    }

    /// <summary>The server's memory after reading a 100,000-line journal and serving its sweep whole once.</summary>
    private static async Task MemoryAsync(string dir, JsonObject result, TextWriter? log, CancellationToken ct)
    {
        var sweep = Grid("memory", 110);
        var journal = sweep.Write(dir, trials: 100_000 - 2);
        long fileBytes = new FileInfo(journal).Length;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(true);
        var sw = Stopwatch.StartNew();
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [dir], Port = 0 }, ct);
        double load = sw.Elapsed.TotalMilliseconds;
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var id = JsonNode.Parse(await http.GetStringAsync("/api/sweeps", ct))!.AsArray()[0]!["id"]!.GetValue<string>();
        sw.Restart();
        long bytes = (await http.GetByteArrayAsync($"/api/sweeps/{id}", ct)).Length;
        double view = sw.Elapsed.TotalMilliseconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long managed = GC.GetTotalMemory(true) - before;
        using var self = Process.GetCurrentProcess();
        double ws = self.WorkingSet64 / 1024.0 / 1024;
        result["memory_lines"] = 100_000;
        result["memory_journal_mb"] = Round(fileBytes / 1024.0 / 1024);
        result["memory_load_ms"] = Round(load);
        result["memory_view_ms"] = Round(view);
        result["memory_view_bytes"] = bytes;
        result["memory_managed_mb"] = Round(managed / 1024.0 / 1024);
        result["memory_working_set_mb"] = Round(ws);
        log?.WriteLine($"100,000-line journal ({fileBytes / 1024.0 / 1024:0} MB): read in {load:0} ms; the sweep whole in {view:0} ms " +
                       $"({bytes / 1024.0 / 1024:0.0} MB of JSON); server's managed heap {managed / 1024.0 / 1024:0} MB, " +
                       $"this process's working set {ws:0} MB (goal < 300 MB)");
    }

    private static async Task<string> NextEventAsync(StreamReader reader, CancellationToken ct)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0 && data.Length > 0) return data.ToString();
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line, 6, line.Length - 6);
        }
        throw new EndOfStreamException("the event stream ended");
    }

    private static double Round(double v) => Math.Round(v, 1, MidpointRounding.AwayFromZero);
}
