using System.Diagnostics;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// A network namespace of the test's own, joined to the host by a veth pair (host side HostIp, inside InsideIp, a /24 of
/// 10.213.x.0 chosen at random), that can be cut off from the host and healed: <see cref="Cut"/> adds blackhole routes
/// on both sides (packets between the two addresses vanish, no connection is reset: a real partition, not a crash),
/// <see cref="Heal"/> removes them. Needs root and iproute2's `ip`; without them creating it fails the test with a line
/// that says what is missing (nothing is skipped). Dispose removes the routes, the veth pair and the namespace, also
/// after a failed test.
/// </summary>
public sealed class NetworkPartition : IDisposable
{
    public string Namespace { get; }
    public string HostIp { get; }
    public string InsideIp { get; }
    private readonly string _hostLink, _insideLink;
    private bool _cut;

    private NetworkPartition(string id, int subnet)
    {
        Namespace = "akkakd-" + id;
        _hostLink = "akh" + id;
        _insideLink = "akn" + id;
        HostIp = $"10.213.{subnet}.1";
        InsideIp = $"10.213.{subnet}.2";
    }

    public static NetworkPartition Create()
    {
        Assert.True(File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip"),
            "the partition tests need iproute2's `ip` (apt-get install iproute2; .ci/run installs it)");
        Assert.True(Environment.UserName == "root" || Run("id", "-u").Trim() == "0",
            "the partition tests make a network namespace and need root");
        var n = new NetworkPartition(Guid.NewGuid().ToString("N")[..6], Random.Shared.Next(1, 255));
        try
        {
            Ip("netns", "add", n.Namespace);
            Ip("link", "add", n._hostLink, "type", "veth", "peer", "name", n._insideLink);
            Ip("link", "set", n._insideLink, "netns", n.Namespace);
            Ip("addr", "add", n.HostIp + "/24", "dev", n._hostLink);
            Ip("link", "set", n._hostLink, "up");
            Ip("-n", n.Namespace, "addr", "add", n.InsideIp + "/24", "dev", n._insideLink);
            Ip("-n", n.Namespace, "link", "set", n._insideLink, "up");
            Ip("-n", n.Namespace, "link", "set", "lo", "up");
        }
        catch
        {
            n.Dispose();
            throw;
        }
        return n;
    }

    /// <summary>From now on nothing passes between the namespace and the host.</summary>
    public void Cut()
    {
        _cut = true;
        Ip("route", "add", "blackhole", InsideIp + "/32");
        Ip("-n", Namespace, "route", "add", "blackhole", HostIp + "/32");
    }

    public void Heal()
    {
        if (!_cut) return;
        _cut = false;
        Ip("route", "del", "blackhole", InsideIp + "/32");
        Ip("-n", Namespace, "route", "del", "blackhole", HostIp + "/32");
    }

    public void Dispose()
    {
        // Best effort, each step on its own: what one leaves behind must not keep the others from running.
        TryIp("route", "del", "blackhole", InsideIp + "/32");
        TryIp("link", "del", _hostLink);
        TryIp("netns", "del", Namespace);
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = Exec("ip", args);
        Assert.True(code == 0, $"ip {string.Join(' ', args)}: exit {code}: {output}");
    }

    private static void TryIp(params string[] args) => Exec("ip", args);

    private static string Run(string file, params string[] args) => Exec(file, args).Output;

    private static (int Code, string Output) Exec(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result + error);
    }
}
