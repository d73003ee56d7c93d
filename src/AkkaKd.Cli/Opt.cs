using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AkkaKd.Cli;

/// <summary>
/// The kinds of option akkakd's commands declare. A bad value is a parse error of one line naming the option (exit
/// code 2); a default given here is shown in the command's --help as [default: ...].
/// </summary>
public static class Opt
{
    /// <summary>A value with no default (null when not given; the command decides, e.g. from the environment).</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    public static Option<string> Text(string name, string helpName, string description, string fallback) =>
        new(name) { HelpName = helpName, Description = description, DefaultValueFactory = _ => fallback };

    /// <summary>A value that may be given several times (--set a=1 --set b=2); never empty after its name.</summary>
    public static Option<string[]> Repeated(string name, string helpName, string description) =>
        new(name)
        {
            HelpName = helpName, Description = description + " [default: none]", Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [],
        };

    /// <summary>A switch: present or not, it takes no value.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    public static Option<int> Int(string name, string helpName, string description, int fallback, int min = int.MinValue) =>
        new(name)
        {
            HelpName = helpName, Description = description, DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                var s = Value(r);
                if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    r.AddError($"{name}: '{s}' is not a whole number");
                else if (v < min) r.AddError($"{name}: must be at least {min}");
                return v;
            },
        };

    public static Option<float> Float(string name, string helpName, string description, float fallback) =>
        new(name)
        {
            HelpName = helpName, Description = description, DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                var s = Value(r);
                if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    r.AddError($"{name}: '{s}' is not a number");
                return v;
            },
        };

    /// <summary>
    /// A comma-separated list of positive whole numbers, e.g. 1200,1200; null when not given (help shows the default
    /// as written here, where System.CommandLine would write 1200|1200).
    /// </summary>
    public static Option<int[]?> Ints(string name, string helpName, string description, int[] fallback) =>
        new(name)
        {
            HelpName = helpName, Description = $"{description} [default: {string.Join(',', fallback)}]",
            Arity = ArgumentArity.ExactlyOne, AllowMultipleArgumentsPerToken = false,
            CustomParser = r =>
            {
                var s = Value(r);
                var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var result = new int[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                    if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]) || result[i] < 1)
                    {
                        r.AddError($"{name}: '{s}' is not a comma-separated list of positive whole numbers");
                        return null;
                    }
                if (result.Length == 0) r.AddError($"{name}: empty list");
                return result;
            },
        };

    /// <summary>The option's value as written (the parser has already refused a missing value).</summary>
    private static string Value(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    /// <summary>The flag that moves unreadable journal lines to results.jsonl.bad (as the torn tail is set aside).</summary>
    public static Option<bool> SetAsideBadLines() => Flag(AkkaKd.Sweep.JournalReader.SetAsideOption,
        "move journal lines that cannot be read to results.jsonl.bad and go on with the rest (never while a sweep holds the folder)");
}
