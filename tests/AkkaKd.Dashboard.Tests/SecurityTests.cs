using System.Net;
using System.Net.Sockets;
using System.Text;
using AkkaKd.Dashboard.Bench;

namespace AkkaKd.Dashboard.Tests;

/// <summary>Safe by default: tokens off loopback, read-only, nothing served from outside the given folders.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string Secret = "TOP-SECRET-NOT-FOR-THE-DASHBOARD";
    private readonly TempDir _dir = new();
    private readonly string _root;
    private readonly string _journal;

    public SecurityTests()
    {
        // The given folder is root/; next to it, outside, a secret; inside the sweep's folder, a file not on the list.
        _root = _dir.Sub("root");
        File.WriteAllText(Path.Combine(_dir.Path, "secret.txt"), Secret);
        _journal = new SyntheticSweep("s", [16], [2], [0, 0.5], 1).Write(Path.Combine(_root, "s"));
        File.WriteAllText(Path.Combine(_root, "s", "secret.txt"), Secret);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task On_loopback_without_a_token_none_is_asked()
    {
        await using var server = await Api.Start(_root);
        Assert.Null(server.Token);
        Assert.StartsWith("http://127.0.0.1:", server.Url);
        using var c = Api.Client(server);
        Assert.Single(await Api.List(c));
    }

    [Fact]
    public async Task A_required_token_is_asked_of_every_request_and_taken_from_query_cookie_or_header()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [_root], Port = 0, Token = "s3cret" });
        Assert.EndsWith("?token=s3cret", server.Url);
        using var bare = Api.Client(server);
        foreach (var path in new[] { "/", "/api/sweeps", "/api/events", "/assets/app.js", "/sweep/x" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await bare.GetAsync(path)).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/sweeps?token=s3creT");
        Assert.Equal(HttpStatusCode.Unauthorized, (await bare.SendAsync(wrong)).StatusCode);

        // ?token= lets the request in and sets a cookie; later requests need only the cookie.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(server.BaseUrl) };
        var first = await browser.GetAsync("/?token=s3cret");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), h => h.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/sweeps")).StatusCode);

        var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/sweeps");
        bearer.Headers.Authorization = new("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await bare.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task Off_loopback_a_token_is_generated_and_required()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Folders = [_root], Host = "0.0.0.0", Port = 0 });
        Assert.NotNull(server.Token);
        Assert.True(server.Token!.Length >= 24);
        Assert.Contains("?token=", server.Url);
        using var c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}/") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/sweeps")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"/api/sweeps?token={Uri.EscapeDataString(server.Token)}")).StatusCode);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Only_reads_are_answered(string method)
    {
        await using var server = await Api.Start(_root);
        using var c = Api.Client(server);
        var id = await Api.IdOf(c, "s");
        var before = await File.ReadAllBytesAsync(_journal);
        foreach (var path in new[] { "/", "/api/sweeps", $"/api/sweeps/{id}", $"/api/sweeps/{id}/files/results.jsonl" })
        {
            var r = await c.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
        }
        Assert.Equal(before, await File.ReadAllBytesAsync(_journal));
    }

    [Fact]
    public async Task Nothing_outside_the_given_folders_is_served_however_the_path_is_spelled()
    {
        await using var server = await Api.Start(_root);
        using var c = Api.Client(server);
        var id = await Api.IdOf(c, "s");
        // The journal itself is one of the files a sweep page links to.
        var (okStatus, okBody) = await Raw(server.Port, $"/api/sweeps/{id}/files/results.jsonl");
        Assert.Equal(200, okStatus);
        Assert.Contains("\"type\":\"header\"", okBody);

        string[] attempts =
        [
            "/../secret.txt", "/../../etc/passwd", "/assets/../../secret.txt", "/assets/..%2F..%2Fsecret.txt",
            "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fsecret.txt", "/assets/..\\..\\secret.txt", "/assets/%252e%252e%252fsecret.txt",
            $"/api/sweeps/{id}/files/secret.txt", $"/api/sweeps/{id}/files/..%2Fsecret.txt",
            $"/api/sweeps/{id}/files/%2e%2e%2f%2e%2e%2fsecret.txt", $"/api/sweeps/{id}/files/../../secret.txt",
            $"/api/sweeps/{id}/files/..%5C..%5Csecret.txt", "/api/sweeps/..%2F..%2F/files/secret.txt",
            $"/api/sweeps/{id}/files/%2Fetc%2Fpasswd", "/sweep/..%2F..%2Fsecret.txt", "/api/sweeps/%2e%2e",
        ];
        foreach (var path in attempts)
        {
            var (status, body) = await Raw(server.Port, path);
            Assert.DoesNotContain(Secret, body);
            Assert.DoesNotContain("root:", body);
            Assert.True(status is 400 or 404 || (status == 200 && body.Contains("<!doctype html>")), $"{path}: {status}");
        }
    }

    /// <summary>Sends the request line exactly as written (HttpClient would tidy dot segments away).</summary>
    private static async Task<(int Status, string Body)> Raw(int port, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var s = tcp.GetStream();
        await s.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var r = new StreamReader(s);
        var text = await r.ReadToEndAsync();
        var status = int.Parse(text.Split(' ', 3)[1]);
        return (status, text);
    }
}
