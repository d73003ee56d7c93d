using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AkkaKd.Dashboard.Model;

namespace AkkaKd.Dashboard.Tests;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "akkakd-dashboard-tests-" + Guid.NewGuid().ToString("N"));

    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<DashboardServer> Start(params string[] folders) =>
        await DashboardServer.StartAsync(new DashboardOptions { Folders = folders, Port = 0 });

    public static HttpClient Client(DashboardServer s) => new() { BaseAddress = new Uri(s.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<List<SweepSummary>> List(HttpClient c) =>
        (await c.GetFromJsonAsync<List<SweepSummary>>("/api/sweeps", Json))!;

    public static async Task<SweepView> Sweep(HttpClient c, string id) =>
        (await c.GetFromJsonAsync<SweepView>($"/api/sweeps/{id}", Json))!;

    public static async Task<string> IdOf(HttpClient c, string name) => (await List(c)).Single(s => s.Name == name).Id;

    /// <summary>Server-Sent Events from <paramref name="path"/>: (event name, data) as they arrive.</summary>
    public static async IAsyncEnumerable<(string Event, string Data)> Events(HttpClient c, string path, [EnumeratorCancellation] CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        using var resp = await c.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        resp.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync(ct));
        string ev = "message", data = "";
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return (ev, data);
                (ev, data) = ("message", "");
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) ev = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
    }
}
