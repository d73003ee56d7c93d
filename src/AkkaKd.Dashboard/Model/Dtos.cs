namespace AkkaKd.Dashboard.Model;

// What the pages receive, as JSON (camelCase). Accuracies are fractions; times are ISO 8601.

/// <summary>A sample over seeds: size, mean and the half-width of its 95% interval (Student's t; null with one value).</summary>
public sealed record Stat(int N, double Mean, double? Ci);

/// <summary>
/// One configuration (width, layers, T, alpha) over the seeds that finished. With a diverged seed (<see cref="Diverged"/>
/// of them, the earliest at <see cref="DivergedEpoch"/>) it has no metric or gain: it ranks last, as in the leaderboard.
/// </summary>
public sealed record ConfigRow(
    string Key, int Width, int Layers, double? T, double Alpha, int Seeds, Stat? Metric, Stat? Val, Stat? Test,
    Stat? Gain, long? Params, double TrainSeconds, string[] Nodes, int Diverged, int? DivergedEpoch = null);

/// <summary>One finished trial, short: for the latest-trials list and the per-node timeline.</summary>
public sealed record TrialBrief(
    string Id, int Width, double? T, double Alpha, int Seed, double? Val, double? Test, string? Node,
    DateTimeOffset? Start, DateTimeOffset? End, bool Diverged);

public sealed record CurveView(string Key, string Label, double?[] Mean);

public sealed record RungPoint(int Rung, int? Epoch, double? Val, int N);

public sealed record RungView(string Config, RungPoint[] Points, string? Decision);

public sealed record HeaderView(
    string? SweepHash, string? Name, string? DataFingerprint, int? Trials, DateTimeOffset? Created, string? Backend,
    string? Machine, int? Version, int? Train, int? Validation, int? Test, int? ThreadsPerTrial);

public sealed record TeacherView(double? TestAccuracy, double? ValAcc, long? Params, double? TrainSeconds, string? Node, double?[]? Curve);

/// <summary>How far a sweep is: trials done of total, when it started, its last line, and when it should end.</summary>
public sealed record ProgressView(
    int Done, int? Total, int Diverged, long? Epochs, DateTimeOffset? Started, DateTimeOffset? Last, DateTimeOffset? EtaAt);

/// <summary>Lines the dashboard set aside: foreign (unknown or unreadable), duplicate trial ids, and a tail still unfinished.</summary>
public sealed record NotesView(int Foreign, int Duplicates, long PendingBytes, bool Missing);

/// <summary>
/// A sweep as the page sees it, whole (<see cref="Full"/>) or as what changed since a version: the changed
/// configurations, the trials added, and the small parts (progress, curves, facts) again in full. Whole, it holds at
/// most the 5,000 best configurations and every baseline (<see cref="RowsLeftOut"/> says how many more there are) and
/// the latest 5,000 trials (<see cref="TrialsLeftOut"/>): a random search of 100,000 trials stays a page, not a file.
/// <see cref="Files"/> names the sweep folder's files a page may link to that exist.
/// </summary>
public sealed record SweepView(
    string Id, string Name, string Path, string State, long Version, int TrialCount, bool Full, string Metric,
    HeaderView? Header, ProgressView Progress, TeacherView? Teacher, NotesView Notes, IReadOnlyList<ConfigRow> Rows,
    IReadOnlyList<TrialBrief> Trials, int TrialsLeftOut, IReadOnlyList<CurveView> Curves, IReadOnlyList<RungView> Rungs,
    int RowsLeftOut, IReadOnlyList<string> Files);

/// <summary>A sweep in the list: name, state, progress and the best configuration so far.</summary>
public sealed record SweepSummary(
    string Id, string Name, string Path, string State, int Done, int? Total, string Metric, ConfigRow? Best,
    DateTimeOffset? Last, long Version);
