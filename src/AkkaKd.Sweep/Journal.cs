using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaKd.Sweep;

/// <summary>
/// The journal's first line: which sweep it belongs to. The fields after <c>created</c> came later and are optional (null
/// in an older journal): the sweep file that reproduces the run (every key, overrides applied), the launching node's GEMM
/// backend and its machine, the rows of each data slice and the OpenBLAS threads per trial. A sweep extended with
/// <c>--resume --force</c> appends another header line: the last one is the sweep file now in force.
/// </summary>
public sealed record JournalHeader(
    [property: JsonPropertyName("sweep_hash")] string SweepHash,
    [property: JsonPropertyName("sweep_name")] string SweepName,
    [property: JsonPropertyName("data_fingerprint")] string DataFingerprint,
    [property: JsonPropertyName("trials")] int Trials,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("sweep_file")] string? SweepFile = null,
    [property: JsonPropertyName("backend")] string? Backend = null,
    [property: JsonPropertyName("machine")] string? Machine = null,
    [property: JsonPropertyName("train"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Train = null,
    [property: JsonPropertyName("validation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Validation = null,
    [property: JsonPropertyName("test"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Test = null,
    [property: JsonPropertyName("threads_per_trial"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ThreadsPerTrial = null)
{
    [JsonPropertyName("type")] public string Type => "header";
    /// <summary>2 since the slices and threads per trial are recorded; a version-1 header (without them) reads as well.</summary>
    [JsonPropertyName("version")] public int Version => 2;

    /// <summary>This machine, in one line: name, cores, memory, operating system, architecture and .NET version.</summary>
    public static string ThisMachine()
    {
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return $"{Environment.MachineName}: {Environment.ProcessorCount} cores, " +
               $"{(memory > 0 ? $"{memory / (1024.0 * 1024 * 1024):0.#} GiB, " : "")}" +
               $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
               $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}";
    }
}

/// <summary>A journal that cannot be used (not a torn last line: that is set aside).</summary>
public sealed class JournalException(string message) : Exception(AkkaKd.Distillation.OneLine.Of(message));

/// <summary>
/// What a journal holds: its header (the last header line: the sweep file in force), its finished trials (first copy of
/// each id) and teachers; how many bad lines were set aside on request (moved to results.jsonl.bad) and how many
/// lines of types this program does not read were skipped. <see cref="Headers"/> holds every header line in order (a sweep extended with
/// <c>--resume --force</c> has several); <see cref="ResultHeader"/> gives, per result, the index in it of the header the
/// result's line follows: the sweep file it ran under.
/// </summary>
public sealed record JournalContents(
    JournalHeader? Header,
    IReadOnlyList<TrialResult> Results,
    IReadOnlyList<TeacherRecord> Teachers,
    long GoodLength,
    string? TornTail,
    int Duplicates,
    int SetAside = 0,
    int Skipped = 0,
    IReadOnlyList<RungRecord>? Rungs = null,
    IReadOnlyList<DecisionRecord>? Decisions = null)
{
    public IReadOnlyList<JournalHeader> Headers { get; init; } = Header is null ? [] : [Header];
    public IReadOnlyList<int> ResultHeader { get; init; } = Results.Select(_ => 0).ToArray();
}

/// <summary>
/// results.jsonl: the source of truth of a sweep. One JSON object per line, a header first; appended, flushed and
/// fsync'd before a result counts. Writes go through one writer thread that commits in groups: every line queued
/// while an fsync runs is written and made durable by the next one.
/// </summary>
public sealed partial class Journal : IDisposable
{
    public const string FileName = "results.jsonl";

    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { NoScoresWhenDiverged } },
    };

    /// <summary>A diverged trial has no accuracy or loss: its line leaves test_acc and test_loss out (never a made-up 0).</summary>
    private static void NoScoresWhenDiverged(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Type != typeof(TrialResult)) return;
        foreach (var p in info.Properties)
            if (p.Name is "test_acc" or "test_loss")
                p.ShouldSerialize = (o, _) => !((TrialResult)o).Diverged;
    }

    private readonly FileStream _file;
    private readonly BlockingCollection<Pending> _queue = new();
    private readonly Thread _writer;
    private int _disposed;
    private IDisposable? _owner;

    private Journal(FileStream file, string path)
    {
        _file = file;
        Path = path;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "akkakd-journal" };
        _writer.Start();
    }

    public string Path { get; }

    /// <summary>Lines made durable so far, and fsyncs it took (group commit makes the second smaller).</summary>
    public long LinesWritten { get; private set; }
    public long Syncs { get; private set; }

    /// <summary>Makes what was written durable (fsync), on the writer thread; the group-commit test wraps it.</summary>
    internal Action<FileStream> Sync { get; set; } = static f => f.Flush(true);

    /// <summary>
    /// Reads a journal; a torn last line (a crash mid-write) is reported in TornTail, not thrown. Any other line that
    /// cannot be used is a <see cref="JournalException"/> naming the file and line, unless <paramref name="setAside"/>:
    /// then such lines are moved to <c>results.jsonl.bad</c> and the rest kept (see <see cref="JournalReader"/>).
    /// </summary>
    public static JournalContents Read(string path, bool setAside = false) => JournalReader.Read(path, setAside);

    /// <summary>Starts a new journal at <paramref name="path"/> with its header (made durable before it returns).</summary>
    public static Journal Create(string path, JournalHeader header)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header, Json) + "\n");
        file.Write(line);
        file.Flush(true);
        return new Journal(file, path);
    }

    /// <summary>
    /// Opens an existing journal for appending. A torn last line is first copied to <c>results.jsonl.torn</c> (kept
    /// for inspection) and cut off, so new lines start clean.
    /// </summary>
    public static Journal Append(string path, JournalContents contents)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        if (contents.TornTail != null)
        {
            File.AppendAllText(path + ".torn", contents.TornTail + "\n");
            file.SetLength(contents.GoodLength);
            file.Flush(true);
        }
        file.Seek(0, SeekOrigin.End);
        return new Journal(file, path);
    }

    /// <summary>
    /// Appends a result; the task completes once the line is durable. It never throws: a line that cannot be written
    /// (a number JSON cannot hold, a full disk) fails the task instead, so a caller in an actor keeps its state.
    /// </summary>
    public Task AppendAsync(TrialResult result) => Serialized(() => JsonSerializer.Serialize(result, Json));

    /// <summary>
    /// Appends a result and calls <paramref name="durable"/> once the line is durable (with null) or could not be written
    /// (with the exception): on the writer thread, right after the group's fsync, or at once when the line cannot be
    /// made. No task, continuation or thread-pool hop per line: a coordinator's callback tells its actor, nothing more.
    /// It never throws; neither may the callback (an exception escaping it is swallowed).
    /// </summary>
    public void Append(TrialResult result, Action<Exception?> durable) => Serialized(() => JsonSerializer.Serialize(result, Json), durable);

    private Task Serialized(Func<string> serialize)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Serialized(serialize, new Pending(null!, done, null));
        return done.Task;
    }

    private void Serialized(Func<string> serialize, Action<Exception?> durable) => Serialized(serialize, new Pending(null!, null, durable));

    private void Serialized(Func<string> serialize, Pending pending)
    {
        string json;
        try
        {
            json = serialize();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            pending.Complete(new JournalException($"a line that JSON cannot hold: {e.Message}"));
            return;
        }
        try
        {
            _queue.Add(pending with { Line = Encoding.UTF8.GetBytes(json + "\n") });
        }
        catch (InvalidOperationException)
        {
            pending.Complete(new ObjectDisposedException(nameof(Journal)));
        }
    }

    /// <summary>A line waiting for the writer, and who waits for it: a task or a callback.</summary>
    private readonly record struct Pending(byte[] Line, TaskCompletionSource? Waiter, Action<Exception?>? Callback)
    {
        public void Complete(Exception? error)
        {
            if (Waiter is { } task)
            {
                if (error is null) task.SetResult();
                else task.SetException(error);
                return;
            }
            try
            {
                Callback!(error);
            }
            catch (Exception)
            {
                // a callback must not throw; the writer goes on with the next line
            }
        }
    }

    public Task AppendAsync(TeacherRecord teacher) => Serialized(() => JsonSerializer.Serialize(teacher, Json));

    /// <summary>Appends a header line: the sweep file a resumed journal goes on with (<c>--resume --force</c>).</summary>
    public Task AppendAsync(JournalHeader header) => Serialized(() => JsonSerializer.Serialize(header, Json));

    private void WriteLoop()
    {
        var batch = new List<Pending>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (_queue.TryTake(out var more)) batch.Add(more);
            try
            {
                foreach (var p in batch) _file.Write(p.Line);
                Sync(_file);
                LinesWritten += batch.Count;
                Syncs++;
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Complete(e);
                batch.Clear();
                continue;
            }
            foreach (var p in batch) p.Complete(null);
            batch.Clear();
        }
    }

    /// <summary>Makes this journal let go of <paramref name="owner"/> (the output folder's lock) when it is disposed.</summary>
    internal Journal Holding(IDisposable owner)
    {
        _owner = owner;
        return this;
    }

    /// <summary>Writes what is queued, then closes the file (and lets go of the output folder, if it holds it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.CompleteAdding();
        _writer.Join();
        _file.Dispose();
        _queue.Dispose();
        _owner?.Dispose();
    }
}
