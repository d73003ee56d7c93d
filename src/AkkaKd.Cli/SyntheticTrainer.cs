using System.Diagnostics;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Workers;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cli;

/// <summary>
/// A trainer for the search benchmarks' scheduling modes: it trains nothing. A segment sleeps <c>epochSeconds</c> per
/// epoch it covers (0: returns at once) and answers a validation accuracy that is a fixed function of the configuration
/// and the epoch (rising with epochs, ordered by a hash of width, T and alpha, a little noise per seed), so a scheduler
/// has real choices to make. The teacher is a few bytes of stand-in logits, kept as an artifact like a real one. It
/// counts the seconds its segments kept slots busy.
/// </summary>
public sealed class SyntheticTrainer(double epochSeconds) : ITrialTrainer
{
    private long _busyTicks;

    /// <summary>How long a segment sleeps per epoch it covers.</summary>
    public double EpochSeconds => epochSeconds;

    /// <summary>Slot-seconds spent in segments so far.</summary>
    public double BusySeconds => Interlocked.Read(ref _busyTicks) / (double)Stopwatch.Frequency;

    public void ResetBusy() => Interlocked.Exchange(ref _busyTicks, 0);

    public TeacherRecord TrainTeacher(NodeServices node, SweepContext sweep, EpochCallback progress, CancellationToken cancel)
    {
        var logits = new float[16];
        for (int i = 0; i < logits.Length; i++) logits[i] = i;
        var hash = Distillation.Training.TeacherArtifact.HashOf(logits);
        node.Teachers.Put(hash, logits);
        return new TeacherRecord(SweepPlan.TeacherJournalKey(sweep.Settings, sweep.DataFingerprint), hash, 0.97, 1000, 0, node.Node);
    }

    public TrialResult TrainTrial(NodeServices node, SweepContext sweep, Trial trial, TeacherRecord? teacher, EpochCallback progress,
        CancellationToken cancel) => TrainSegment(node, sweep, new TrialWork(trial, sweep.Settings.Student.Epochs), teacher, progress, cancel);

    public TrialResult TrainSegment(NodeServices node, SweepContext sweep, TrialWork work, TeacherRecord? teacher, EpochCallback progress,
        CancellationToken cancel)
    {
        long start = Stopwatch.GetTimestamp();
        int epochs = work.UntilEpoch - work.FromEpoch;
        if (epochSeconds > 0) Task.Delay(TimeSpan.FromSeconds(epochSeconds * epochs), cancel).Wait(cancel);
        var t = work.Trial;
        double val = ValAcc(t, work.UntilEpoch, sweep.Settings.Student.Epochs);
        Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - start);
        return new TrialResult(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, val - 0.005, 0.3, teacher?.TestAccuracy, t.Width * 795L + 10,
            1000, epochSeconds * epochs, node.Node, DateTimeOffset.UtcNow, ValAcc: val, ValLoss: 1 - val, Epochs: work.UntilEpoch);
    }

    /// <summary>A configuration's quality (0.80..0.95 from a hash), approached as the epochs go on, with a little seed noise.</summary>
    public static double ValAcc(Trial t, int epoch, int epochs)
    {
        static double Unit(string s) =>
            System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)))
            / (double)uint.MaxValue;
        double quality = 0.80 + 0.15 * Unit($"{t.Width}|{t.Temperature}|{t.Alpha}");
        double noise = 0.004 * (Unit(t.Id) - 0.5);
        return quality * (1 - 0.3 * Math.Exp(-3.0 * epoch / epochs)) + noise;
    }
}
