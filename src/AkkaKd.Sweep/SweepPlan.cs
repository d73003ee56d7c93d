using AkkaKd.Sweep.Search;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep;

/// <summary>A sweep's output folder cannot be used as asked (exit code 2): a journal in the way, or another sweep's.</summary>
public sealed class PlanException(string message) : Exception(message);

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
    IReadOnlyList<string> Notes)
{
    public string SweepId => Settings.Hash()[..12];
    public int Pending => Trials.Count - Finished.Count;
    public string JournalPath => Path.Combine(OutDir, Journal.FileName);

    /// <summary>The sweep's search policy: what it runs and what follows a result.</summary>
    public ISearchPolicy Policy() => new GridPolicy(Trials, Settings.Student.Epochs);

    /// <summary>
    /// The work ledger of this run: the policy's work less what the journal holds; the teacher from the journal if it
    /// can still be used (its artifact is here), else trained by the first worker that asks.
    /// </summary>
    public WorkLedger<TWorker> Ledger<TWorker>(TeacherRecord? teacher) where TWorker : notnull =>
        new(Policy(), new TeacherWork(Settings.TeacherKey()), teacher, Finished.Select(r => r.Id));

    /// <summary>The key the sweep's teacher is journalled under: its settings and the data it learned.</summary>
    public static string TeacherJournalKey(SweepSettings s, string dataFingerprint) => s.TeacherKey() + ";data=" + dataFingerprint;

    /// <param name="backend">The GEMM backend of this node, as the journal's header records it (optional).</param>
    public static SweepPlan Prepare(SweepSettings settings, string outDir, bool resume, bool force, string dataFingerprint,
        string? backend = null)
    {
        var path = Path.Combine(outDir, Journal.FileName);
        var trials = Grid.Expand(settings);
        var notes = new List<string>();
        var hash = settings.Hash();
        Directory.CreateDirectory(outDir);

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
            contents = Journal.Read(path);
        }
        catch (JournalException e)
        {
            throw new PlanException(e.Message);
        }
        if (contents.Header is null) throw new PlanException($"{path}: no journal header; not an akkakd journal");
        if (contents.Header.SweepHash != hash)
        {
            if (!force)
                throw new PlanException($"{path} belongs to a different sweep (sweep_hash {contents.Header.SweepHash[..12]}, this sweep {hash[..12]}): " +
                                        "use another --out, or --force to continue it with this sweep file");
            notes.Add($"--force: continuing a journal of a different sweep (sweep_hash {contents.Header.SweepHash[..12]})");
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
        return new SweepPlan(settings, outDir, trials, finished, teacher, journal, notes);
    }

    /// <summary>The header line of this sweep file: what reproduces it and where it ran.</summary>
    private static JournalHeader NewHeader(SweepSettings settings, string dataFingerprint, int trials, string? backend) =>
        new(settings.Hash(), settings.Name, dataFingerprint, trials, DateTimeOffset.UtcNow, settings.ToHocon(), backend,
            JournalHeader.ThisMachine(), Train: settings.Data.Train, Test: settings.Data.Test);

    private static string Short(string s) => s.Length > 12 ? s[..12] : s;
}
