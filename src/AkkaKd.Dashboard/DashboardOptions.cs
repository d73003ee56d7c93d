using System.Net;
using System.Security.Cryptography;

namespace AkkaKd.Dashboard;

/// <summary>
/// Where the dashboard reads and listens. It binds 127.0.0.1 unless told otherwise; on any other address a token is
/// required (the one given, or one generated and printed with the URL). A token given on loopback is required too.
/// </summary>
public sealed record DashboardOptions
{
    /// <summary>Sweep output folders, parents of many, or journals themselves.</summary>
    public IReadOnlyList<string> Folders { get; init; } = [];

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 takes any free one (the bound URL says which).</summary>
    public int Port { get; init; } = 8080;

    public string? Token { get; init; }

    /// <summary>The token that requests must carry, or null when none is needed (loopback without a token).</summary>
    internal string? EffectiveToken(IPAddress address) =>
        Token is { Length: > 0 } t ? t : IPAddress.IsLoopback(address) ? null : NewToken();

    /// <summary>The address to bind: an IP address, "localhost" (127.0.0.1), or a host name resolved to its first address.</summary>
    internal IPAddress Address()
    {
        var host = Host.Trim('[', ']');
        if (host is "" or "localhost") return IPAddress.Loopback;
        if (host == "*" || host == "+") return IPAddress.Any;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        return Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"--host {Host}: no address for this name");
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
