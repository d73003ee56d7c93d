using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaKd.Dashboard.Bench;

/// <summary>
/// Debian's headless Chromium driven over the Chrome DevTools protocol (a WebSocket, System.Net.WebSockets): open a
/// page, evaluate JavaScript in it, take a screenshot. For the browser tests and the benchmark; no package needed.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _calls = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _receive;
    private int _next;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static bool Available(string path = DefaultPath) => File.Exists(path);

    /// <summary>Starts Chromium with a fresh profile and attaches to its first page.</summary>
    public static async Task<HeadlessChromium> StartAsync(int width = 1280, int height = 900, string path = DefaultPath, CancellationToken ct = default)
    {
        var profile = Directory.CreateTempSubdirectory("akkakd-chromium-").FullName;
        var psi = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--disable-extensions", "--mute-audio",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
                 })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var chromium = new HeadlessChromium(process, profile);
        try
        {
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            string? browserWs = null;
            while (browserWs is null)
            {
                var line = await process.StandardError.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("chromium exited before it listened");
                const string marker = "DevTools listening on ";
                if (line.StartsWith(marker, StringComparison.Ordinal)) browserWs = line[marker.Length..].Trim();
            }
            _ = DrainAsync(process.StandardError);
            var http = new Uri(browserWs.Replace("ws://", "http://"));
            using var client = new HttpClient();
            string pageWs = "";
            for (int i = 0; i < 100 && pageWs.Length == 0; i++)
            {
                var list = JsonNode.Parse(await client.GetStringAsync($"http://{http.Authority}/json/list", timeout.Token))!.AsArray();
                pageWs = list.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>() ?? "";
                if (pageWs.Length == 0) await Task.Delay(100, timeout.Token);
            }
            if (pageWs.Length == 0) throw new InvalidOperationException("chromium has no page to attach to");
            await chromium._socket.ConnectAsync(new Uri(pageWs), timeout.Token);
            chromium._receive = Task.Run(chromium.ReceiveLoopAsync);
            await chromium.CallAsync("Page.enable", null, timeout.Token);
            await chromium.CallAsync("Runtime.enable", null, timeout.Token);
            return chromium;
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }
    }

    private static async Task DrainAsync(StreamReader r)
    {
        try
        {
            while (await r.ReadLineAsync() != null)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    public async Task<JsonElement> CallAsync(string method, object? parameters, CancellationToken ct = default)
    {
        int id = Interlocked.Increment(ref _next);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = tcs;
        var json = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(json, WebSocketMessageType.Text, true, ct);
        using var reg = ct.Register(() => tcs.TrySetCanceled(ct));
        return await tcs.Task;
    }

    /// <summary>Opens <paramref name="url"/> and waits for its load event.</summary>
    public async Task NavigateAsync(string url, CancellationToken ct = default)
    {
        await CallAsync("Page.navigate", new { url }, ct);
        await WaitForAsync("document.readyState === 'complete'", TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (as JSON).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken ct = default)
    {
        var r = await CallAsync("Runtime.evaluate", new { expression, returnByValue = true }, ct);
        if (r.TryGetProperty("exceptionDetails", out var ex)) throw new InvalidOperationException("page script failed: " + ex.GetRawText());
        return r.GetProperty("result").TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Evaluates <paramref name="condition"/> every 25 ms until it is true; false when the time ran out.</summary>
    public async Task<bool> WaitForAsync(string condition, TimeSpan timeout, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            var v = await EvaluateAsync($"!!({condition})", ct);
            if (v.ValueKind == JsonValueKind.True) return true;
            await Task.Delay(25, ct);
        }
        return false;
    }

    /// <summary>A PNG of the whole page at the given width, or of the band from <paramref name="top"/> down <paramref name="band"/> pixels.</summary>
    public async Task<byte[]> ScreenshotAsync(int width, int top = 0, int? band = null, CancellationToken ct = default)
    {
        var height = (await EvaluateAsync("Math.ceil(document.documentElement.scrollHeight)", ct)).GetInt32();
        await CallAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false }, ct);
        object shot = band is { } b
            ? new { format = "png", captureBeyondViewport = true, clip = new { x = 0, y = top, width, height = Math.Min(b, height - top), scale = 1 } }
            : new { format = "png", captureBeyondViewport = true };
        var r = await CallAsync("Page.captureScreenshot", shot, ct);
        return Convert.FromBase64String(r.GetProperty("data").GetString()!);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                using (var doc = JsonDocument.Parse(message.ToArray()))
                {
                    var root = doc.RootElement;
                    if (root.TryGetProperty("id", out var idEl) && _calls.TryRemove(idEl.GetInt32(), out var tcs))
                    {
                        if (root.TryGetProperty("error", out var err)) tcs.TrySetException(new InvalidOperationException("DevTools: " + err.GetRawText()));
                        else tcs.TrySetResult(root.TryGetProperty("result", out var res) ? res.Clone() : default);
                    }
                }
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        foreach (var c in _calls.Values) c.TrySetException(new InvalidOperationException("chromium went away"));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            if (_socket.State == WebSocketState.Open) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
        if (_receive != null) await _receive.ConfigureAwait(false);
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
