using System.Diagnostics;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Every bad data file is a DataException whose message is one line naming the file and the problem. The files are
/// made here, in a temporary directory; most problems are checked both raw and inside a gzip stream.
/// </summary>
public class IdxErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly (byte[] Images, byte[] Labels) Good = IdxFiles.Sample(7, 5, 3, 3);
    private static byte[] GoodImages => IdxFiles.Bytes([7, 5, 3], Good.Images);
    private static byte[] GoodLabels => IdxFiles.Bytes([7], Good.Labels);

    private string Write(string name, byte[] content, bool gzip)
    {
        string path = _dir.File(name + (gzip ? ".gz" : ""));
        IdxFiles.Write(path, content, gzip);
        return path;
    }

    private string WriteBytes(string name, byte[] content)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Loads the pair, expects a DataException about <paramref name="badFile"/> mentioning every keyword.</summary>
    private static DataException Fails(string images, string labels, string badFile, params string[] keywords)
    {
        var e = Assert.Throws<DataException>(() => DataSource.Parse($"idx:{images},{labels}").Load());
        Assert.Equal(badFile, e.File);
        Assert.Contains(badFile, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        foreach (var k in keywords) Assert.Contains(k, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Fact]
    public void The_good_pair_used_below_loads()
    {
        foreach (var gzip in new[] { false, true })
        {
            var d = DataSource.Parse($"idx:{Write("img", GoodImages, gzip)},{Write("lbl", GoodLabels, gzip)}").Load();
            Assert.Equal(7, d.Rows);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Wrong_magic(bool gzip)
    {
        string labels = Write("lbl", GoodLabels, gzip);
        string img = Write("img", IdxFiles.Bytes([7, 5, 3], Good.Images, magic: 0x00000903), gzip);
        Fails(img, labels, img, "wrong magic", "0x00000903");
        // the two files swapped: the label file where the images belong
        string images = Write("img2", GoodImages, gzip);
        Fails(labels, images, labels, "wrong magic");
        // a float IDX file (type code 0x0D) is not read
        string floats = Write("img3", IdxFiles.Bytes([7, 5, 3], Good.Images, magic: 0x00000D03), gzip);
        Fails(floats, labels, floats, "wrong magic");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data(bool gzip)
    {
        string labels = Write("lbl", GoodLabels, gzip);
        var full = GoodImages;
        string img = Write("img", full[..^10], gzip);
        Fails(img, labels, img, "truncated");
        string header = Write("img2", full[..7], gzip); // inside the 16-byte header
        Fails(header, labels, header, "truncated");
        string dims = Write("img3", full[..12], gzip); // magic and two of three dims
        Fails(dims, labels, dims, "truncated");
        string lbl = Write("lbl2", GoodLabels[..^1], gzip);
        Fails(Write("img4", full, gzip), lbl, lbl, "truncated");
    }

    [Fact]
    public void Empty_file()
    {
        string labels = Write("lbl", GoodLabels, false);
        string img = WriteBytes("img", []);
        Fails(img, labels, img, "empty");
        string oneByte = WriteBytes("img1", [0]);
        Fails(oneByte, labels, oneByte, "truncated");
        // a complete gzip stream of nothing: header, an empty final deflate block, CRC 0, size 0
        string emptyGzip = WriteBytes("img.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
        Fails(emptyGzip, labels, emptyGzip, "no data");
    }

    [Fact]
    public void Neither_gzip_nor_idx()
    {
        string labels = Write("lbl", GoodLabels, false);
        string text = WriteBytes("img.txt", "hello, these are not images\nat all\n"u8.ToArray());
        Fails(text, labels, text, "neither gzip nor IDX");
        string zip = WriteBytes("img.zip", [0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
        Fails(zip, labels, zip, "neither gzip nor IDX");
    }

    [Fact]
    public void Corrupt_gzip_stream()
    {
        string labels = Write("lbl", GoodLabels, false);
        // a valid 10-byte gzip header (deflate, no flags), then a deflate block of the reserved type 11, then garbage
        var bytes = new byte[] { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff }.Concat(
            Enumerable.Range(0, 200).Select(i => (byte)(0xff - i))).ToArray();
        string img = WriteBytes("img.gz", bytes);
        Fails(img, labels, img, "corrupt gzip");

        // a good gzip file cut short fails too (as truncated or corrupt), still naming the file on one line
        var gz = IdxFiles.Gzip(GoodImages);
        string cut = WriteBytes("cut.gz", gz[..(gz.Length / 2)]);
        var e = Fails(cut, labels, cut);
        Assert.True(e.Problem.Contains("truncated") || e.Problem.Contains("corrupt"), e.Message);
    }

    public static TheoryData<string, uint[], string> HugeHeaders() => new()
    {
        { "2^31 images", [1u << 31, 28, 28], "too large" },
        { "2^31-1 images", [int.MaxValue, 28, 28], "over the limit" },
        { "huge rows x cols", [2, 65536, 65536], "over the limit" },
        { "1.5 GB announced, a few bytes present", [2_000_000, 28, 28], "truncated" },
    };

    [Theory]
    [MemberData(nameof(HugeHeaders))]
    public void A_header_announcing_billions_of_bytes_fails_fast_without_allocating_them(string what, uint[] dims, string keyword)
    {
        foreach (var gzip in new[] { false, true })
        {
            string labels = Write("lbl", GoodLabels, gzip);
            var content = IdxFiles.Header(Idx.ImagesMagic, dims).Concat(new byte[1000]).ToArray();
            string img = Write("img", content, gzip);
            // This thread's allocations: other tests run in parallel and allocate on theirs.
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            Fails(img, labels, img, keyword);
            sw.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 50L << 20, $"{what}: {allocated:N0} bytes allocated to reject the file");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"{what}: took {sw.Elapsed}");
        }
        // and a label file announcing 2^31 labels
        string lbl = WriteBytes("lbl-huge", IdxFiles.Header(Idx.LabelsMagic, 1u << 31).Concat(new byte[10]).ToArray());
        Fails(Write("img-ok", GoodImages, false), lbl, lbl, "too large");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Zero_dimension(bool gzip)
    {
        string labels = Write("lbl", GoodLabels, gzip);
        string img = Write("img", IdxFiles.Bytes([7, 0, 3], []), gzip);
        Fails(img, labels, img, "dimension 1", "zero");
        string noImages = Write("img2", IdxFiles.Bytes([0, 5, 3], []), gzip);
        Fails(noImages, labels, noImages, "dimension 0", "zero");
        string noLabels = Write("lbl2", IdxFiles.Bytes([0], []), gzip);
        Fails(Write("img3", GoodImages, gzip), noLabels, noLabels, "zero");
    }

    [Theory]
    [InlineData(DataSet.MaxClasses)]
    [InlineData(255)]
    public void Label_out_of_range(int bad)
    {
        var labels = (byte[])Good.Labels.Clone();
        labels[4] = (byte)bad;
        string lbl = Write("lbl", IdxFiles.Bytes([7], labels), false);
        Fails(Write("img", GoodImages, false), lbl, lbl, "out of range", $"label {bad}", "row 4");
    }

    [Fact]
    public void A_single_class_is_refused()
    {
        string lbl = Write("lbl", IdxFiles.Bytes([7], new byte[7]), false);
        Fails(Write("img", GoodImages, false), lbl, lbl, "two classes");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    public void Image_and_label_counts_differ(int labelCount)
    {
        var (_, labels) = IdxFiles.Sample(labelCount, 1, 1, 3);
        string img = Write("img", GoodImages, false);
        string lbl = Write("lbl", IdxFiles.Bytes([labelCount], labels), false);
        Fails(img, lbl, lbl, $"{labelCount} labels for 7 images");
    }

    [Fact]
    public void Missing_file()
    {
        string img = Write("img", GoodImages, false);
        string lbl = Write("lbl", GoodLabels, false);
        string missing = _dir.File("no-such-file.gz");
        Fails(missing, lbl, missing, "not found");
        Fails(img, missing, missing, "not found");
        string noDir = Path.Combine(_dir.Path, "no-such-dir", "images.gz");
        Fails(noDir, lbl, noDir, "not found");
        string aDirectory = _dir.Path;
        var e = Assert.Throws<DataException>(() => DataSource.Parse($"idx:{aDirectory},{lbl}").Load());
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_after_the_data(bool gzip)
    {
        string labels = Write("lbl", GoodLabels, gzip);
        string img = Write("img", GoodImages.Append((byte)0).ToArray(), gzip);
        Fails(img, labels, img, "unexpected bytes after");
        string lbl = Write("lbl2", GoodLabels.Concat(new byte[100]).ToArray(), gzip);
        Fails(Write("img2", GoodImages, gzip), lbl, lbl, "unexpected bytes after");
    }
}
