using System.Security.Cryptography;

namespace AkkaKd.Distillation.Data;

/// <summary>
/// Rows of features (row-major, rows x features, scaled to [0, 1]) with their class labels, and the image shape
/// (height, width) when each row is an image (what jitter needs).
/// </summary>
public sealed class LabeledRows
{
    public LabeledRows(float[] x, byte[] y, int features, int[]? imageShape = null)
    {
        if (x.Length != y.Length * features) throw new ArgumentException("x must hold rows x features values");
        if (imageShape != null && (imageShape.Length != 2 || (long)imageShape[0] * imageShape[1] != features))
            throw new ArgumentException("the image shape must be height x width = features");
        X = x;
        Y = y;
        Features = features;
        ImageShape = imageShape;
    }

    /// <summary>Height and width of each row's image, or null when the rows are not images.</summary>
    public int[]? ImageShape { get; }

    public float[] X { get; }
    public byte[] Y { get; }
    public int Rows => Y.Length;
    public int Features { get; }
}

/// <summary>A loaded data set: all rows, the class count, and the SHA-256 fingerprint of what was loaded.</summary>
public sealed class DataSet
{
    /// <summary>Labels must lie in 0..MaxClasses-1.</summary>
    public const int MaxClasses = 100;

    private DataSet(string source, float[] x, byte[] y, int features, int[] imageShape, int classes, string fingerprint)
    {
        Source = source;
        All = new LabeledRows(x, y, features, imageShape);
        ImageShape = imageShape;
        Classes = classes;
        Fingerprint = fingerprint;
    }

    public string Source { get; }
    public LabeledRows All { get; }
    public int Rows => All.Rows;
    public int Features => All.Features;
    public int[] ImageShape { get; }
    public int Classes { get; }

    /// <summary>
    /// Hex SHA-256 of the rows loaded, in IDX form: the image header (with the count of rows loaded), the image bytes,
    /// the label header (likewise) and the label bytes. For files read whole (the embedded set always is) this is the
    /// SHA-256 of the decompressed image file followed by the decompressed label file; with a row limit it is that of
    /// files holding only the rows loaded. The same file read with the same row limit always gives the same fingerprint.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Builds a data set from two IDX arrays, checking that they fit together.</summary>
    public static DataSet FromIdx(string source, IdxArray images, string imagesName, IdxArray labels, string labelsName)
    {
        if (images.Dims.Length != 3)
            throw new DataException(imagesName, $"expected 3 dimensions (count x height x width), found {images.Dims.Length}");
        if (labels.Dims.Length != 1)
            throw new DataException(labelsName, $"expected 1 dimension (count), found {labels.Dims.Length}");
        if (labels.DeclaredCount != images.DeclaredCount)
            throw new DataException(labelsName, $"{labels.DeclaredCount:N0} labels for {images.DeclaredCount:N0} images in {imagesName}");
        int n = images.Dims[0];
        if (labels.Dims[0] != n)
            throw new DataException(labelsName, $"{labels.Dims[0]:N0} labels loaded for {n:N0} images in {imagesName}");
        int features = images.Dims[1] * images.Dims[2];

        int max = 0;
        for (int i = 0; i < labels.Data.Length; i++)
        {
            int l = labels.Data[i];
            if (l >= MaxClasses)
                throw new DataException(labelsName, $"label {l} at row {i} is out of range (labels are 0..{MaxClasses - 1})");
            if (l > max) max = l;
        }
        int classes = max + 1;
        if (classes < 2) throw new DataException(labelsName, "every label is 0: at least two classes are needed");

        var x = new float[images.Data.Length];
        const float scale = 1f / 255f;
        for (int i = 0; i < x.Length; i++) x[i] = images.Data[i] * scale;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Header(Idx.ImagesMagic, images.Dims));
        hash.AppendData(images.Data);
        hash.AppendData(Header(Idx.LabelsMagic, labels.Dims));
        hash.AppendData(labels.Data);
        string fp = Convert.ToHexStringLower(hash.GetHashAndReset());
        return new DataSet(source, x, labels.Data, features, [images.Dims[1], images.Dims[2]], classes, fp);
    }

    /// <summary>The IDX header of an array, byte for byte as the file had it (magic and dims were checked).</summary>
    private static byte[] Header(int magic, int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    /// <summary>
    /// The first <paramref name="train"/> rows for training and the next <paramref name="test"/> rows for testing.
    /// </summary>
    public (LabeledRows Train, LabeledRows Test) Split(int train, int test)
    {
        if (train < 1) throw new ArgumentOutOfRangeException(nameof(train), "train must be at least 1");
        if (test < 1) throw new ArgumentOutOfRangeException(nameof(test), "test must be at least 1");
        if ((long)train + test > Rows)
            throw new DataException(Source, $"train + test = {(long)train + test:N0} rows, but the data set has {Rows:N0}");
        return (Slice(0, train), Slice(train, test));
    }

    /// <summary>
    /// The three disjoint slices of a sweep: the first <paramref name="train"/> rows train, the next
    /// <paramref name="validation"/> rows select (none when 0), the next <paramref name="test"/> rows report.
    /// </summary>
    public (LabeledRows Train, LabeledRows? Validation, LabeledRows Test) Split(int train, int validation, int test)
    {
        if (validation < 0) throw new ArgumentOutOfRangeException(nameof(validation), "validation must be at least 0");
        if (validation == 0)
        {
            var (tr, te) = Split(train, test);
            return (tr, null, te);
        }
        if (train < 1) throw new ArgumentOutOfRangeException(nameof(train), "train must be at least 1");
        if (test < 1) throw new ArgumentOutOfRangeException(nameof(test), "test must be at least 1");
        if ((long)train + validation + test > Rows)
            throw new DataException(Source, $"train + validation + test = {(long)train + validation + test:N0} rows, but the data set has {Rows:N0}");
        return (Slice(0, train), Slice(train, validation), Slice(train + validation, test));
    }

    private LabeledRows Slice(int start, int rows)
    {
        var x = new float[(long)rows * Features];
        Array.Copy(All.X, (long)start * Features, x, 0, x.LongLength);
        var y = new byte[rows];
        Array.Copy(All.Y, start, y, 0, rows);
        return new LabeledRows(x, y, Features, ImageShape);
    }
}
