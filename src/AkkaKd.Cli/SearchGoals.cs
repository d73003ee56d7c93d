using System.Text.Json.Nodes;

namespace AkkaKd.Cli;

/// <summary>
/// The goals of issue 11 over <c>bench --search</c>'s runs, per scheduler: the median and spread (lowest, highest) of
/// each figure, and in how many runs the goal was met: sha and asha spend at most 25% of the student epochs of no
/// scheduler and select a configuration whose test accuracy lies in the 95% interval of no scheduler's selection;
/// against the Optuna peer, validation accuracy at least its own, wall time at most a fifth of its own. The peer runs one
/// seed per configuration; akkakd runs <c>seeds</c>: the wall goal's line says at which seed count it was measured, and
/// whether that is the wording (the same configurations and epochs, so one seed against the peer's one).
/// </summary>
public sealed class Goals(int seeds = 3)
{
    private readonly List<JsonObject> _rows = [];

    /// <summary>akkakd's seeds per configuration in these runs (the peer's: one).</summary>
    public int Seeds => seeds;

    public void Add(JsonObject row) => _rows.Add(row);

    public IEnumerable<JsonObject> Summary()
    {
        foreach (var scheduler in new[] { "none", "sha", "asha" })
        {
            var runs = _rows.Where(r => (string?)r["impl"] == "akkakd" && (string?)r["scheduler"] == scheduler).ToList();
            if (runs.Count == 0) continue;
            var ratios = _rows.Where(r => (string?)r["impl"] == "ratio" && (string?)r["scheduler"] == scheduler).ToList();
            var row = new JsonObject { ["impl"] = "summary", ["scheduler"] = scheduler, ["runs"] = runs.Count };
            Figure(row, "wall_s", runs, null);
            if (scheduler != "none")
            {
                Figure(row, "epochs_share_of_none", runs, x => x <= 0.25);
                var within = runs.Select(r => r["test_within_none_ci95"]).OfType<JsonNode>().Select(n => (bool)n!).ToList();
                // One seed has no interval over seeds: the goal cannot be judged (not "missed").
                row["test_within_none_ci95_runs"] = seeds == 1 && within.Count == 0 ? "- (1 seed: no 95% interval)" : $"{within.Count(w => w)}/{runs.Count}";
            }
            if (ratios.Count > 0)
            {
                Figure(row, "wall_fraction_of_optuna", ratios, x => x <= 0.2);
                Figure(row, "val_acc_minus_optuna_points", ratios, x => x >= 0);
                Figure(row, "epochs_per_s", ratios, null);
                Figure(row, "optuna_epochs_per_s", ratios, null);
                row["wall_goal"] = WallGoal(ratios);
            }
            yield return row;
        }
    }

    /// <summary>
    /// The wall goal in words: met in how many runs, at which seed count against the peer's one seed, and whether that is
    /// the setting (the same configurations and epochs: one seed each) or akkakd doing <c>seeds</c> times the work.
    /// </summary>
    public string WallGoal(IReadOnlyCollection<JsonObject> ratios)
    {
        var xs = ratios.Select(r => r["wall_fraction_of_optuna"]).OfType<JsonNode>().Select(n => (double)n!).ToList();
        int met = xs.Count(x => x <= 0.2);
        string verdict = met == xs.Count ? "met" : met == 0 ? "not met" : $"met in {met}/{xs.Count} runs";
        string setting = seeds == 1
            ? "1 seed per configuration on both sides: the same configurations and epochs, as the issue words it"
            : $"{seeds} seeds per configuration against the peer's 1: {seeds}x its configuration epochs, not the issue's setting (run --seeds 1 for it)";
        return $"wall <= 1/5 of Optuna's: {verdict} ({setting})";
    }

    /// <summary>Median, lowest and highest of a figure over the runs that have it; with a goal, the runs that met it.</summary>
    private static void Figure(JsonObject row, string name, List<JsonObject> runs, Func<double, bool>? goal)
    {
        var xs = runs.Select(r => r[name]).OfType<JsonNode>().Select(n => (double)n!).Order().ToArray();
        if (xs.Length == 0) return;
        double median = xs.Length % 2 == 1 ? xs[xs.Length / 2] : (xs[xs.Length / 2 - 1] + xs[xs.Length / 2]) / 2;
        row[name + "_median"] = Math.Round(median, 3);
        row[name + "_min"] = xs[0];
        row[name + "_max"] = xs[^1];
        if (goal != null) row[name + "_goal_met"] = $"{xs.Count(goal)}/{xs.Length}";
    }
}
