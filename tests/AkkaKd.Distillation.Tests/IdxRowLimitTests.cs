using System.Diagnostics;
using System.IO.Compression;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// The IDX reader reads only the rows a sweep needs: a decompression bomb costs nothing, a header beyond the documented
/// limits is refused before any payload, and the fingerprint covers exactly the rows loaded.
/// </summary>
public sealed class IdxRowLimitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_row_limit_loads_the_first_rows_with_the_fingerprint_of_a_file_of_those_rows(bool gzip)
    {
        var (img, lbl) = IdxFiles.Sample(100, 4, 3, 5);
        var long100 = DataSource.Parse(IdxFiles.WritePair(_dir, IdxFiles.Bytes([100, 4, 3], img), IdxFiles.Bytes([100], lbl), gzip, "long"));
        var short40 = DataSource.Parse(IdxFiles.WritePair(_dir, IdxFiles.Bytes([40, 4, 3], img.AsSpan(0, 40 * 12)),
            IdxFiles.Bytes([40], lbl.AsSpan(0, 40)), gzip, "short"));

        var limited = long100.Load(maxRows: 40);
        var whole = long100.Load();
        Assert.Equal(40, limited.Rows);
        Assert.Equal(100, whole.Rows);
        Assert.Equal(short40.Load().Fingerprint, limited.Fingerprint);
        Assert.Equal(limited.Fingerprint, long100.Load(maxRows: 40).Fingerprint); // the same file, the same rows: the same
        Assert.NotEqual(whole.Fingerprint, limited.Fingerprint);
        Assert.Equal(whole.All.X.AsSpan(0, 40 * 12).ToArray(), limited.All.X);
        Assert.Equal(whole.Fingerprint, long100.Load(maxRows: 1000).Fingerprint); // a limit above the count reads it whole
    }

    [Fact]
    public void The_embedded_set_is_always_loaded_whole_so_its_fingerprint_never_changes()
    {
        var all = DataSource.Parse(DataSource.EmbeddedMnist10k).Load();
        var limited = DataSource.Parse(DataSource.EmbeddedMnist10k).Load(maxRows: 500);
        Assert.Equal(all.Fingerprint, limited.Fingerprint);
        Assert.Equal(10_000, limited.Rows);
        Assert.Equal(784, DataSource.Parse(DataSource.EmbeddedMnist10k).PeekFeatures());
    }

    [Fact]
    public void Labels_and_images_must_agree_on_the_count_the_files_declare()
    {
        var (img, lbl) = IdxFiles.Sample(50, 2, 2, 3);
        var src = IdxFiles.WritePair(_dir, IdxFiles.Bytes([50, 2, 2], img), IdxFiles.Bytes([49], lbl.AsSpan(0, 49)), gzip: false);
        var e = Assert.Throws<DataException>(() => DataSource.Parse(src).Load(maxRows: 10));
        Assert.Contains("49 labels for 50 images", e.Message);
    }

    [Fact]
    public void A_header_beyond_the_row_limit_is_refused_before_any_payload()
    {
        string path = _dir.File("many-rows.gz");
        File.WriteAllBytes(path, IdxFiles.Gzip(IdxFiles.Header(Idx.ImagesMagic, Idx.MaxRows + 1, 1, 1)));
        var e = Assert.Throws<DataException>(() => Idx.ReadFile(path, Idx.ImagesMagic, maxRows: 10));
        Assert.Equal($"{path}: the header announces 10,000,001 rows, over the limit of 10,000,000", e.Message);
    }

    /// <summary>
    /// A gzip of well under 1 MB whose header declares 2,500,000 images of 28 x 28 (1.96 GB, as in issue 14, under the
    /// 2 GB limit) and whose payload expands to 600 MB of zeros; labels likewise declare 2,500,000.
    /// </summary>
    internal static (string Images, string Labels) WriteBomb(string dir)
    {
        string images = Path.Combine(dir, "bomb-images-idx3-ubyte.gz");
        string labels = Path.Combine(dir, "bomb-labels-idx1-ubyte.gz");
        WriteGzip(images, IdxFiles.Header(Idx.ImagesMagic, 2_500_000, 28, 28), 600L << 20);
        WriteGzip(labels, IdxFiles.Header(Idx.LabelsMagic, 2_500_000), 2_500_000);
        return (images, labels);
    }

    /// <summary>
    /// A gzip file of the header and <paramref name="bytes"/> of payload (zeros, with a few label-like values first), made
    /// of concatenated gzip members of 1 MiB each (gzip readers, .NET's included, read them as one stream), so that
    /// making it is as cheap as reading it should be.
    /// </summary>
    private static void WriteGzip(string path, byte[] header, long bytes)
    {
        const int block = 1 << 20;
        var first = new byte[header.Length + (int)Math.Min(block, bytes)];
        header.CopyTo(first, 0);
        for (int i = 0; i < 100; i++) first[header.Length + i * 7] = (byte)(i % 10);
        using var file = File.Create(path);
        file.Write(IdxFiles.Gzip(first));
        var zeros = IdxFiles.Gzip(new byte[block]);
        for (long left = bytes - block; left > 0; left -= block)
            file.Write(left >= block ? zeros : IdxFiles.Gzip(new byte[left]));
    }

    [Fact]
    public void A_decompression_bomb_costs_only_the_rows_needed()
    {
        var (images, labels) = WriteBomb(_dir.Path);
        Assert.InRange(new FileInfo(images).Length, 1, 2 << 20);

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var data = DataSource.Parse($"idx:{images},{labels}").Load(maxRows: 10_000);
        sw.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(10_000, data.Rows);
        Assert.Equal(784, data.Features);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 10);
        // 10,000 rows: 7.8 MB of pixels, 31 MB as floats, and the reading's buffers; far from the 600 MB the file holds.
        Assert.InRange(allocated, 0, 150L << 20);
        Assert.Equal(784, DataSource.Parse($"idx:{images},{labels}").PeekFeatures());
    }
}
