using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep;

/// <summary>A sweep's output folder cannot be used as asked (exit code 2): a journal in the way, or another sweep's.</summary>
public sealed class PlanException(string message) : Exception(AkkaKd.Distillation.OneLine.Of(message));

/// <summary>
/// What a run of a sweep has to do, read from its journal: every trial of the grid, the ones already finished, the
/// teacher if it was trained, and the journal open for appending. Resume skips finished ids; a torn last line is set
/// aside; a journal of a different sweep is refused unless forced.
/// </summary>
public sealed record SweepPlan(
    SweepSettings Settings,
    string OutDir,
    IReadOnlyList<Trial> Trials,
    IReadOnlyList<TrialResult> Finished,
    TeacherRecord? Teacher,
    Journal Journal,
    IReadOnlyList<string> Notes,
    IReadOnlyList<RungRecord>? Rungs = null,
    IReadOnlyList<DecisionRecord>? Decisions = null)
{
    public string SweepId => Settings.Hash()[..12];
    public int Pending => Trials.Count - Finished.Count;
    public string JournalPath => Path.Combine(OutDir, Journal.FileName);

    /// <summary>The sweep's search policy: what it runs and what follows a result.</summary>
    public ISearchPolicy Policy() => SearchPolicies.For(Settings, Trials);

    /// <summary>
    /// The work ledger of this run: the policy's work less what the journal holds; the teacher from the journal if it
    /// can still be used (its artifact is here), else trained by the first worker that asks.
    /// </summary>
    public WorkLedger<TWorker> Ledger<TWorker>(TeacherRecord? teacher) where TWorker : notnull
    {
        var policy = Policy();
        if (policy is GridPolicy) return new(policy, new TeacherWork(Settings.TeacherKey()), teacher, Finished.Select(r => r.Id));
        // A scheduler stands where it stood: its rung results, then the final ones, replayed in journal order.
        var segments = (Rungs ?? []).Where(r => policy.Trials.ContainsKey(r.Id)).Select(r => r.AsResult(policy.Trials[r.Id]))
            .Concat(Finished.Select(r => r with { Epochs = Settings.Student.Epochs })).ToList();
        var decided = (Decisions ?? []).Select(d => (d.Id, d.Epoch)).ToHashSet();
        return new(policy, new TeacherWork(Settings.TeacherKey()), teacher, Finished.Select(r => r.Id),
            segmentsBefore: segments, decidedBefore: decided);
    }

    /// <summary>The key the sweep's teacher is journalled under: its settings and the data it learned.</summary>
    /// <remarks>It covers every slice: a teacher trained on other training rows has logits of another length, and one
    /// measured on other test rows has another accuracy, so it is never reused across a change of slices.</remarks>
    public static string TeacherJournalKey(SweepSettings s, string dataFingerprint) =>
        s.TeacherKey() + ";slices=" + s.Data.Slices + ";data=" + dataFingerprint;

    /// <param name="backend">The GEMM backend of this node, as the journal's header records it (optional).</param>
    /// <param name="setAsideBadLines">On resume, move journal lines that cannot be read to results.jsonl.bad and go on.</param>
    /// <remarks>
    /// The output folder is this sweep's until the plan's journal is disposed (<see cref="OutputFolderLock"/>): a second
    /// sweep on it is refused naming the holder. Every problem with the folder is a one-line PlanException.
    /// </remarks>
    public static SweepPlan Prepare(SweepSettings settings, string outDir, bool resume, bool force, string dataFingerprint,
        string? backend = null, bool setAsideBadLines = false)
    {
        var folderLock = OutputFolderLock.Acquire(outDir);
        var path = Path.Combine(outDir, Journal.FileName);
        try
        {
            var plan = PrepareLocked(settings, outDir, resume, force, dataFingerprint, backend, setAsideBadLines);
            if (folderLock.PreviousHolder is { } previous)
                plan = plan with { Notes = [.. plan.Notes, $"{outDir}: took the folder over from {previous}, which ended without letting go"] };
            plan.Journal.Holding(folderLock);
            return plan;
        }
        catch (Exception e) when (IoError.IsIo(e))
        {
            folderLock.Dispose();
            throw new PlanException($"{path}: {IoError.Describe(e)}");
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    private static SweepPlan PrepareLocked(SweepSettings settings, string outDir, bool resume, bool force, string dataFingerprint,
        string? backend, bool setAsideBadLines)
    {
        var path = Path.Combine(outDir, Journal.FileName);
        var trials = SearchSpace.Expand(settings);
        var notes = new List<string>();
        var hash = settings.Hash();

        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            if (resume && !File.Exists(path)) notes.Add($"{path}: no journal yet, starting the sweep");
            if (File.Exists(path)) File.Delete(path);
            return new SweepPlan(settings, outDir, trials, [], null,
                Journal.Create(path, NewHeader(settings, dataFingerprint, trials.Count, backend)), notes);
        }

        if (!resume)
            throw new PlanException($"{outDir} already holds a sweep journal ({Journal.FileName}): add --resume to continue it, or choose another --out");

        JournalContents contents;
        try
        {
            contents = Journal.Read(path, setAsideBadLines);
        }
        catch (JournalException e)
        {
            throw new PlanException(e.Message);
        }
        if (contents.Header is null) throw new PlanException($"{path}: no journal header; not an akkakd journal");
        if (contents.Header.SweepHash != hash)
        {
            if (!force)
                throw new PlanException($"{path} belongs to a different sweep (sweep_hash {Short(contents.Header.SweepHash)}, this sweep {hash[..12]}): " +
                                        "use another --out, or --force to continue it with this sweep file");
            notes.Add($"--force: continuing a journal of a different sweep (sweep_hash {Short(contents.Header.SweepHash)})");
        }
        if (contents.Header.DataFingerprint != dataFingerprint)
        {
            if (!force)
                throw new PlanException($"{path} was made with other data (fingerprint {Short(contents.Header.DataFingerprint)}, now {Short(dataFingerprint)}): " +
                                        "use another --out, or --force");
            notes.Add("--force: the data differ from the journal's");
        }
        if (contents.TornTail != null)
            notes.Add($"{path}: a torn last line ({contents.TornTail.Length} bytes, from a crash mid-write) was set aside in {Journal.FileName}.torn");
        if (contents.SetAside > 0)
            notes.Add($"{path}: {contents.SetAside} bad lines were set aside in {Journal.FileName}{JournalReader.BadSuffix}");
        if (contents.Duplicates > 0) notes.Add($"{path}: {contents.Duplicates} duplicate trial lines ignored");

        var ids = trials.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var finished = contents.Results.Where(r => ids.Contains(r.Id)).ToList();
        int foreign = contents.Results.Count - finished.Count;
        if (foreign > 0) notes.Add($"{path}: {foreign} results of trials not in this grid are kept but not ranked");
        var teacherKey = TeacherJournalKey(settings, dataFingerprint);
        var teacher = contents.Teachers.LastOrDefault(t => t.Key == teacherKey);
        var journal = Journal.Append(path, contents);
        if (contents.Header.SweepHash != hash || contents.Header.DataFingerprint != dataFingerprint)
        {
            // --force with another sweep file or other data: the journal records what is in force from here on (its
            // last header), so totals count this grid and the report tells which trials ran under which file.
            try
            {
                journal.AppendAsync(NewHeader(settings, dataFingerprint, trials.Count, backend)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or JournalException)
            {
                journal.Dispose();
                throw new PlanException($"{path}: cannot record the new sweep file ({e.Message.Split('\n')[0]})");
            }
            notes.Add($"{path}: this sweep file recorded as a new header line ({trials.Count} trials in its grid)");
        }
        return new SweepPlan(settings, outDir, trials, finished, teacher, journal, notes, contents.Rungs, contents.Decisions);
    }

    /// <summary>The header line of this sweep file: what reproduces it and where it ran.</summary>
    private static JournalHeader NewHeader(SweepSettings settings, string dataFingerprint, int trials, string? backend) =>
        new(settings.Hash(), settings.Name, dataFingerprint, trials, DateTimeOffset.UtcNow, settings.ToHocon(), backend,
            JournalHeader.ThisMachine(), Train: settings.Data.Train, Validation: settings.Data.Validation, Test: settings.Data.Test,
            ThreadsPerTrial: settings.ThreadsPerTrial);

    private static string Short(string s) => s.Length > 12 ? s[..12] : s;
}
