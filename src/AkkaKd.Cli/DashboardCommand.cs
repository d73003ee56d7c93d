using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AkkaKd.Dashboard;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd dashboard DIR... [--host 127.0.0.1] [--port 8080] [--token T]</c>: serves every sweep found under the
/// folders, live, until Ctrl-C or SIGTERM (exit code 0). Binds 127.0.0.1 unless told otherwise; on any other address
/// a token is required (the one given, or one generated and printed in the URL).
/// </summary>
public static class DashboardCommand
{
    private const int Done = 0, UsageError = 2; // the documented exit codes

    public static Command Create()
    {
        var dirs = new Argument<string[]>("DIR")
        {
            Description = "sweep output folders, or parents of many (every results.jsonl below them is served)",
            Arity = ArgumentArity.OneOrMore,
        };
        var host = Opt.Text("--host", "H", "the address to listen on; any but loopback requires a token", "127.0.0.1");
        var port = Opt.Int("--port", "P", "the port to listen on (0: any free port)", 8080, 0);
        var token = Opt.Text("--token", "T", "the token every request must carry (?token= once, then a cookie) [default: none on loopback, else generated]");
        var command = new Command("dashboard", "Serves a live web dashboard of the sweeps under the folders, read from their journals alone.")
        {
            dirs, host, port, token,
        };
        command.SetAction((r, ct) => RunAsync(r.GetValue(dirs)!, r.GetValue(host)!, r.GetValue(port), r.GetValue(token), ct));
        return command;
    }

    public static Task<int> RunAsync(string[] folders, string host, int port, string? token, CancellationToken ct) =>
        RunAsync(folders, host, port, token, Console.Out, Console.Error, ct);

    public static async Task<int> RunAsync(string[] folders, string host, int port, string? token, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (folders.Length == 0)
        {
            error.WriteLine("akkakd dashboard: name at least one folder (a sweep's output folder, or a parent of many)");
            return UsageError;
        }
        foreach (var f in folders)
            if (!Directory.Exists(f) && !File.Exists(f))
            {
                error.WriteLine($"{f}: no such folder");
                return UsageError;
            }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        DashboardServer server;
        try
        {
            server = await DashboardServer.StartAsync(new DashboardOptions { Folders = folders, Host = host, Port = port, Token = token }, stop.Token);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return UsageError;
        }
        catch (IOException e)
        {
            error.WriteLine($"--host {host} --port {port}: cannot listen there ({e.Message.Split('\n')[0]})");
            return UsageError;
        }
        catch (SocketException e)
        {
            error.WriteLine($"--host {host} --port {port}: cannot listen there ({e.Message})");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            return Done;
        }
        await using (server)
        {
            int sweeps = server.Catalog.Sweeps.Count;
            output.WriteLine($"akkakd dashboard: {server.Url}");
            output.WriteLine($"  {sweeps} sweep{(sweeps == 1 ? "" : "s")} under {string.Join(", ", folders)} (new ones appear as they start); Ctrl-C stops");
            if (server.Token != null)
                output.WriteLine(token is null
                    ? "  a token was generated because the address is not loopback: requests without it get 401"
                    : "  requests without the token get 401");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return Done;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
