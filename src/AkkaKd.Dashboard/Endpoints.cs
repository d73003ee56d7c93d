using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AkkaKd.Dashboard.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AkkaKd.Dashboard;

/// <summary>The routes: pages, embedded assets, the JSON API, the event streams and a few files of a sweep's folder.</summary>
internal static class Endpoints
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The files of a sweep's folder a page may link to, by exact name; nothing else is served from disk.</summary>
    public static readonly FrozenSet<string> SweepFiles =
        new[] { Sweep.Journal.FileName, "report.html", "leaderboard.csv", "leaderboard.md" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app, string? token, SweepCatalog catalog)
    {
        app.Use(new Guard(token).InvokeAsync);
        app.MapGet("/", () => Page());
        app.MapGet("/sweep/{id}", () => Page());
        app.MapGet("/assets/{name}", (string name) =>
            Assets.TryGet(name, out var bytes, out var type) ? Results.Bytes(bytes, type) : Results.NotFound());
        app.MapGet("/api/sweeps", () => Results.Json(catalog.Sweeps.Select(s => s.Summary()), Json));
        app.MapGet("/api/sweeps/{id}", (string id) =>
            catalog.Get(id) is { } s ? Results.Json(s.View(), Json) : Results.NotFound());
        app.MapGet("/api/sweeps/{id}/files/{name}", (string id, string name) => SweepFile(catalog, id, name));
        app.MapGet("/api/events", (HttpContext ctx) => ListEvents(ctx, catalog));
        app.MapGet("/api/sweeps/{id}/events", (HttpContext ctx, string id) => SweepEvents(ctx, catalog, id));
    }

    private static IResult Page() =>
        Assets.TryGet("index.html", out var bytes, out var type) ? Results.Bytes(bytes, type) : Results.NotFound();

    private static IResult SweepFile(SweepCatalog catalog, string id, string name)
    {
        if (!SweepFiles.Contains(name) || catalog.Get(id) is not { } s) return Results.NotFound();
        var dir = Path.GetDirectoryName(s.JournalPath)!;
        var path = Path.Combine(dir, name);
        if (!File.Exists(path) || Path.GetDirectoryName(Path.GetFullPath(path)) != dir) return Results.NotFound();
        var type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".csv" => "text/csv; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        return Results.File(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), type);
    }

    /// <summary>The list page's stream: every sweep's summary, again whenever one changes (at most ten times a second).</summary>
    private static async Task ListEvents(HttpContext ctx, SweepCatalog catalog)
    {
        using var stop = Open(ctx);
        var ct = stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = catalog.ListChanged;
                await Send(ctx, "sweeps", catalog.Sweeps.Select(s => s.Summary()).ToList(), ct);
                await WaitAsync(ctx, changed, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A sweep page's stream: the sweep whole first, then what changed, as it changes (at most ten times a second). A
    /// reconnecting page gets the sweep whole again.
    /// </summary>
    private static async Task SweepEvents(HttpContext ctx, SweepCatalog catalog, string id)
    {
        if (catalog.Get(id) is not { } sweep)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        using var stop = Open(ctx);
        var ct = stop.Token;
        long version = 0;
        int trials = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = sweep.Changed;
                var view = sweep.View(version, trials);
                if (version == 0 || view.Version != version)
                {
                    await Send(ctx, "sweep", view, ct);
                    (version, trials) = (Math.Max(1, view.Version), view.TrialCount);
                }
                await WaitAsync(ctx, changed, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static CancellationTokenSource Open(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache, no-store";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var stopping = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
    }

    private static async Task Send<T>(HttpContext ctx, string name, T data, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(data, Json);
        var head = Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        await ctx.Response.Body.WriteAsync(head, ct);
        await ctx.Response.Body.WriteAsync(json, ct);
        await ctx.Response.Body.WriteAsync("\n\n"u8.ToArray(), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    /// <summary>Waits for the next change (then a moment, so a burst of lines goes as one event), with keep-alives.</summary>
    private static async Task WaitAsync(HttpContext ctx, Task changed, CancellationToken ct)
    {
        while (!changed.IsCompleted)
        {
            var first = await Task.WhenAny(changed, Task.Delay(KeepAlive, ct));
            ct.ThrowIfCancellationRequested();
            if (first != changed)
            {
                await ctx.Response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), ct);
                await ctx.Response.Body.FlushAsync(ct);
            }
        }
        await Task.Delay(MinInterval, ct);
    }

    /// <summary>
    /// Every request passes here: only GET and HEAD (the dashboard changes nothing), the token when one is required
    /// (from <c>?token=</c>, which also sets a cookie, a Bearer header or the cookie), and the pages' safety headers.
    /// </summary>
    private sealed class Guard(string? token)
    {
        private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

        public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
        {
            var h = ctx.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h["X-Frame-Options"] = "DENY";
            h["Content-Security-Policy"] =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
            {
                ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                h.Allow = "GET, HEAD";
                return;
            }
            if (_token != null)
            {
                var cookie = CookieName(ctx);
                if (ctx.Request.Query.TryGetValue("token", out var q) && Matches(q.ToString()))
                {
                    ctx.Response.Cookies.Append(cookie, q.ToString(),
                        new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
                }
                else if (!Matches(ctx.Request.Cookies[cookie]) && !Matches(Bearer(ctx.Request.Headers.Authorization.ToString())))
                {
                    ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    h.WWWAuthenticate = "Bearer";
                    await ctx.Response.WriteAsync("401: this dashboard needs its token: open the URL akkakd printed (it ends in ?token=...)\n");
                    return;
                }
            }
            await next(ctx);
        }

        /// <summary>Cookies are shared by every port of a host: one name per port keeps two dashboards apart.</summary>
        private static string CookieName(HttpContext ctx) => $"akkakd_token_{ctx.Connection.LocalPort}";

        private static string? Bearer(string header) =>
            header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;

        private bool Matches(string? given) =>
            given is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _token);
    }
}
