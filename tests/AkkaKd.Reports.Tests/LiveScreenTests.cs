namespace AkkaKd.Reports.Tests;

/// <summary>Where the live table goes: redrawn in place on a terminal, one drawing after another otherwise.</summary>
public sealed class LiveScreenTests
{
    [Fact]
    public void On_a_terminal_each_drawing_goes_back_over_the_last()
    {
        var w = new StringWriter();
        var screen = new LiveScreen(w, inPlace: true, width: () => 10);
        screen.Draw(["one", "two", "a line longer than ten"]);
        Assert.Equal("one\x1b[K\ntwo\x1b[K\na line lon\x1b[K\n\x1b[J", w.ToString());

        w.GetStringBuilder().Clear();
        screen.Draw(["only"]);
        // Up over the 3 lines drawn, to the line's start; the rest of the old drawing is cleared.
        Assert.Equal("\x1b[3A\ronly\x1b[K\n\x1b[J", w.ToString());

        w.GetStringBuilder().Clear();
        screen.Draw(["x", "y"]);
        Assert.StartsWith("\x1b[1A\r", w.ToString());
    }

    [Fact]
    public void Piped_each_drawing_follows_the_last_after_a_blank_line_without_escape_codes()
    {
        var w = new StringWriter { NewLine = "\n" };
        var screen = new LiveScreen(w, inPlace: false, width: () => 10);
        screen.Draw(["one", "a line longer than ten"]);
        screen.Draw(["two"]);
        Assert.Equal("one\na line longer than ten\n\ntwo\n", w.ToString());
    }
}
