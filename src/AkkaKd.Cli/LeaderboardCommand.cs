using System.CommandLine;
using System.Globalization;
using AkkaKd.Sweep;

namespace AkkaKd.Cli;

/// <summary>
/// <c>akkakd leaderboard DIR [--watch] [--top N]</c>: the ranking from a sweep's journal, best first, in the live
/// table's columns. With --watch it follows the journal as it grows (another terminal, or another machine sharing the
/// folder): it polls the file's size twice a second, redraws in place on a terminal or prints the table again per change
/// when piped, tolerates a torn last line (a result being written), and stops on Ctrl-C or when every trial is in.
/// </summary>
public static class LeaderboardCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>What the command line said, defaults applied.</summary>
    public sealed record Options(string Dir, bool Watch, int Top, bool Plain);

    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "a sweep's output folder (or its results.jsonl)" };
        var watch = Opt.Flag("--watch", "follow the journal as it grows, until Ctrl-C (exit code 0) or every trial is in");
        var top = Opt.Int("--top", "N", "rows shown, 0 for all", 20, 0);
        var plain = Opt.Flag("--plain", "with --watch: print the table again per change, not redrawn in place (always so when piped)");
        var command = new Command("leaderboard", "Prints the ranking from a sweep's journal, best first, in the live table's columns.")
        {
            dir, watch, top, plain,
        };
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(dir)!, r.GetValue(watch), r.GetValue(top), r.GetValue(plain))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        var folder = JournalFolder.Resolve(a.Dir);
        int top = a.Top;
        if (top == 0) top = int.MaxValue;
        var contents = folder.Read();
        if (!a.Watch)
        {
            foreach (var line in Render(contents, top)) Console.WriteLine(line);
            return ExitCodes.Done;
        }

        bool live = !a.Plain && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        // Ctrl-C and SIGTERM end the watch with exit code 0 (the signals themselves, not only the console's key press).
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            cancel.Cancel();
        });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cancel.Cancel();
        });
        var screen = new Screen(live);
        long size = new FileInfo(folder.JournalPath).Length;
        screen.Draw(Render(contents, live ? Math.Min(top, Math.Max(3, screen.Height - 6)) : top));
        while (!Complete(contents) && !cancel.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Poll, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            long now;
            try
            {
                now = new FileInfo(folder.JournalPath).Length;
            }
            catch (IOException)
            {
                continue;
            }
            if (now == size) continue;
            size = now;
            var next = folder.Read();
            // A torn last line grows the file but not the journal: redraw only when a record was added.
            if (next.GoodLength == contents.GoodLength && next.Results.Count == contents.Results.Count) continue;
            contents = next;
            screen.Draw(Render(contents, live ? Math.Min(top, Math.Max(3, screen.Height - 6)) : top));
        }
        return ExitCodes.Done;
    }

    /// <summary>Every trial of the grid is in the journal: nothing more will come.</summary>
    private static bool Complete(JournalContents c) => c.Header is { } h && c.Results.Count >= h.Trials;

    /// <summary>The leaderboard's lines: what the journal holds, the teacher, the ranking's top rows.</summary>
    public static IReadOnlyList<string> Render(JournalContents c, int top)
    {
        var h = c.Header!;
        var teacher = c.Teachers.Count > 0 ? c.Teachers[^1] : null;
        var rows = Leaderboard.Rank(c.Results, teacher);
        var lines = new List<string>
        {
            $"akkakd sweep {h.SweepName}: {c.Results.Count}/{h.Trials} trials in the journal" +
            (Complete(c) ? "" : c.Results.Count == 0 ? ", none finished yet" : ", running or stopped") +
            $" (sweep {h.SweepHash[..Math.Min(12, h.SweepHash.Length)]})",
            Leaderboard.TeacherLine(teacher),
        };
        if (rows.Count > 0) lines.AddRange(Leaderboard.Table(rows.Take(top).ToList()));
        if (rows.Count > top)
            lines.Add($"{rows.Count - top} more (--top {rows.Count.ToString(CultureInfo.InvariantCulture)} shows them all)");
        return lines;
    }

    /// <summary>
    /// Where the table goes: on a terminal it is redrawn in place (the cursor goes back up over the previous drawing);
    /// piped, each drawing is printed after the last, separated by a blank line.
    /// </summary>
    private sealed class Screen(bool live)
    {
        private int _drawn;
        private int _count;

        public int Height
        {
            get
            {
                try { return Math.Max(10, Console.WindowHeight); } catch { return 40; }
            }
        }

        private static int Width
        {
            get
            {
                try { return Math.Max(40, Console.WindowWidth - 1); } catch { return 120; }
            }
        }

        public void Draw(IReadOnlyList<string> lines)
        {
            var o = Console.Out;
            if (!live)
            {
                if (_count++ > 0) o.WriteLine();
                foreach (var l in lines) o.WriteLine(l);
                o.Flush();
                return;
            }
            int width = Width;
            if (_drawn > 0) o.Write($"\x1b[{_drawn}A\r");
            foreach (var l in lines) o.Write((l.Length > width ? l[..width] : l) + "\x1b[K\n");
            o.Write("\x1b[J");
            o.Flush();
            _drawn = lines.Count;
        }
    }
}
