using System.Globalization;

namespace AkkaKd.Cli;

/// <summary>
/// A small command-line reader: positional words, <c>--name value</c> or <c>--name=value</c> options (some may
/// repeat) and <c>--flag</c> switches. Anything it was not told about is a usage error.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static Args Parse(IEnumerable<string> argv, ISet<string> valueOptions, ISet<string> flagOptions)
    {
        var a = new Args();
        var list = argv.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (arg == "--")
            {
                a.Positional.AddRange(list.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                string name = arg[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                if (flagOptions.Contains(name))
                {
                    if (value != null) throw new UsageException($"--{name} takes no value");
                    a._flags.Add(name);
                }
                else if (valueOptions.Contains(name))
                {
                    if (value is null)
                    {
                        if (i + 1 >= list.Count) throw new UsageException($"--{name} needs a value");
                        value = list[++i];
                    }
                    if (!a._options.TryGetValue(name, out var vs)) a._options[name] = vs = [];
                    vs.Add(value);
                }
                else
                {
                    throw new UsageException($"unknown option --{name}");
                }
            }
            else
            {
                a.Positional.Add(arg);
            }
        }
        return a;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public IReadOnlyList<string> All(string name) => _options.TryGetValue(name, out var v) ? v : [];

    public string? Get(string name)
    {
        if (!_options.TryGetValue(name, out var v)) return null;
        if (v.Count > 1) throw new UsageException($"--{name} given {v.Count} times");
        return v[0];
    }

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    public int GetInt(string name, int fallback, int min = int.MinValue)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"--{name}: '{s}' is not a whole number");
        if (v < min) throw new UsageException($"--{name}: must be at least {min}");
        return v;
    }

    public float GetFloat(string name, float fallback)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
            throw new UsageException($"--{name}: '{s}' is not a number");
        return v;
    }

    public int[] GetInts(string name, int[] fallback)
    {
        var s = Get(name);
        if (s is null) return fallback;
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]) || result[i] < 1)
                throw new UsageException($"--{name}: '{s}' is not a comma-separated list of positive whole numbers");
        if (result.Length == 0) throw new UsageException($"--{name}: empty list");
        return result;
    }

    public void NoMorePositional(int expected, string usage)
    {
        if (Positional.Count > expected)
            throw new UsageException($"unexpected argument '{Positional[expected]}' (usage: {usage})");
    }
}
