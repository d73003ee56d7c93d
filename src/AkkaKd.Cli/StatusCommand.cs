using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd status --seeds URI</c>: the lab cluster's members (address, roles, state, reachability, slots, busy slots,
/// version, cached teachers) and its running sweeps (name, launching node, progress, ETA). It visits over Akka.Remote
/// without joining (<see cref="ClusterInspector"/>).
/// </summary>
public static class StatusCommand
{
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var json = Opt.Flag("--json", "one JSON object: members and sweeps");
        var command = new Command("status", "Shows a lab cluster's members and the sweeps running in it.") { json };
        var node = new NodeArgs.Declared(command, "seed nodes of the cluster, akka.tcp://akkakd@HOST:PORT,... (required) [default: $AKKAKD_SEEDS]");
        command.SetAction((r, _) => RunAsync(r.GetValue(json), node.Get(r)));
        return command;
    }

    /// <summary>The node options of a command that visits a cluster: seeds required.</summary>
    public static NodeOptions Visitor(NodeArgs args, string command)
    {
        var node = args.Read(null);
        if (node.Seeds.Count == 0)
            throw new UsageException($"{command}: --seeds (or AKKAKD_SEEDS) names the cluster, e.g. akka.tcp://akkakd@10.0.0.1:4053");
        return node;
    }

    public static async Task<int> RunAsync(bool json, NodeArgs args)
    {
        var node = Visitor(args, "status");
        using var signals = new Signals();
        ClusterView view;
        try
        {
            view = await ClusterInspector.StatusAsync(node, JoinTimeout, Console.Error, signals.Token);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return signals.ExitCode;
        }
        catch (TimeoutException e)
        {
            throw new UsageException($"status: no answer from the cluster at {string.Join(", ", node.Seeds)}: {e.Message}");
        }
        Console.Write(json ? JsonSerializer.Serialize(view) + "\n" : Render(view));
        return ExitCodes.Done;
    }

    public static string Render(ClusterView view)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"members ({view.Members.Length}):");
        Table(w, ["ADDRESS", "ROLES", "STATE", "REACHABLE", "SLOTS", "BUSY", "VERSION", "TEACHERS"], view.Members.Select(m => new[]
        {
            m.Address, string.Join(",", m.Roles), m.State, m.Reachable ? "yes" : "NO", m.Node?.Slots.ToString() ?? "-",
            m.Node?.Busy.ToString() ?? "-", m.Node?.Version ?? m.Version, m.Node?.CachedTeachers.ToString() ?? "-",
        }));
        w.WriteLine($"sweeps running ({view.Sweeps.Length}):");
        Table(w, ["NAME", "ID", "NODE", "PROGRESS", "RUNNING", "QUEUED", "FAILED", "ELAPSED", "ETA"], view.Sweeps.Select(s => new[]
        {
            s.Name, s.SweepId, s.Node, $"{s.Finished}/{s.Total}", s.Running.ToString(), s.Queued.ToString(), s.Failed.ToString(),
            WaitTicker.Format(TimeSpan.FromSeconds(s.Seconds)), Eta(s),
        }));
        return w.ToString();
    }

    private static string Eta(SweepStatus s) =>
        s.CancelledBy is { } by ? "cancelled by " + by
        : s.Waiting ? $"waiting for {s.MinWorkers} worker nodes ({s.WorkerNodes} up)"
        : s.EtaSeconds is { } eta ? WaitTicker.Format(TimeSpan.FromSeconds(eta)) : "-";

    private static void Table(TextWriter w, string[] head, IEnumerable<string[]> rows)
    {
        var all = new[] { head }.Concat(rows).ToList();
        if (all.Count == 1) return;
        var widths = head.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var r in all) w.WriteLine("  " + string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }
}
