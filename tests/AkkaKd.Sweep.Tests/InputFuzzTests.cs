using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Property-based tests (CsCheck) of what users hand in: mutated sweep files and overrides, mutated journal lines. Each
/// input either works or gives one line of the documented exception type (SweepFileException, exit 2; JournalException,
/// exit 2), never another exception and never a second line. Bounded: a fixed count of cases, one thread, a time limit.
/// A failure prints the seed and the smallest input CsCheck shrank it to.
/// </summary>
public sealed class InputFuzzTests : IDisposable
{
    private const int Cases = 1500;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] SweepBases =
    [
        SweepFile.Defaults,
        "sweep { name = x, seed = 3\n  data { source = \"embedded:mnist10k\", train = 500, test = 100 }\n" +
        "  grid { temperature = [1, 2.5], alpha = [0, 0.5], width = [8, 16], seeds = [1, 2] } }\n",
        "# a comment\nsweep.grid.width = [8]\nsweep.teacher { hidden = [64], epochs = 1 }\nsweep.student.lr = 1e-3\n",
    ];

    private const string HoconAlphabet = "{}[]=:,.\"\n #/$-+eE0123456789abxyz_\\'\t!?@ü";

    /// <summary>An edit at a position: insert, delete, replace a span, or swap in a random token.</summary>
    private static readonly Gen<(int Pos, int Op, string Text)> Edit =
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 3], Gen.String[Gen.Char[HoconAlphabet], 0, 8]);

    private static string Apply(string s, (int Pos, int Op, string Text)[] edits)
    {
        foreach (var (p, op, text) in edits)
        {
            int pos = p % (s.Length + 1);
            int len = Math.Min(s.Length - pos, text.Length + 1);
            s = op switch
            {
                0 => s.Insert(pos, text),
                1 => s.Remove(pos, len),
                _ => s.Remove(pos, len).Insert(pos, text),
            };
        }
        return s;
    }

    private static readonly Gen<string> MutatedSweep =
        from b in Gen.Int[0, SweepBases.Length - 1]
        from edits in Edit.Array[1, 4]
        select Apply(SweepBases[b], edits);

    private static readonly string[] Keys =
    [
        "sweep.name", "sweep.seed", "sweep.data.source", "sweep.data.train", "sweep.data.test", "sweep.teacher.hidden",
        "sweep.teacher.lr", "sweep.student.epochs", "sweep.student.lr", "sweep.grid.temperature", "sweep.grid.alpha",
        "sweep.grid.width", "sweep.grid.seeds", "sweep.max-trials", "sweep.grid", "sweep", "sweep.nope",
    ];

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.String[Gen.Char[HoconAlphabet], 0, 12],
        Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.OneOf<string>("[]", "[1e-60]", "[1e300]", "[100000000]", "[0]", "[-1]", "\"a\\nb\"", "{}", "[1, [2]]", "null",
            "\"idx:/nonexistent/a.gz,/nonexistent/b.gz\"", "9999999999", "1e-60", "[2000000]", "[100000, 100000]"));

    private static readonly Gen<string[]> Overrides =
        Gen.Select(Gen.Int[0, Keys.Length - 1], Value, (k, v) => $"{Keys[k]}={v}").Array[1, 3];

    /// <summary>Runs <paramref name="f"/>; an exception of type <typeparamref name="TExpected"/> must be one line.</summary>
    private static void OneLineOrSuccess<TExpected>(Action f) where TExpected : Exception
    {
        try
        {
            f();
        }
        catch (TExpected e)
        {
            Assert.False(e.Message.Contains('\n') || e.Message.Contains('\r'), "a message of more than one line: " + e.Message);
            Assert.False(e.Message.Length == 0, "an empty message");
        }
    }

    private static void Bounded<T>(Gen<T> gen, Action<T> property, int cases = Cases)
    {
        var sw = Stopwatch.StartNew();
        gen.Sample(property, iter: cases, threads: 1);
        Assert.True(sw.Elapsed < Budget, $"{cases} cases took {sw.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Mutated_sweep_files_parse_or_give_one_line() =>
        Bounded(MutatedSweep, text => OneLineOrSuccess<SweepFileException>(() => NoHang.Run(() => SweepFile.Parse(text, "fuzz.hocon"))));

    [Fact]
    public void Random_overrides_apply_or_give_one_line() =>
        Bounded(Overrides, sets => OneLineOrSuccess<SweepFileException>(() => NoHang.Run(() => SweepFile.Parse("", "fuzz.hocon", sets))));

    // ---- journals ----

    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static readonly string[] JournalBase =
    [
        JsonSerializer.Serialize(new JournalHeader(new string('a', 64), "n", "fp", 3, T0, "sweep { }", "b", "m"), Journal.Json),
        JsonSerializer.Serialize(new TrialResult("t1", 16, 2, 0.5, 1, 0.9, 0.3, 0.97, 100, 1000, 1.5, "node", T0), Journal.Json),
        JsonSerializer.Serialize(new TeacherRecord("k", "h", 0.97, 1000, 3.5, "node"), Journal.Json),
        JsonSerializer.Serialize(new TrialResult("t2", 8, null, 0, 2, 0.85, 0.4, null, 50, 1000, 0.5, "node", T0), Journal.Json),
    ];

    private static readonly Gen<string> JsonValue = Gen.OneOf(
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999"),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        Gen.String[Gen.Char["abc\"\\\n\u0001é"], 0, 6].Select(s => JsonSerializer.Serialize(s)),
        Gen.OneOf<string>("null", "true", "false", "[]", "{}", "[1,2,3]", "{\"a\":[null]}", "7.5", "-1", "1e999", "-0", "\"\"",
            "\"2025-13-45\"", "[0.5, 2]", "\"header\"", "\"trial\""));

    /// <summary>A line mutated: a field's value swapped, characters edited, or the whole line replaced by a JSON value.</summary>
    private static string MutateLine(string line, int how, int pick, string value, (int, int, string)[] edits)
    {
        switch (how)
        {
            case 0:
            {
                var names = JsonDocument.Parse(line).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
                var name = names[pick % names.Length];
                var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
                node[name] = System.Text.Json.Nodes.JsonNode.Parse(value);
                return node.ToJsonString();
            }
            case 1:
                return Apply(line, edits).Replace("\n", "");
            default:
                return value.Replace("\n", "");
        }
    }

    private static readonly Gen<string[]> MutatedJournal =
        from line in Gen.Int[0, JournalBase.Length - 1]
        from how in Gen.Int[0, 2]
        from pick in Gen.Int[0, 100]
        from value in JsonValue
        from edits in Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 3], Gen.String[Gen.Char["{}[]\":,0123456789.-enul"], 0, 4]).Array[1, 3]
        select JournalBase.Select((l, i) => i == line ? MutateLine(l, how, pick, value, edits) : l).ToArray();

    [Fact]
    public void Mutated_journals_read_or_give_one_line_and_never_an_accuracy_outside_0_to_1()
    {
        var path = _dir.File(Journal.FileName);
        Bounded(MutatedJournal, lines =>
        {
            foreach (var setAside in new[] { false, true })
            {
                File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
                File.Delete(path + JournalReader.BadSuffix);
                OneLineOrSuccess<JournalException>(() =>
                {
                    var c = Journal.Read(path, setAside);
                    Assert.All(c.Results, r => Assert.InRange(r.TestAccuracy, 0, 1));
                    Assert.All(c.Results, r => Assert.False(string.IsNullOrEmpty(r.Id)));
                    Assert.All(c.Teachers, t => Assert.InRange(t.TestAccuracy, 0, 1));
                    if (setAside) Assert.NotNull(c.Header);
                });
            }
        }, cases: 400); // each case writes files and fsyncs (setting lines aside): fewer cases, the same few seconds
    }
}
