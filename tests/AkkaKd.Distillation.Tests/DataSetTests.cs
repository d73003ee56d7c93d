using System.Security.Cryptography;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Distillation.Tests;

/// <summary>The embedded data set, IDX files written by the test (raw and gzip, any image size), and DataSet.Split.</summary>
public class DataSetTests
{
    [Fact]
    public void Embedded_mnist10k_has_the_documented_shape_and_class_counts()
    {
        var data = Embedded.Data;
        Assert.Equal(10_000, data.Rows);
        Assert.Equal(784, data.Features);
        Assert.Equal([28, 28], data.ImageShape);
        Assert.Equal(10, data.Classes);
        Assert.Equal(10_000 * 784, data.All.X.Length);
        var counts = new int[10];
        foreach (var y in data.All.Y) counts[y]++;
        // documented in Data/ATTRIBUTION.md
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], counts);
        Assert.All(data.All.X, x => Assert.InRange(x, 0f, 1f));
        Assert.Contains(data.All.X, x => x == 1f); // 255 scales to exactly 1
    }

    [Fact]
    public void Embedded_fingerprint_is_stable_and_is_the_sha256_of_the_decompressed_files()
    {
        var first = DataSource.Parse("embedded:mnist10k").Load();
        var second = DataSource.Parse(" embedded:mnist10k ").Load();
        Assert.Matches("^[0-9a-f]{64}$", first.Fingerprint);
        Assert.Equal(first.Fingerprint, second.Fingerprint);

        // As documented: SHA-256 over the decompressed image file and then the decompressed label file.
        var asm = typeof(DataSource).Assembly;
        using var img = asm.GetManifestResourceStream("mnist10k/images-idx3-ubyte.gz")!;
        using var lbl = asm.GetManifestResourceStream("mnist10k/labels-idx1-ubyte.gz")!;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(IdxFiles.Gunzip(img));
        sha.AppendData(IdxFiles.Gunzip(lbl));
        Assert.Equal(Convert.ToHexStringLower(sha.GetHashAndReset()), first.Fingerprint);
    }

    [Fact]
    public void Embedded_files_are_the_ones_listed_in_the_attribution()
    {
        var asm = typeof(DataSource).Assembly;
        string attribution = DataSource.EmbeddedAttribution();
        foreach (var name in new[] { "images-idx3-ubyte.gz", "labels-idx1-ubyte.gz" })
        {
            using var s = asm.GetManifestResourceStream("mnist10k/" + name)!;
            string hash = Convert.ToHexStringLower(SHA256.HashData(s));
            Assert.Contains($"| {name} |", attribution);
            Assert.Contains(hash, attribution);
        }
    }

    [Theory]
    [InlineData(7, 5, 3, 3)]
    [InlineData(4, 1, 1, 2)]
    [InlineData(3, 28, 28, 3)]
    [InlineData(10, 2, 40, 10)]
    public void Raw_and_gzip_idx_files_of_any_image_size_load_the_same(int count, int height, int width, int classes)
    {
        using var dir = new TempDir();
        var (images, labels) = IdxFiles.Sample(count, height, width, classes);
        var imgFile = IdxFiles.Bytes([count, height, width], images);
        var lblFile = IdxFiles.Bytes([count], labels);
        var raw = DataSource.Parse(IdxFiles.WritePair(dir, imgFile, lblFile, gzip: false)).Load();
        var gz = DataSource.Parse(IdxFiles.WritePair(dir, imgFile, lblFile, gzip: true)).Load();

        foreach (var d in new[] { raw, gz })
        {
            Assert.Equal(count, d.Rows);
            Assert.Equal(height * width, d.Features);
            Assert.Equal([height, width], d.ImageShape);
            Assert.Equal(classes, d.Classes);
            Assert.Equal(labels, d.All.Y);
            for (int i = 0; i < images.Length; i++) Assert.Equal(images[i] / 255.0, d.All.X[i], 1e-7);
        }
        Assert.Equal(raw.All.X, gz.All.X);
        Assert.Equal(raw.Fingerprint, gz.Fingerprint);
        // the fingerprint is over the decompressed bytes, so it is the hash of the raw files
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(imgFile.Concat(lblFile).ToArray())), raw.Fingerprint);

        // one file gzip and the other raw works too
        string mixed = $"idx:{dir.File("data-images-idx3-ubyte.gz")},{dir.File("data-labels-idx1-ubyte")}";
        Assert.Equal(raw.Fingerprint, DataSource.Parse(mixed).Load().Fingerprint);
    }

    [Fact]
    public void Different_data_gives_a_different_fingerprint()
    {
        using var dir = new TempDir();
        var (images, labels) = IdxFiles.Sample(6, 2, 2, 3);
        var a = DataSource.Parse(IdxFiles.WritePair(dir, IdxFiles.Bytes([6, 2, 2], images), IdxFiles.Bytes([6], labels), false, "a")).Load();
        labels[5] = (byte)((labels[5] + 1) % 3);
        var b = DataSource.Parse(IdxFiles.WritePair(dir, IdxFiles.Bytes([6, 2, 2], images), IdxFiles.Bytes([6], labels), false, "b")).Load();
        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
    }

    [Fact]
    public void Labels_up_to_MaxClasses_minus_one_are_accepted()
    {
        using var dir = new TempDir();
        var (images, _) = IdxFiles.Sample(3, 2, 2, 1);
        byte[] labels = [0, DataSet.MaxClasses - 1, 5];
        var d = DataSource.Parse(IdxFiles.WritePair(dir, IdxFiles.Bytes([3, 2, 2], images), IdxFiles.Bytes([3], labels), false)).Load();
        Assert.Equal(DataSet.MaxClasses, d.Classes);
    }

    [Fact]
    public void Split_takes_the_first_rows_for_training_and_the_next_for_testing()
    {
        var data = Embedded.Data;
        var (train, test) = data.Split(600, 300);
        Assert.Equal(600, train.Rows);
        Assert.Equal(300, test.Rows);
        Assert.Equal(784, train.Features);
        Assert.Equal(784, test.Features);
        Assert.Equal(600 * 784, train.X.Length);
        Assert.Equal(300 * 784, test.X.Length);
        Assert.Equal(data.All.Y.AsSpan(0, 600).ToArray(), train.Y);
        Assert.Equal(data.All.Y.AsSpan(600, 300).ToArray(), test.Y);
        Assert.True(data.All.X.AsSpan(0, 600 * 784).SequenceEqual(train.X));
        Assert.True(data.All.X.AsSpan(600 * 784, 300 * 784).SequenceEqual(test.X));

        // the whole data set may be used, no more
        var (all, last) = data.Split(9_999, 1);
        Assert.Equal(9_999, all.Rows);
        Assert.Equal(data.All.Y[^1], last.Y[0]);
    }

    [Fact]
    public void Split_larger_than_the_data_is_a_data_exception()
    {
        var data = Embedded.Data;
        var e = Assert.Throws<DataException>(() => data.Split(9_000, 1_001));
        Assert.Contains("embedded:mnist10k", e.Message);
        Assert.Contains("10,001", e.Message);
        Assert.Contains("10,000", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<DataException>(() => data.Split(10_000, 1));
        var huge = Assert.Throws<DataException>(() => data.Split(int.MaxValue, int.MaxValue));
        Assert.Contains("4,294,967,294", huge.Message); // the sum is reported without int overflow
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(10, 0));
    }
}
