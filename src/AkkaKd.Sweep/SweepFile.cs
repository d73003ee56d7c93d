using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep;

/// <summary>A sweep file or override that cannot be used: one line naming the file or key and the problem (exit code 2).</summary>
public sealed class SweepFileException(string message) : Exception(AkkaKd.Distillation.OneLine.Of(message));

/// <summary>
/// Reads a sweep file (HOCON, every key with a default), applies <c>--set key=value</c> overrides and validates the
/// result before any work starts.
/// </summary>
public static partial class SweepFile
{
    /// <summary>Every key with its default value: what an empty sweep file runs (the laptop sweep is <see cref="Laptop"/>).</summary>
    public const string Defaults = """
        sweep {
          name = laptop
          seed = 1
          data    { source = "embedded:mnist10k", train = 7000, validation = 1000, test = 2000 }
          teacher { hidden = [1200, 1200], epochs = 8, batch = 128, lr = 0.001, dropout = 0, input-dropout = 0, jitter = 0 }
          student { epochs = 10, batch = 128, lr = 0.001, layers = 1, dropout = 0, input-dropout = 0, jitter = 0 }
          grid    { temperature = [1, 4, 20], alpha = [0, 0.5, 0.9], width = [16, 32, 64, 128], seeds = [1, 2, 3] }
          search  { method = grid, configurations = 20, scheduler = none, min-epochs = 1, reduction = 3 }
          leaderboard { top = 20 }
          max-trials = 10000
          threads-per-trial = 1
          priority = 1
        }
        """;

    private enum Kind { String, Int, PositiveInt, Double, IntList, DoubleList, Rate }

    /// <summary>The most hidden layers a student may have.</summary>
    public const int MaxStudentLayers = 8;

    private static readonly (string Path, Kind Kind)[] Schema =
    [
        ("sweep.name", Kind.String),
        ("sweep.seed", Kind.Int),
        ("sweep.data.source", Kind.String),
        ("sweep.data.train", Kind.PositiveInt),
        ("sweep.data.validation", Kind.Int),
        ("sweep.data.test", Kind.PositiveInt),
        ("sweep.teacher.hidden", Kind.IntList),
        ("sweep.teacher.epochs", Kind.PositiveInt),
        ("sweep.teacher.batch", Kind.PositiveInt),
        ("sweep.teacher.lr", Kind.Double),
        ("sweep.teacher.dropout", Kind.Rate),
        ("sweep.teacher.input-dropout", Kind.Rate),
        ("sweep.teacher.jitter", Kind.Int),
        ("sweep.student.epochs", Kind.PositiveInt),
        ("sweep.student.batch", Kind.PositiveInt),
        ("sweep.student.lr", Kind.Double),
        ("sweep.student.layers", Kind.PositiveInt),
        ("sweep.student.dropout", Kind.Rate),
        ("sweep.student.input-dropout", Kind.Rate),
        ("sweep.student.jitter", Kind.Int),
        ("sweep.grid.temperature", Kind.DoubleList),
        ("sweep.grid.alpha", Kind.DoubleList),
        ("sweep.grid.width", Kind.IntList),
        ("sweep.grid.seeds", Kind.IntList),
        ("sweep.search.method", Kind.String),
        ("sweep.search.configurations", Kind.PositiveInt),
        ("sweep.search.scheduler", Kind.String),
        ("sweep.search.min-epochs", Kind.PositiveInt),
        ("sweep.search.reduction", Kind.Int),
        ("sweep.leaderboard.top", Kind.PositiveInt),
        ("sweep.max-trials", Kind.PositiveInt),
        ("sweep.threads-per-trial", Kind.PositiveInt),
        ("sweep.priority", Kind.PositiveInt),
    ];

    private static readonly Dictionary<string, Kind> Known = Schema.ToDictionary(s => s.Path, s => s.Kind);

    private static readonly HashSet<string> Sections = Known.Keys
        .SelectMany(k => Enumerable.Range(1, k.Count(c => c == '.')).Select(n => string.Join('.', k.Split('.').Take(n))))
        .ToHashSet();

    /// <summary>Loads a sweep file (null: the defaults alone) with overrides "key=value" applied in order.</summary>
    public static SweepSettings Load(string? path, IEnumerable<string>? overrides = null)
    {
        string origin = path ?? "default sweep";
        string text = "";
        if (path != null)
        {
            if (Directory.Exists(path)) throw new SweepFileException($"{path}: is a directory, not a sweep file");
            if (!File.Exists(path)) throw new SweepFileException($"{path}: file not found");
            var info = new FileInfo(path);
            if (info.Length > 1 << 20) throw new SweepFileException($"{path}: {info.Length:N0} bytes, too large for a sweep file (limit 1 MiB)");
            var bytes = File.ReadAllBytes(path);
            if (bytes.Contains((byte)0)) throw new SweepFileException($"{path}: binary data, not a HOCON sweep file");
            var body = bytes.AsSpan();
            if (body.StartsWith(System.Text.Encoding.UTF8.Preamble)) body = body[3..]; // a BOM, as Windows editors write
            text = System.Text.Encoding.UTF8.GetString(body);
        }
        return Parse(text, origin, overrides);
    }

    public static SweepSettings Parse(string text, string origin, IEnumerable<string>? overrides = null)
    {
        var config = ParseHocon(text, origin);
        var fromFile = config;
        var replaced = new Dictionary<string, Config>(StringComparer.Ordinal);
        foreach (var o in overrides ?? [])
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new SweepFileException($"--set {o}: expected key=value (e.g. sweep.grid.width=[8,16])");
            var key = o[..eq].Trim();
            var value = o[(eq + 1)..].Trim();
            if (!Sections.Contains(key) && !Known.ContainsKey(key))
                throw new SweepFileException($"--set {key}: unknown key{Suggest(key)}");
            var set = Override(key, value);
            CheckKeys(set.Root, "", $"--set {key}");
            config = set.WithFallback(config);
            if (AxisKeys.Contains(key)) replaced[key] = set; // an object over an object would merge: the --set replaces it
        }
        CheckKeys(fromFile.Root, "", origin);
        var merged = config.WithFallback(ConfigurationFactory.ParseString(Defaults));
        return Build(merged, origin, replaced);
    }

    private static Config ParseHocon(string text, string origin)
    {
        if (string.IsNullOrWhiteSpace(text)) return ConfigurationFactory.Empty;
        if (StructureProblem(text) is { } problem) throw new SweepFileException($"{origin}: HOCON syntax error: {problem}");
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new SweepFileException($"{origin}: HOCON syntax error: {OneLine(e.Message)}");
        }
    }

    /// <summary>key=value as HOCON; a value that is not valid HOCON is taken as a string.</summary>
    private static Config Override(string key, string value)
    {
        var hocon = $"{key} = {value}";
        if (StructureProblem(hocon) is null)
        {
            try
            {
                var c = ConfigurationFactory.ParseString(hocon);
                if (c.HasPath(key)) return c;
            }
            catch (Exception)
            {
                // not HOCON: a plain string below
            }
        }
        var quoted = "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return ConfigurationFactory.ParseString($"{key} = {quoted}");
    }

    /// <summary>
    /// What Akka's HOCON parser would get wrong: it loops forever on some malformed lists ("[8, 16 }", "[a = 1]",
    /// "[x!]") and silently accepts unbalanced brackets and unterminated strings. Brackets must match (outside
    /// strings, substitutions and comments) and a list must not hold a character HOCON forbids in unquoted text.
    /// Returns the problem ("line N: ...") or null.
    /// </summary>
    internal static string? StructureProblem(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
            }
            else if (c == '"' && string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) return $"line {line}: a \"\"\" string is never closed";
                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 2;
            }
            else if (c == '"')
            {
                int start = line;
                for (i++; i < text.Length && text[i] != '"' && text[i] != '\n'; i++)
                    if (text[i] == '\\') i++;
                if (i >= text.Length || text[i] != '"') return $"line {start}: a quoted string is never closed";
            }
            else if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                int end = text.IndexOfAny(['}', '\n'], i + 2);
                if (end < 0 || text[end] != '}') return $"line {line}: a ${{...}} substitution is never closed";
                i = end;
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line));
            }
            else if (c is '}' or ']')
            {
                char want = c == '}' ? '{' : '[';
                if (open.Count == 0) return $"line {line}: '{c}' without a matching '{want}'";
                var (bracket, at) = open.Pop();
                if (bracket != want) return $"line {line}: '{c}' closes the '{bracket}' of line {at}";
            }
            else if (open.Count > 0 && open.Peek().Bracket == '[' && "!$&*:=?@\\^`".Contains(c))
            {
                return $"line {line}: '{c}' in a list (quote the value)";
            }
        }
        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            return $"line {at}: '{bracket}' is never closed";
        }
        return null;
    }

    private static void CheckKeys(HoconValue? node, string prefix, string origin)
    {
        if (node is null || !node.IsObject()) return;
        foreach (var (name, value) in node.GetObject().Items)
        {
            var path = prefix.Length == 0 ? name : prefix + "." + name;
            if (Known.ContainsKey(path))
            {
                if (value.IsObject() && AxisKeys.Contains(path))
                {
                    CheckAxisObject(value, path, origin);
                    continue;
                }
                if (value.IsObject()) throw new SweepFileException($"{origin}: {path}: expected a value, found an object");
                continue;
            }
            if (!Sections.Contains(path)) throw new SweepFileException($"{origin}: {path}: unknown key{Suggest(path)}");
            if (!value.IsObject()) throw new SweepFileException($"{origin}: {path}: expected an object {{ ... }}");
            CheckKeys(value, path, origin);
        }
    }

    private static string Suggest(string path)
    {
        var best = Known.Keys.Concat(Sections)
            .Select(k => (Key: k, Distance: Levenshtein(k, path)))
            .OrderBy(x => x.Distance).First();
        return best.Distance <= 3 ? $" (did you mean {best.Key}?)" : "";
    }

    private static SweepSettings Build(Config c, string origin, IReadOnlyDictionary<string, Config> replaced)
    {
        var reader = new Reader(c, origin) { Replaced = replaced };
        var s = new SweepSettings(
            Name: reader.String("sweep.name"),
            Seed: reader.Int("sweep.seed"),
            Data: new DataSettings(reader.String("sweep.data.source"), reader.PositiveInt("sweep.data.train"), reader.PositiveInt("sweep.data.test"),
                reader.IntIn("sweep.data.validation", 0, int.MaxValue)),
            Teacher: new TeacherSettings(reader.IntList("sweep.teacher.hidden", allowEmpty: false), reader.PositiveInt("sweep.teacher.epochs"),
                reader.PositiveInt("sweep.teacher.batch"), reader.PositiveDouble("sweep.teacher.lr"), reader.Regularization("sweep.teacher")),
            Student: new StudentSettings(reader.PositiveInt("sweep.student.epochs"), reader.PositiveInt("sweep.student.batch"),
                reader.PositiveDouble("sweep.student.lr"), reader.IntIn("sweep.student.layers", 1, MaxStudentLayers),
                reader.Regularization("sweep.student")),
            Grid: new GridSettings(reader.Axis("sweep.grid.temperature", out var tRange), reader.Axis("sweep.grid.alpha", out var aRange),
                reader.WidthAxis("sweep.grid.width"), reader.IntList("sweep.grid.seeds", allowEmpty: false, min: 0)),
            Top: reader.PositiveInt("sweep.leaderboard.top"),
            MaxTrials: reader.PositiveInt("sweep.max-trials"),
            ThreadsPerTrial: reader.IntIn("sweep.threads-per-trial", 1, 256),
            Priority: reader.PositiveInt("sweep.priority"));
        var search = reader.Search(tRange, aRange);
        s = s with { Search = search == SearchSettings.Default ? null : search };

        if (DataSource.TryParse(s.Data.Source, out var err) is null)
            throw new SweepFileException($"{origin}: sweep.data.source: {err}");
        if (s.Grid.Temperature.Length == 0) throw new SweepFileException($"{origin}: sweep.grid.temperature: the axis is empty");
        if (s.Grid.Alpha.Length == 0) throw new SweepFileException($"{origin}: sweep.grid.alpha: the axis is empty");
        foreach (var t in s.Grid.Temperature)
            if (!(t > 0) || !double.IsFinite(t)) throw new SweepFileException($"{origin}: sweep.grid.temperature: {SweepSettings.Num(t)} is not > 0");
        foreach (var a in s.Grid.Alpha)
            if (!(a >= 0 && a <= 1)) throw new SweepFileException($"{origin}: sweep.grid.alpha: {SweepSettings.Num(a)} is outside [0, 1]");
        CheckSearch(s, origin);
        var sampled = s.SearchOrDefault.Method != SearchMethod.Grid;
        long count = sampled ? SearchSpace.MaxCount(s) : Grid.Count(s.Grid);
        if (count > s.MaxTrials)
            throw new SweepFileException(
                $"{origin}: {(sampled ? "sweep.search.configurations" : "sweep.grid")}: {count:N0} trials, over sweep.max-trials = {s.MaxTrials:N0} (raise it with --set sweep.max-trials={count} if you mean it)");
        SweepLimits.Check(s, origin);
        return s;
    }

    private static string OneLine(string s) => string.Join(' ', s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
