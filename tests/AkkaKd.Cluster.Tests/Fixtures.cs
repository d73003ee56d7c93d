using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Tests;

/// <summary>Small sweeps and results for the tests.</summary>
public static class Fixtures
{
    /// <summary>A sweep of seconds: 600 training rows, a one-layer teacher, 2 widths x (baseline + 2 distilled).</summary>
    public static SweepSettings TinySweep(params string[] overrides) => SweepFile.Parse("""
        sweep {
          name = tiny
          data    { source = "embedded:mnist10k", train = 600, test = 300 }
          teacher { hidden = [32], epochs = 2, batch = 32, lr = 0.005 }
          student { epochs = 3, batch = 32, lr = 0.005 }
          grid    { temperature = [2, 4], alpha = [0, 0.9], width = [8, 16], seeds = [1] }
        }
        """, "tiny", overrides);

    public static TrialResult Result(Trial t, double acc, string node = "test") =>
        new(t.Id, t.Width, t.Temperature, t.Alpha, t.Seed, acc, 0.5, 0.9, 1000, 10000, 0.01, node, DateTimeOffset.UtcNow);

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "akkakd-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }
}
