using System.Buffers.Binary;
using System.Diagnostics;
using AkkaKd.Distillation.Data;
using CsCheck;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Property-based tests (CsCheck) of IDX files as users hand them in: random and mutated headers (magic, dimension
/// count, dimensions from zero to 2^32-1), payloads short or long, raw or gzip, cut anywhere, read with and without a
/// row limit, alone and as an image/label pair. Each read gives data or one DataException line naming the file (exit
/// code 3), never another exception, within a bounded count and time.
/// </summary>
public sealed class IdxFuzzTests
{
    private const int Cases = 3000;

    private static readonly Gen<uint> Dim = Gen.Frequency(
        (6, Gen.UInt[1, 12]),
        (1, Gen.OneOf<uint>(0, 1, 28, 65_535, 65_536, 10_000_000, 10_000_001, int.MaxValue, (uint)int.MaxValue + 1, uint.MaxValue)),
        (1, Gen.UInt));

    private static readonly Gen<int> Magic = Gen.Frequency(
        (6, Gen.OneOf(Idx.ImagesMagic, Idx.LabelsMagic)),
        (1, Gen.Int),
        (1, Gen.Int[0, 255].Select(nd => 0x0800 | nd)));

    /// <summary>A file: magic, dims, payload bytes, then a cut (how many bytes to keep) and whether it is gzip'd.</summary>
    private static readonly Gen<(byte[] File, bool Gzip, int MaxRows)> IdxFile =
        from magic in Magic
        from dims in Dim.Array[0, 4]
        from payload in Gen.Byte.Array[0, 400]
        from cut in Gen.Frequency((3, Gen.Const(int.MaxValue)), (1, Gen.Int[0, 500]))
        from gzip in Gen.Bool
        from maxRows in Gen.OneOf(Gen.Const(int.MaxValue), Gen.Int[0, 20])
        select (Build(magic, dims, payload, cut, gzip), gzip, maxRows);

    private static byte[] Build(int magic, uint[] dims, byte[] payload, int cut, bool gzip)
    {
        var b = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(b, 4 + 4 * dims.Length);
        var file = gzip ? IdxFiles.Gzip(b) : b;
        return file[..Math.Min(cut, file.Length)];
    }

    private static void DataOrOneLine(Action read, params string[] names)
    {
        try
        {
            read();
        }
        catch (DataException e)
        {
            Assert.Contains(names, n => e.Message.StartsWith(n + ": ", StringComparison.Ordinal));
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
        }
    }

    [Fact]
    public void Random_idx_files_read_or_give_one_line()
    {
        var sw = Stopwatch.StartNew();
        IdxFile.Sample(f => DataOrOneLine(() =>
        {
            var a = Idx.Read(new MemoryStream(f.File), "fuzz.idx", Idx.ImagesMagic, f.MaxRows);
            Assert.True(a.Dims.Length == 0 || a.Dims[0] <= f.MaxRows);
            Assert.True(a.Data.Length <= f.File.Length * 1100L + 64); // never more than the bytes could expand to
        }, "fuzz.idx"), iter: Cases, threads: 1);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 30);
    }

    /// <summary>A good pair with one byte of a header (magic or dims: the first 16 or 8 bytes) set to a random value.</summary>
    private static readonly Gen<(int File, int Byte, byte Value, bool Gzip, int MaxRows)> HeaderFlip =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 15], Gen.Byte, Gen.Bool, Gen.OneOf(Gen.Const(int.MaxValue), Gen.Int[0, 12]));

    [Fact]
    public void Pairs_with_a_mutated_header_load_or_give_one_line()
    {
        var (img, lbl) = IdxFiles.Sample(10, 4, 4, 3);
        var sw = Stopwatch.StartNew();
        HeaderFlip.Sample(f =>
        {
            var files = new[] { IdxFiles.Bytes([10, 4, 4], img), IdxFiles.Bytes([10], lbl) };
            var target = files[f.File];
            target[f.Byte % (f.File == 0 ? 16 : 8)] = f.Value;
            DataOrOneLine(() =>
            {
                var i = Idx.Read(new MemoryStream(f.Gzip ? IdxFiles.Gzip(files[0]) : files[0]), "images", Idx.ImagesMagic, f.MaxRows);
                var l = Idx.Read(new MemoryStream(f.Gzip ? IdxFiles.Gzip(files[1]) : files[1]), "labels", Idx.LabelsMagic, f.MaxRows);
                var d = DataSet.FromIdx("fuzz", i, "images", l, "labels");
                Assert.InRange(d.Rows, 1, Math.Min(10, f.MaxRows));
            }, "images", "labels");
        }, iter: Cases, threads: 1);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 30);
    }
}
