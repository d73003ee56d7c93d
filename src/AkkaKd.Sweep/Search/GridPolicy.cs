using AkkaKd.Sweep.Work;

namespace AkkaKd.Sweep.Search;

/// <summary>
/// Today's search: every trial of the grid, each trained in one segment to the student's full epochs. Baselines first:
/// they need no teacher and run while it trains. It decides nothing as results arrive.
/// </summary>
public sealed class GridPolicy : ISearchPolicy
{
    private readonly IReadOnlyList<Trial> _trials;
    private readonly int _epochs;

    public GridPolicy(IReadOnlyList<Trial> trials, int epochs)
    {
        _trials = trials;
        _epochs = epochs;
        Trials = trials.ToDictionary(t => t.Id, StringComparer.Ordinal);
    }

    public string Name => "grid";
    public int Epochs => _epochs;
    public int Total => _trials.Count;
    public IReadOnlyDictionary<string, Trial> Trials { get; }
    public bool Exhausted => true;

    public IReadOnlyList<TrialWork> Start(IReadOnlySet<string> finished) =>
        _trials.Where(t => !finished.Contains(t.Id)).OrderBy(t => t.IsBaseline ? 0 : 1)
            .Select(t => new TrialWork(t, _epochs)).ToList();

    public PolicyStep Completed(TrialWork work, TrialResult result) => PolicyStep.None;
    public PolicyStep GaveUp(TrialWork work) => PolicyStep.None;
}
