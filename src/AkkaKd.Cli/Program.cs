using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Cli;

/// <summary>
/// akkakd's command line: each command declares its options (System.CommandLine) and maps the parse to its own
/// options record; a mistake on the command line is one line on standard error and exit code 2.
/// </summary>
public static class Program
{
    /// <summary>Every command, in the order help lists them: a new command is one more entry here.</summary>
    public static IReadOnlyList<Func<Command>> Commands { get; } =
    [
        SweepCommand.Create, WorkerCommand.Create, StatusCommand.Create, CancelCommand.Create, LeaderboardCommand.Create,
        ReportCommand.Create, DashboardCommand.Create, BenchCommand.Create, DataCommand,
    ];

    public const string ExitCodesHelp = """
        Exit codes:
          0    done
          1    some trials failed (the others are in the journal; sweep --resume retries them)
          2    usage, sweep-file, journal or output-folder error: one line naming it
          3    data error: a missing, truncated or corrupt data file, one line naming it
          4    the sweep was cancelled (akkakd cancel); finished results kept, sweep --resume continues it
          130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM; 129 by SIGHUP (results kept)
        """;

    public static RootCommand Create()
    {
        var root = new RootCommand("Knowledge-distillation hyperparameter sweeps on Akka.NET.");
        foreach (var create in Commands) root.Add(create());
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
        return root;
    }

    /// <summary>System.CommandLine's help, and after the root's the exit codes.</summary>
    private sealed class HelpWithExitCodes(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = help.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand) parseResult.InvocationConfiguration.Output.WriteLine(ExitCodesHelp);
            return code;
        }
    }

    private static Command DataCommand()
    {
        var command = new Command("data", "Prints the embedded data set's provenance and licence.");
        command.SetAction(_ =>
        {
            Console.WriteLine(DataSource.EmbeddedAttribution());
            return ExitCodes.Done;
        });
        return command;
    }

    /// <summary>The one line for a command line that cannot run (null when it can, or asks for --help or --version).</summary>
    private static string? ParseError(ParseResult parse)
    {
        if (parse.Action is { ClearsParseErrors: true }) return null;
        var command = parse.CommandResult.Command;
        var see = command is RootCommand ? "akkakd --help" : $"akkakd {command.Name} --help";
        if (UnknownOption(parse) is { } unknown) return $"Unrecognized command or argument '{unknown}'. (see {see})";
        if (parse.Errors.Count == 0) return null;
        // The word that was not understood first (akkakd frobnicate: the unknown command, not the missing one).
        var error = parse.UnmatchedTokens.Count > 0
            ? parse.Errors.FirstOrDefault(e => e.Message.Contains($"'{parse.UnmatchedTokens[0]}'", StringComparison.Ordinal)) ?? parse.Errors[0]
            : parse.Errors[0];
        return $"{error.Message.Split('\n')[0].Trim()} (see {see})";
    }

    /// <summary>
    /// A word like --bogus that System.CommandLine took for FILE or DIR (it gives unknown words to a free argument):
    /// an unknown option, as before. After "--" any word is a FILE or DIR.
    /// </summary>
    private static string? UnknownOption(ParseResult parse)
    {
        var positional = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).ToList();
        foreach (var t in parse.Tokens)
        {
            if (t.Type == TokenType.DoubleDash) break;
            if (t.Value.Length > 1 && t.Value[0] == '-' && positional.Any(p => ReferenceEquals(p, t))) return t.Value;
        }
        return null;
    }

    public static async Task<int> Main(string[] args)
    {
        // `akkakd` alone prints the usage (exit code 2); `akkakd help [COMMAND]` is `akkakd [COMMAND] --help`.
        string[] argv = args switch
        {
            [] => ["--help"],
            ["help", .. var rest] => [.. rest, "--help"],
            _ => args,
        };
        var parse = Create().Parse(argv, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (ParseError(parse) is { } error)
        {
            Console.Error.WriteLine($"akkakd: {error}");
            return ExitCodes.Usage;
        }
        try
        {
            // The commands handle their signals themselves; an exception below is not System.CommandLine's to print.
            int code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
            return args.Length == 0 ? ExitCodes.Usage : code;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"akkakd: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (AkkaKd.Cluster.Node.VersionSkewException e)
        {
            Console.Error.WriteLine($"akkakd: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (DataException e)
        {
            Console.Error.WriteLine($"akkakd: data error: {e.Message}");
            return ExitCodes.Data;
        }
    }
}
