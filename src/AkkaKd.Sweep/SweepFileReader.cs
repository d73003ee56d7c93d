using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Sweep;

public static partial class SweepFile
{
    /// <summary>Typed reads of leaf values, each error one line naming the key.</summary>
    private sealed partial class Reader(Config c, string origin)
    {
        internal SweepFileException Error(string path, string problem) => new($"{origin}: {path}: {problem}");

        /// <summary>Axes that a --set replaced whole (read from the --set alone).</summary>
        public IReadOnlyDictionary<string, Config> Replaced { get; init; } = new Dictionary<string, Config>();

        internal HoconValue Value(string path)
        {
            var from = Replaced.FirstOrDefault(r => path == r.Key || path.StartsWith(r.Key + ".", StringComparison.Ordinal)).Value ?? c;
            var v = from.GetValue(path);
            if (v is null) throw Error(path, "missing");
            return v;
        }

        internal string Scalar(string path)
        {
            var v = Value(path);
            if (v.IsObject()) throw Error(path, "expected a value, found an object");
            if (v.IsArray()) throw Error(path, "expected a single value, found a list");
            return v.GetString() ?? throw Error(path, "missing");
        }

        public string String(string path)
        {
            var s = Scalar(path);
            if (string.IsNullOrWhiteSpace(s)) throw Error(path, "must not be empty");
            return s;
        }

        public int Int(string path) => ParseInt(path, Scalar(path), int.MinValue);

        public int IntIn(string path, int min, int max)
        {
            int v = ParseInt(path, Scalar(path), min);
            if (v > max) throw Error(path, $"{v} is more than {max}");
            return v;
        }

        /// <summary>A dropout rate: a number in [0, 1).</summary>
        public double Rate(string path)
        {
            var d = ParseDouble(path, Scalar(path));
            if (!(d >= 0 && d < 1)) throw Error(path, $"{SweepSettings.Num(d)} is outside [0, 1)");
            return d;
        }

        /// <summary>dropout, input-dropout and jitter (pixels, 0 or more) of a section; null when all are 0.</summary>
        public Regularization? Regularization(string section)
        {
            var r = new Regularization(Rate(section + ".dropout"), Rate(section + ".input-dropout"),
                ParseInt(section + ".jitter", Scalar(section + ".jitter"), 0));
            return r.IsNone ? null : r;
        }

        public int PositiveInt(string path) => ParseInt(path, Scalar(path), 1);

        public double PositiveDouble(string path)
        {
            var d = ParseDouble(path, Scalar(path));
            if (!(d > 0)) throw Error(path, $"{SweepSettings.Num(d)} is not > 0");
            return d;
        }

        public int[] IntList(string path, bool allowEmpty, int min = 1) =>
            Items(path).Select(s => ParseInt(path, s, min)).ToArray() is var xs && (xs.Length > 0 || allowEmpty)
                ? xs
                : throw Error(path, "the list is empty");

        public double[] DoubleList(string path) => Items(path).Select(s => ParseDouble(path, s)).ToArray();

        internal List<string> Items(string path)
        {
            var v = Value(path);
            if (v.IsObject()) throw Error(path, "expected a list, found an object");
            // A single value is a list of one. Akka's parser reads "[]" as a value that is no list and no string.
            if (!v.IsArray()) return v.GetString() is { } single ? [single] : [];
            var items = new List<string>();
            foreach (var item in v.GetArray())
            {
                if (item.Values.Count == 0) continue; // Akka's parser reads "[ ]" as a list of one item holding nothing
                if (item.IsObject() || item.IsArray()) throw Error(path, "expected a list of numbers");
                items.Add(item.GetString() ?? throw Error(path, "expected a list of numbers, found null"));
            }
            return items;
        }

        internal int ParseInt(string path, string s, int min)
        {
            if (!int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw Error(path, $"expected a whole number, found '{s}'");
            if (v < min) throw Error(path, min == 1 ? $"{v} is less than 1" : $"{v} is less than {min}");
            return v;
        }

        internal double ParseDouble(string path, string s)
        {
            if (!double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw Error(path, $"expected a number, found '{s}'");
            return v == 0 ? 0.0 : v; // -0 is 0: an alpha of -0.0 is the same baseline as 0, with the same key
        }
    }
}
