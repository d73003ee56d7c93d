using System.Diagnostics;

namespace AkkaKd.Cluster.Node;

/// <summary>
/// A wait that says so: while something is awaited (a seed to answer, worker nodes to join), a line naming what is
/// awaited and for how long, every 5 s for the first minute, then every 30 s (a worker may wait for hours).
/// </summary>
public sealed class WaitTicker
{
    private readonly TextWriter _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _next = TimeSpan.FromSeconds(5);

    public WaitTicker(TextWriter output) => _output = output;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The gap after a line written at <paramref name="elapsed"/>.</summary>
    public static TimeSpan Interval(TimeSpan elapsed) => elapsed < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30);

    /// <summary>"12 s", "3 min 05 s", "2 h 04 min".</summary>
    public static string Format(TimeSpan t) => t.TotalMinutes < 1 ? $"{(int)t.TotalSeconds} s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
        : $"{(int)t.TotalHours} h {t.Minutes:00} min";

    /// <summary>Writes "PREFIX waiting for WHAT (for N s)" when its time has come; call it as often as you like.</summary>
    public void Tick(string prefix, Func<string> what)
    {
        var now = _clock.Elapsed;
        if (now < _next) return;
        _output.WriteLine($"{prefix}waiting for {what()} (for {Format(now)})");
        _next = now + Interval(now);
    }
}
