using System.CommandLine;
using System.Globalization;
using AkkaKd.Reports;
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
    public sealed record Options(string Dir, bool Watch, int Top, bool Plain, bool SetAsideBadLines = false);

    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "a sweep's output folder (or its results.jsonl)" };
        var watch = Opt.Flag("--watch", "follow the journal as it grows, until Ctrl-C (exit code 0) or every trial is in");
        var top = Opt.Int("--top", "N", "rows shown, 0 for all", 20, 0);
        var plain = Opt.Flag("--plain", "with --watch: print the table again per change, not redrawn in place (always so when piped)");
        var setAside = Opt.SetAsideBadLines();
        var command = new Command("leaderboard", "Prints the ranking from a sweep's journal, best first, in the live table's columns.")
        {
            dir, watch, top, plain,
        };
        command.Add(setAside);
        command.SetAction((r, _) => RunAsync(new Options(r.GetValue(dir)!, r.GetValue(watch), r.GetValue(top), r.GetValue(plain),
            r.GetValue(setAside))));
        return command;
    }

    public static async Task<int> RunAsync(Options a)
    {
        var folder = JournalFolder.Resolve(a.Dir);
        int top = a.Top;
        if (top == 0) top = int.MaxValue;
        var contents = folder.Read(a.SetAsideBadLines);
        if (!a.Watch)
        {
            foreach (var line in Render(contents, top)) Console.WriteLine(line);
            return ExitCodes.Done;
        }

        bool live = LiveScreen.IsTerminal(plainRequested: a.Plain);
        using var cancel = new CancellationTokenSource();
        // A signal handled late (its handler runs on another thread) may find the watch over and the source disposed.
        void Stop()
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the watch has ended already
            }
        }
        ConsoleCancelEventHandler onCancelKey = (_, e) =>
        {
            e.Cancel = true;
            Stop();
        };
        Console.CancelKeyPress += onCancelKey;
        using var unsubscribe = new Unsubscribe(() => Console.CancelKeyPress -= onCancelKey);
        // Ctrl-C and SIGTERM end the watch with exit code 0 (the signals themselves, not only the console's key press).
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            Stop();
        });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            Stop();
        });
        // The live table of AkkaKd.Reports, fed the journal as it grows.
        var screen = new LiveScreen(Console.Out, inPlace: live);
        var table = new LiveTable();
        table.Load(contents, top);
        long size = new FileInfo(folder.JournalPath).Length;
        screen.Draw(table.Lines(live ? LiveScreen.Height : null));
        while (!table.Complete && !cancel.IsCancellationRequested)
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
            table.Load(contents, top);
            screen.Draw(table.Lines(live ? LiveScreen.Height : null));
        }
        return ExitCodes.Done;
    }

    private sealed class Unsubscribe(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>The leaderboard's lines: what the journal holds, the teacher, the ranking's top rows.</summary>
    public static IReadOnlyList<string> Render(JournalContents c, int top)
    {
        var table = new LiveTable();
        table.Load(c, top);
        return table.Lines(height: null);
    }
}
