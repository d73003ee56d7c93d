using System.Globalization;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Node;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Sweep;
using AkkaKd.Reports;

namespace AkkaKd.Cluster.Coordination;

/// <summary>What to launch: a sweep's settings, where its output goes, and how this node runs it.</summary>
public sealed record SweepLaunch
{
    public required SweepSettings Settings { get; init; }

    /// <summary>The sweep file's path, for the messages that tell how to continue (null: the built-in default).</summary>
    public string? SweepFile { get; init; }

    /// <summary>The output folder; null: results/NAME-yyyyMMdd-HHmmss.</summary>
    public string? OutDir { get; init; }

    public bool Resume { get; init; }
    public bool Force { get; init; }

    /// <summary>On resume, move journal lines that cannot be read to results.jsonl.bad and go on.</summary>
    public bool SetAsideBadLines { get; init; }
    public SweepRunOptions Run { get; init; } = new();

    /// <summary>Notes a person should read (a torn journal line set aside, --force): one line each.</summary>
    public TextWriter Notes { get; init; } = Console.Error;

    /// <summary>
    /// The data fingerprint to prove, for a trainer that reads no data (the scheduler benchmark). Null: the sweep's data
    /// set is loaded on this node and fingerprinted.
    /// </summary>
    public string? DataFingerprint { get; init; }
}

/// <summary>
/// How a launch ended. Summary is null when there was nothing to do (every trial already in the journal) or the sweep
/// was interrupted; the journal keeps every finished result either way.
/// </summary>
public sealed record SweepOutcome(SweepPlan Plan, SweepSummary? Summary, IReadOnlyList<string> Files, bool Interrupted)
{
    /// <summary>Why the sweep's node left the cluster before the sweep was done (downed after a partition), or null.</summary>
    public string? Removed { get; init; }

    public string OutDir => Plan.OutDir;
    public string LogFile => Path.Combine(Plan.OutDir, "akkakd.log");
}

/// <summary>
/// "Launch a sweep", in one call: the BLAS policy of the process, the data (loaded and proven by fingerprint), the plan
/// from the journal, the run on this node's cluster, and the end-of-sweep files. <c>akkakd sweep</c>, the benchmarks and
/// the tests all launch through here.
/// </summary>
public static class SweepLauncher
{
    /// <exception cref="PlanException">the output folder or journal cannot be used as asked, or the data are too small</exception>
    /// <exception cref="DataException">the data cannot be read</exception>
    public static async Task<SweepOutcome> RunAsync(SweepLaunch launch, CancellationToken cancel = default)
    {
        var settings = launch.Settings;
        var run = launch.Run;
        var output = run.Output;
        // The threads per trial belong to the sweep (other counts give other bits); every node obeys them.
        Blas.Configure(settings.ThreadsPerTrial);
        var outDir = launch.OutDir ?? DefaultOutDir(settings);
        var fingerprint = launch.DataFingerprint ?? LoadData(launch, outDir, output);
        var plan = SweepPlan.Prepare(settings, outDir, launch.Resume, launch.Force, fingerprint, Blas.Describe(), launch.SetAsideBadLines);
        using (plan.Journal)
        {
            foreach (var note in plan.Notes) launch.Notes.WriteLine($"akkakd: {note}");
            if (plan.Pending == 0)
            {
                // A file that cannot be written throws ReportWriteException (one line naming it and the cause).
                var files = EndOfSweep.WriteFiles(outDir, plan.Finished, plan.Teacher, settings.Top, $"akkakd sweep {settings.Name}");
                output.WriteLine($"nothing to do: all {plan.Trials.Count} trials are in the journal");
                output.WriteLine("wrote " + string.Join(", ", files));
                return new SweepOutcome(plan, null, files, Interrupted: false);
            }

            var node = run.Node with { LogFile = run.Node.LogFile ?? Path.Combine(outDir, "akkakd.log") };
            if (node.Port > 0 || node.Seeds.Count > 0)
                output.WriteLine((node.Port > 0 ? $"cluster: this node is akka.tcp://akkakd@{NodeBootstrap.PublicHost(node)}:{node.Port}"
                                     : $"cluster: this node is on {NodeBootstrap.PublicHost(node)} (any free port)") +
                                 (node.Seeds.Count > 0 ? $", joining {string.Join(", ", node.Seeds)}" : " (the seed)") +
                                 (run.MinWorkers > 0 ? $"; waiting for {run.MinWorkers} worker nodes" : ""));
            try
            {
                var summary = await SweepRunner.RunAsync(plan, fingerprint, run with { Node = node }, cancel);
                return new SweepOutcome(plan, summary, [], Interrupted: false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return new SweepOutcome(plan, null, [], Interrupted: true);
            }
            catch (NodeRemovedException e)
            {
                return new SweepOutcome(plan, null, [], Interrupted: true) { Removed = e.Message };
            }
        }
    }

    private static string LoadData(SweepLaunch launch, string outDir, TextWriter output)
    {
        var settings = launch.Settings;
        output.WriteLine(Blas.Describe() + (Blas.IsOpenBlas ? "" : " -- the sweep runs, but slowly"));
        var source = DataSource.Parse(settings.Data.Source);
        var data = DataCache.Get(source, settings.Data.RowsNeeded());
        if (settings.Data.Rows > data.Rows)
            throw new PlanException($"{launch.SweepFile ?? "sweep"}: sweep.data.train + sweep.data.validation + sweep.data.test = " +
                                    $"{settings.Data.Rows:N0} rows, but {source} has {data.Rows:N0}");
        if (settings.DataProblem(data.ImageShape) is { } problem) throw new PlanException($"{launch.SweepFile ?? "sweep"}: {problem}");
        // A single-node sweep (no other node can join) is refused up front when it cannot fit this node's memory at its
        // slots; in a cluster each worker node checks for itself and refuses the sweep's data if it cannot (exit 3 when all do).
        var run = launch.Run;
        if (run.Slots > 0 && run.Node.Port == 0 && run.Node.Seeds.Count == 0 &&
            SweepLimits.MemoryProblem(settings, data.Features, run.Slots, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) is { } memory)
            throw new PlanException($"{launch.SweepFile ?? "sweep"}: {memory} (--slots {run.Slots})");
        output.WriteLine($"data: {source} ({data.Rows:N0} rows, {data.Classes} classes, sha256 {data.Fingerprint[..12]}); " +
                         $"output: {outDir}");
        return data.Fingerprint;
    }

    /// <summary>Where a sweep's files go when no --out is given: results/NAME-yyyyMMdd-HHmmss.</summary>
    public static string DefaultOutDir(SweepSettings settings) =>
        Path.Combine("results", $"{Safe(settings.Name)}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
