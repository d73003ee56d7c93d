using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AkkaKd.Cli.Tests;

/// <summary>The real akkakd program, run as a process (dotnet akkakd.dll ...), with its output captured.</summary>
public sealed class Akkakd : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();

    private Akkakd(Process p)
    {
        _process = p;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "akkakd.dll");

    public int Id => _process.Id;
    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static Akkakd Start(string workDir, params string[] args) => Start(workDir, new Dictionary<string, string?>(), args);

    /// <summary>Starts akkakd with these environment variables set (a null value removes the variable).</summary>
    public static Akkakd Start(string workDir, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(workDir, environment, [], args);

    /// <summary>Starts akkakd inside a network namespace (ip netns exec NS dotnet akkakd.dll ...; needs root).</summary>
    public static Akkakd StartInNamespace(string workDir, string netns, params string[] args) =>
        Start(workDir, new Dictionary<string, string?>(), ["ip", "netns", "exec", netns], args);

    private static Akkakd Start(string workDir, IReadOnlyDictionary<string, string?> environment, string[] prefix, string[] args)
    {
        var psi = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : "dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Skip(1)) psi.ArgumentList.Add(a);
        if (prefix.Length > 0) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";
        foreach (var (name, value) in environment)
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        return new Akkakd(Process.Start(psi)!);
    }

    /// <summary>Runs to the end (killed past the limit, which fails the test) and gives exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> Run(string workDir, TimeSpan limit, params string[] args)
    {
        using var p = Start(workDir, args);
        var code = await p.WaitAsync(limit);
        return (code, p.Out, p.Err);
    }

    public async Task<int> WaitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"akkakd did not finish within {limit.TotalSeconds:0} s; output:\n{Out}\n{Err}");
        }
        _process.WaitForExit(); // drain the output
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once, its sockets closed by the kernel.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    /// <summary>SIGTERM: what a container runtime or an operator sends to stop a node.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    /// <summary>A port free on loopback right now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "akkakd-cli-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A user's mistake: one line, starting "akkakd: ", naming what is wrong, with no stack trace.</summary>
    public static void AssertOneLineError(string err, params string[] mentions)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line, got:\n" + err);
        Assert.StartsWith("akkakd: ", lines[0]);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Exception", err);
        foreach (var m in mentions) Assert.Contains(m, lines[0]);
    }
}
