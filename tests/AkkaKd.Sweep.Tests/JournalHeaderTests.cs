using System.Text.Json;

namespace AkkaKd.Sweep.Tests;

/// <summary>The header's optional fields (sweep file, backend, machine): written by a new sweep, absent in an old journal.</summary>
public sealed class JournalHeaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_journal_written_before_the_optional_fields_still_reads()
    {
        var path = _dir.Write(Journal.FileName,
            """{"sweep_hash":"abc","sweep_name":"old","data_fingerprint":"fp","trials":3,"created":"2025-03-04T05:06:07+00:00","type":"header","version":1}""" + "\n");
        var h = Journal.Read(path).Header!;
        Assert.Equal("old", h.SweepName);
        Assert.Equal(3, h.Trials);
        Assert.Null(h.SweepFile);
        Assert.Null(h.Backend);
        Assert.Null(h.Machine);
    }

    [Fact]
    public void The_optional_fields_round_trip()
    {
        var h = new JournalHeader("abc", "n", "fp", 2, DateTimeOffset.UnixEpoch, "sweep { }", "GEMM backend: x", "box: 2 cores");
        var json = JsonSerializer.Serialize(h, Journal.Json);
        Assert.Contains("\"sweep_file\":\"sweep { }\"", json);
        Assert.Contains("\"backend\":", json);
        Assert.Contains("\"machine\":", json);
        Assert.Equal(h, JsonSerializer.Deserialize<JournalHeader>(json, Journal.Json));
    }

    [Fact]
    public void A_new_sweep_records_its_sweep_file_backend_and_machine()
    {
        var s = SweepFile.Parse("sweep { name = x, grid { width = [8], temperature = [2], alpha = [0, 0.5] } }", "test.hocon");
        using (SweepPlan.Prepare(s, _dir.Path, false, false, "fp", "GEMM backend: test").Journal) { }
        var h = Journal.Read(_dir.File(Journal.FileName)).Header!;
        Assert.Equal("GEMM backend: test", h.Backend);
        Assert.Contains($"{Environment.ProcessorCount} cores", h.Machine);
        Assert.NotNull(h.SweepFile);
        Assert.Contains("width = [8]", h.SweepFile);
    }

    [Fact]
    public void The_recorded_sweep_file_loads_as_the_same_sweep()
    {
        var s = SweepFile.Parse("sweep { name = \"a \\\"quoted\\\" name\", data { source = \"idx:a.gz,b.gz\", train = 10, test = 5 } }",
            "test.hocon", ["sweep.grid.width=[8,16]", "sweep.grid.temperature=[1.5, 3]", "sweep.grid.seeds=[1,2,3]"]);
        var again = NoHang.Run(() => SweepFile.Parse(s.ToHocon(), "recorded"));
        Assert.Equal(s.Hash(), again.Hash());
        Assert.Equal(s.Name, again.Name);
        Assert.Equal(s.Top, again.Top);
        Assert.Equal(s.MaxTrials, again.MaxTrials);
        Assert.Equal(SweepFile.Load(null).Hash(), SweepFile.Parse(SweepFile.Load(null).ToHocon(), "defaults").Hash());
    }
}
