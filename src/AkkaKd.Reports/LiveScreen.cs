namespace AkkaKd.Reports;

/// <summary>
/// Where a live table goes. On a terminal each drawing replaces the last in place (the cursor goes back up over it, each
/// line is cut to the terminal's width and cleared to its end, and what is left below is cleared); otherwise each drawing
/// is printed after the last, separated by a blank line.
/// </summary>
public sealed class LiveScreen(TextWriter output, bool inPlace, Func<int>? width = null)
{
    private readonly Func<int> _width = width ?? (() => Width);
    private int _drawn;
    private int _drawings;

    /// <summary>Redraws in place (true) or appends drawings (false).</summary>
    public bool InPlace => inPlace;

    /// <summary>
    /// Whether to draw in place: output goes to a terminal that understands cursor movement (not piped, TERM set and not
    /// "dumb") and the user did not ask for plain lines.
    /// </summary>
    public static bool IsTerminal(bool plainRequested = false) =>
        !plainRequested && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>The terminal's columns, less one (a full line would wrap on some terminals); 120 when unknown.</summary>
    public static int Width
    {
        get
        {
            try { return Math.Max(40, Console.WindowWidth - 1); } catch (Exception) { return 120; }
        }
    }

    /// <summary>The terminal's rows; 40 when unknown.</summary>
    public static int Height
    {
        get
        {
            try { return Math.Max(10, Console.WindowHeight); } catch (Exception) { return 40; }
        }
    }

    /// <summary>Shows <paramref name="lines"/>: over the previous drawing on a terminal, after it otherwise.</summary>
    public void Draw(IReadOnlyList<string> lines)
    {
        if (!inPlace)
        {
            if (_drawings++ > 0) output.WriteLine();
            foreach (var l in lines) output.WriteLine(l);
            output.Flush();
            return;
        }
        int width = _width();
        var sb = new System.Text.StringBuilder();
        if (_drawn > 0) sb.Append($"\x1b[{_drawn}A\r");
        foreach (var l in lines) sb.Append(l.Length > width ? l[..width] : l).Append("\x1b[K\n");
        sb.Append("\x1b[J");
        output.Write(sb.ToString());
        output.Flush();
        _drawn = lines.Count;
    }
}
