using System.Reflection;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// The command line as a user meets it: every command's --help names each of its options with its default and
/// meaning, --version, the root help's exit codes, and a mistake on the command line as one line with exit code 2.
/// </summary>
public sealed class HelpTests : IDisposable
{
    private readonly string _dir = Akkakd.TempDir();
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public static TheoryData<string> CommandNames => new(Program.Commands.Select(c => c().Name));

    /// <summary>The help line of an option: "  --top <N>   rows shown ... [default: 20]".</summary>
    private static string OptionLine(string help, string option)
    {
        var lines = help.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"{option}: {lines.Count} help lines in\n{help}");
        return lines[0];
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Each_commands_help_lists_every_option_with_its_meaning_and_every_value_with_its_default(string command)
    {
        var (code, help, err) = await Akkakd.Run(_dir, Limit, command, "--help");
        Assert.True(code == 0, $"exit {code}: {err}");
        Assert.Equal("", err);
        Assert.Contains($"akkakd {command}", help);
        var declared = Program.Commands.Select(c => c()).Single(c => c.Name == command);
        foreach (var option in declared.Options)
        {
            var line = OptionLine(help, option.Name);
            var meaning = line.Trim()[(option.Name.Length + (option.HelpName is null ? 0 : option.HelpName.Length + 3))..].Trim();
            Assert.True(meaning.Length > 10, $"{option.Name}: no meaning in '{line}'");
            // An option that takes a value says what it is when not given; a switch is off when not given.
            if (option.Arity.MaximumNumberOfValues > 0) Assert.Contains("[default: ", line);
        }
        foreach (var argument in declared.Arguments) Assert.Contains($"<{argument.Name}>", help);
    }

    [Theory]
    [InlineData("sweep", "--out", "[default: results/NAME-TIMESTAMP]")]
    [InlineData("sweep", "--min-workers", "[default: 0]")]
    [InlineData("sweep", "--port", "[default: $AKKAKD_PORT, else 0]")]
    [InlineData("sweep", "--host", "[default: $AKKAKD_HOST, else 127.0.0.1]")]
    [InlineData("sweep", "--seeds", "$AKKAKD_SEEDS")]
    [InlineData("sweep", "--config", "$AKKAKD_CONFIG")]
    [InlineData("worker", "--slots", "[default: $AKKAKD_SLOTS, else one per core]")]
    [InlineData("worker", "--seeds", "(required) [default: $AKKAKD_SEEDS]")]
    [InlineData("leaderboard", "--top", "[default: 20]")]
    [InlineData("bench", "--train", "[default: 7000]")]
    [InlineData("bench", "--val", "[default: 1000]")]
    [InlineData("bench", "--runs", "[default: 3]")]
    [InlineData("bench", "--teacher", "[default: 1200,1200]")]
    [InlineData("bench", "--temperature", "[default: 4]")]
    [InlineData("bench", "--alpha", "[default: 0.9]")]
    [InlineData("bench", "--lr", "[default: 0.001]")]
    [InlineData("bench", "--python", "[default: /usr/bin/python3]")]
    [InlineData("bench", "--trials", "[default: 40000]")]
    public async Task The_help_states_the_defaults_the_command_uses(string command, string option, string expected)
    {
        var (code, help, _) = await Akkakd.Run(_dir, Limit, command, "--help");
        Assert.Equal(0, code);
        Assert.Contains(expected, OptionLine(help, option));
    }

    [Fact]
    public async Task The_slots_default_is_the_number_of_cores()
    {
        var (_, help, _) = await Akkakd.Run(_dir, Limit, "sweep", "--help");
        Assert.Contains($"[default: {Environment.ProcessorCount}]", OptionLine(help, "--slots"));
    }

    [Fact]
    public async Task The_root_help_lists_the_commands_and_the_exit_codes()
    {
        var (code, help, err) = await Akkakd.Run(_dir, Limit, "--help");
        Assert.True(code == 0, err);
        foreach (var name in new[] { "sweep", "worker", "leaderboard", "report", "bench", "data" })
            Assert.Matches($@"(?m)^\s+{name}\b", help);
        Assert.Contains("Exit codes:", help);
        foreach (var exit in new[] { "0 ", "1 ", "2 ", "3 ", "4 ", "130 " })
            Assert.Matches($@"(?m)^\s+{exit}", help);
        Assert.Contains("143", help);
        Assert.Contains("--version", help);
    }

    [Fact]
    public async Task No_arguments_print_the_usage_and_exit_2_and_help_COMMAND_is_COMMAND_help()
    {
        var (code, usage, err) = await Akkakd.Run(_dir, Limit);
        Assert.Equal(2, code);
        Assert.Equal("", err);
        var (_, help, _) = await Akkakd.Run(_dir, Limit, "--help");
        Assert.Equal(help, usage);
        (code, help, _) = await Akkakd.Run(_dir, Limit, "help", "sweep");
        Assert.Equal(0, code);
        var (_, sweepHelp, _) = await Akkakd.Run(_dir, Limit, "sweep", "--help");
        Assert.Equal(sweepHelp, help);
    }

    [Fact]
    public async Task Version_prints_the_programs_version()
    {
        var (code, output, err) = await Akkakd.Run(_dir, Limit, "--version");
        Assert.True(code == 0, err);
        var version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Theory]
    [InlineData("sweep", "--bogus")]
    [InlineData("sweep", "--plain", "--bogus")] // not taken for FILE
    [InlineData("worker", "--bogus", "x")]
    [InlineData("leaderboard", "--bogus", "DIR")] // not taken for DIR
    [InlineData("report", "DIR", "--bogus")]
    [InlineData("bench", "--json", "--bogus")]
    [InlineData("data", "--bogus")]
    [InlineData("--bogus")]
    public async Task An_unknown_option_is_one_line_and_exit_2(params string[] args)
    {
        var (code, output, err) = await Akkakd.Run(_dir, Limit, args);
        Assert.Equal(2, code);
        Assert.Equal("", output); // no help dump
        Akkakd.AssertOneLineError(err, "'--bogus'", "--help");
    }

    [Theory]
    [InlineData("--out", "sweep", "--out")]
    [InlineData("--set", "sweep", "--set")]
    [InlineData("--seeds", "worker", "--seeds")]
    [InlineData("--top", "leaderboard", "DIR", "--top")]
    [InlineData("--train", "bench", "--train")]
    [InlineData("--teacher", "bench", "--json", "--teacher")]
    public async Task A_missing_option_value_is_one_line_and_exit_2(string option, params string[] args)
    {
        var (code, output, err) = await Akkakd.Run(_dir, Limit, args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Akkakd.AssertOneLineError(err, option);
    }

    [Theory]
    [InlineData("--top: must be at least 0", "leaderboard", "DIR", "--top", "-1")]
    [InlineData("--top: 'many' is not a whole number", "leaderboard", "DIR", "--top", "many")]
    [InlineData("--slots: must be at least 0", "sweep", "--slots", "-2")]
    [InlineData("--alpha: 'nan' is not a number", "bench", "--alpha", "nan")]
    [InlineData("--teacher: '1,x' is not a comma-separated list of positive whole numbers", "bench", "--teacher", "1,x")]
    [InlineData("--out", "sweep", "--out", "a", "--out", "b")]
    [InlineData("'extra'", "leaderboard", "DIR", "extra")]
    [InlineData("leaderboard", "leaderboard")]
    public async Task A_bad_value_a_repeated_option_or_a_wrong_number_of_arguments_is_one_line_and_exit_2(string mention, params string[] args)
    {
        var (code, output, err) = await Akkakd.Run(_dir, Limit, args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Akkakd.AssertOneLineError(err, mention);
    }

    [Fact]
    public async Task After_a_double_dash_a_word_with_dashes_is_the_file()
    {
        var (code, _, err) = await Akkakd.Run(_dir, Limit, "report", "--", "--no-such-folder");
        Assert.Equal(2, code);
        Akkakd.AssertOneLineError(err, "--no-such-folder: no such folder");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
