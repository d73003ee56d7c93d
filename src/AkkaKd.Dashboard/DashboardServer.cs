using System.Net;
using System.Net.Sockets;
using AkkaKd.Dashboard.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaKd.Dashboard;

/// <summary>
/// The live dashboard: Kestrel serving the pages and the sweeps found under the given folders, read from their journals
/// alone, with changes pushed to open pages by Server-Sent Events. Read-only: it answers GET and HEAD only.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SweepCatalog _catalog;
    private int _stopped;

    private DashboardServer(WebApplication app, SweepCatalog catalog, string baseUrl, string? token)
    {
        _app = app;
        _catalog = catalog;
        BaseUrl = baseUrl;
        Token = token;
    }

    /// <summary>The address to open, e.g. http://127.0.0.1:8080/ (without the token).</summary>
    public string BaseUrl { get; }

    /// <summary>The token requests must carry, or null when none is needed.</summary>
    public string? Token { get; }

    /// <summary>The URL to open in a browser: the base URL with <c>?token=</c> when one is needed.</summary>
    public string Url => Token is null ? BaseUrl : $"{BaseUrl}?token={Uri.EscapeDataString(Token)}";

    public int Port => new Uri(BaseUrl).Port;

    public SweepCatalog Catalog => _catalog;

    /// <summary>
    /// Reads every journal under the folders, binds and starts serving. Throws <see cref="ArgumentException"/> for a
    /// folder that does not exist or a host that cannot be bound to, <see cref="IOException"/> for a port in use.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken ct = default)
    {
        if (options.Folders.Count == 0) throw new ArgumentException("name at least one folder with sweeps in it");
        foreach (var f in options.Folders)
            if (!Directory.Exists(f) && !File.Exists(f))
                throw new ArgumentException($"{f}: no such folder");
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"--port {options.Port}: not a port (0..65535; 0 takes any free one)");
        IPAddress address;
        try
        {
            address = options.Address();
        }
        catch (SocketException e)
        {
            throw new ArgumentException($"--host {options.Host}: {e.Message}");
        }
        var token = options.EffectiveToken(address);

        var catalog = new SweepCatalog(options.Folders);
        catalog.Start();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "akkakd-dashboard", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // The caller owns signals (akkakd dashboard, or a sweep serving its own page): the host must not take Ctrl-C.
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Services.AddSingleton(catalog);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, options.Port);
        });
        var app = builder.Build();
        Endpoints.Map(app, token, catalog);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            await catalog.DisposeAsync();
            throw;
        }
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new DashboardServer(app, catalog, $"http://{DisplayHost(address)}:{bound.Port}/", token);
    }

    private static string DisplayHost(IPAddress a) =>
        a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) ? Dns.GetHostName()
        : a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]"
        : a.ToString();

    /// <summary>Stops serving (open event streams end at once) and stops following the journals.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>A host lifetime that leaves signals alone.</summary>
    private sealed class CallerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
