using System.Text.RegularExpressions;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Reports.Tests;

/// <summary>
/// report.html on a scheduled search: every configuration's curve (stopped ones apart), the selected one marked, the rungs
/// and the student epochs spent against every trial in full.
/// </summary>
public sealed class ReportSearchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string SweepText = """
        sweep {
          name = search
          student { epochs = 3 }
          grid    { temperature = [2, 4], alpha = [0, 0.5], width = [16], seeds = [1, 2] }
          search  { scheduler = sha, min-epochs = 1, reduction = 2 }
        }
        """;

    private static string Config(double t) => Rungs.ConfigId(new Trial("", "", 16, t, 0.5, 1, 0));

    private static TrialResult Final(string id, double? t, double alpha, int seed, double[] curve) =>
        new(id, 16, t, alpha, seed, curve[^1] - 0.01, 0.3, 0.97, 12_000, 2_000_000, 1.0, "node-a", DateTimeOffset.UnixEpoch,
            curve[^1], 0.3, curve, curve, 3);

    private static RungRecord Rung(string id, double t, double[] curve) =>
        new(Config(t), id, 0, 1, curve[^1], 0.4, 0.5, "node-a", DateTimeOffset.UnixEpoch, new string('c', 64), curve);

    private async Task<string> Report(bool withCurves = true)
    {
        var header = new JournalHeader("hash", "search", "fp", 8, DateTimeOffset.UnixEpoch, SweepText);
        using (var j = Journal.Create(_dir.File(Journal.FileName), header))
        {
            await j.AppendAsync(Final("b1", null, 0, 1, [0.70, 0.75, 0.78]));
            await j.AppendAsync(Final("b2", null, 0, 2, [0.70, 0.76, 0.78]));
            // T4 goes on (0.80 at epoch 1), T2 stops (0.60).
            await j.AppendAsync(Rung("t4s1", 4, withCurves ? [0.80] : [0.80]) with { ValAccCurve = withCurves ? [0.80] : null });
            await j.AppendAsync(Rung("t4s2", 4, [0.82]) with { ValAccCurve = withCurves ? [0.82] : null });
            await j.AppendAsync(Rung("t2s1", 2, [0.60]) with { ValAccCurve = withCurves ? [0.60] : null });
            await j.AppendAsync(Rung("t2s2", 2, [0.62]) with { ValAccCurve = withCurves ? [0.62] : null });
            foreach (var (id, t, d) in new[] { ("t4s1", 4.0, "promote"), ("t4s2", 4.0, "promote"), ("t2s1", 2.0, "stop"), ("t2s2", 2.0, "stop") })
                await j.AppendAsync(new DecisionRecord(Config(t), id, 1, d));
            await j.AppendAsync(Final("t4s1", 4, 0.5, 1, [0.80, 0.85, 0.88]));
            await j.AppendAsync(Final("t4s2", 4, 0.5, 2, [0.82, 0.86, 0.90]));
        }
        return await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
    }

    private static string Row(string html, string label) =>
        Regex.Match(html, $"<tr class=\"([a-z]+)\"><td>{Regex.Escape(label)}</td><td>(\\d+)</td><td>([0-9.]*)</td>").Value;

    [Fact]
    public async Task The_report_plots_every_configuration_marks_the_stopped_and_the_selected_and_states_the_epochs_spent()
    {
        var html = await Report();
        Assert.Contains("<section id=\"search\">", html);
        Assert.Contains("<p class=\"sub\">4 of 8 trials finished, 2 stopped early by the scheduler (the sweep is running", html);
        // 2 configurations: one stopped at epoch 1, one trained on and selected.
        Assert.Contains("sha: 2 configurations, 1 stopped at a rung, 1 trained on.", html);
        // Spent: 4 trials x 3 epochs (T4 and the baselines) + 2 x 1 (T2) = 14 of 8 x 3 = 24.
        Assert.Contains("Student epochs spent: <b>14</b> of 24 for every trial in full (<b>58.33%</b>)", html);
        Assert.Contains("<li>rung 1 (epoch 1): 2 configurations in, 1 going on, 1 stopped</li>", html);
        Assert.Contains("<li>rung 2 (epoch 3): 1 configuration in at the full epochs</li>", html);
        Assert.Contains("Selected (the ranking's first, on validation accuracy): <b>w16 T4 a0.5</b>", html);
        Assert.Equal("<tr class=\"selected\"><td>w16 T4 a0.5</td><td>3</td><td>89.00</td>", Row(html, "w16 T4 a0.5"));
        // The stopped configuration is named from the recorded sweep file; its curve is its rung lines' mean.
        Assert.Equal("<tr class=\"stopped\"><td>w16 T2 a0.5</td><td>1</td><td>61.00</td>", Row(html, "w16 T2 a0.5"));
        Assert.Matches("<img src=\"data:image/png;base64,[A-Za-z0-9+/=]{1000,}\" alt=\"validation accuracy per epoch of every configuration", html);
    }

    [Fact]
    public async Task Rung_lines_without_curves_plot_their_rung_points()
    {
        var html = await Report(withCurves: false);
        Assert.Equal("<tr class=\"stopped\"><td>w16 T2 a0.5</td><td>1</td><td>61.00</td>", Row(html, "w16 T2 a0.5"));
    }

    [Fact]
    public async Task A_grid_has_no_search_section()
    {
        await ReportFixture.WriteAsync(_dir.Path);
        var html = await File.ReadAllTextAsync(HtmlReport.Write(_dir.Path)!);
        Assert.DoesNotContain("id=\"search\"", html);
    }
}
