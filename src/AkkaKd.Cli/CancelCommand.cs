using System.CommandLine;
using AkkaKd.Cluster.Coordination;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd cancel --seeds URI SWEEP</c>: stops a running sweep cluster-wide. Its coordinator hands out nothing more,
/// keeps the results being written, and its launcher ends with exit code 4; the journal keeps what finished, so
/// <c>akkakd sweep ... --resume</c> continues it later.
/// </summary>
public static class CancelCommand
{
    public static Command Create()
    {
        var sweep = new Argument<string>("SWEEP") { Description = "the running sweep's name or id (as akkakd status shows them)" };
        var command = new Command("cancel", "Cancels a sweep running in a lab cluster; its launcher ends with exit code 4, its journal kept.") { sweep };
        var node = new NodeArgs.Declared(command, "seed nodes of the cluster, akka.tcp://akkakd@HOST:PORT,... (required) [default: $AKKAKD_SEEDS]");
        command.SetAction((r, _) => RunAsync(r.GetValue(sweep)!, node.Get(r)));
        return command;
    }

    public static async Task<int> RunAsync(string sweep, NodeArgs args)
    {
        var node = StatusCommand.Visitor(args, "cancel");
        using var signals = new Signals();
        try
        {
            var by = $"{Environment.UserName}@{Environment.MachineName}";
            var done = await ClusterInspector.CancelAsync(node, sweep, by, StatusCommand.JoinTimeout, Console.Error, signals.Token);
            Console.WriteLine($"cancelled {done.Name} ({done.SweepId}): {done.Finished} of {done.Total} trials finished and kept in its journal");
            return ExitCodes.Done;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return signals.ExitCode;
        }
        catch (SweepNotFoundException e)
        {
            throw new UsageException("cancel: " + e.Message);
        }
        catch (TimeoutException e)
        {
            throw new UsageException($"cancel: no answer from the cluster at {string.Join(", ", node.Seeds)}: {e.Message}");
        }
    }
}
