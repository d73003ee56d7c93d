using Akka.Configuration.Hocon;
using AkkaKd.Sweep.Search;

namespace AkkaKd.Sweep;

/// <summary>The search keys: axes given as distributions, and the <c>sweep.search</c> block.</summary>
public static partial class SweepFile
{
    /// <summary>The grid axes that may be an object: a distribution (temperature, alpha) or a choice (any of them).</summary>
    private static readonly HashSet<string> AxisKeys = ["sweep.grid.temperature", "sweep.grid.alpha", "sweep.grid.width"];

    private static readonly string[] AxisForms = ["log-uniform", "uniform", "choice"];

    private static void CheckAxisObject(HoconValue value, string path, string origin)
    {
        var items = value.GetObject().Items;
        bool width = path == "sweep.grid.width";
        string expected = width ? "a list or { choice = [...] }" : "a list, { choice = [...] }, { uniform = [low, high] } or { log-uniform = [low, high] }";
        if (items.Count != 1) throw new SweepFileException($"{origin}: {path}: expected {expected}");
        var form = items.Keys.Single();
        if (!AxisForms.Contains(form) || (width && form != "choice"))
            throw new SweepFileException($"{origin}: {path}: found an object with '{form}', expected {expected}");
        if (items[form].IsObject()) throw new SweepFileException($"{origin}: {path}.{form}: expected a list, found an object");
    }

    private static void CheckSearch(SweepSettings s, string origin)
    {
        var search = s.SearchOrDefault;
        if (search.Method == SearchMethod.Grid)
            foreach (var (key, range) in new[] { ("sweep.grid.temperature", search.Temperature), ("sweep.grid.alpha", search.Alpha) })
                if (range != null)
                    throw new SweepFileException($"{origin}: {key}: a {range.Kind} range needs sweep.search.method = random or sobol (a grid takes lists)");
        if (search.Scheduler != SchedulerKind.None && search.MinEpochs > s.Student.Epochs)
            throw new SweepFileException(
                $"{origin}: sweep.search.min-epochs: {search.MinEpochs} is more than sweep.student.epochs = {s.Student.Epochs}");
    }

    private sealed partial class Reader
    {
        /// <summary>A temperature or alpha axis: a list (or a choice among values), or a range with its two ends.</summary>
        public double[] Axis(string path, out AxisRange? range)
        {
            range = null;
            var v = Value(path);
            if (!v.IsObject()) return Items(path).Select(s => ParseDouble(path, s)).ToArray();
            var (form, item) = v.GetObject().Items.Single();
            var values = Items(path + "." + form).Select(s => ParseDouble(path + "." + form, s)).ToArray();
            if (form == "choice")
            {
                if (values.Length == 0) throw Error(path + ".choice", "the list is empty");
                return values;
            }
            var at = path + "." + form;
            if (values.Length != 2) throw Error(at, $"expected [low, high], found {values.Length} numbers");
            if (!(values[0] <= values[1])) throw Error(at, $"low {SweepSettings.Num(values[0])} is above high {SweepSettings.Num(values[1])}");
            if (form == "log-uniform" && !(values[0] > 0)) throw Error(at, $"low {SweepSettings.Num(values[0])} is not > 0 (a log scale)");
            range = new AxisRange(form == "log-uniform", values[0], values[1]);
            return values;
        }

        /// <summary>Widths: a list, or { choice = [...] }.</summary>
        public int[] WidthAxis(string path)
        {
            var at = Value(path).IsObject() ? path + ".choice" : path;
            var xs = Items(at).Select(s => ParseInt(at, s, 1)).ToArray();
            return xs.Length > 0 ? xs : throw Error(at, "the list is empty");
        }

        public SearchSettings Search(AxisRange? temperature, AxisRange? alpha)
        {
            var method = Choice<SearchMethod>("sweep.search.method");
            var scheduler = Choice<SchedulerKind>("sweep.search.scheduler");
            int reduction = ParseInt("sweep.search.reduction", Scalar("sweep.search.reduction"), 2);
            return new SearchSettings(method, PositiveInt("sweep.search.configurations"), scheduler,
                PositiveInt("sweep.search.min-epochs"), reduction, temperature, alpha);
        }

        private T Choice<T>(string path) where T : struct, Enum
        {
            var s = String(path).Trim();
            foreach (var v in Enum.GetValues<T>())
                if (string.Equals(v.ToString(), s, StringComparison.OrdinalIgnoreCase)) return v;
            var names = string.Join(" | ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
            throw Error(path, $"'{s}' is not one of {names}");
        }
    }
}
