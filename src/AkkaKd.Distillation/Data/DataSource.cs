using System.Collections.Concurrent;
using System.Reflection;

namespace AkkaKd.Distillation.Data;

/// <summary>
/// Where a data set comes from: <c>embedded:mnist10k</c> (10,000 MNIST digits shipped inside the program) or
/// <c>idx:IMAGES_PATH,LABELS_PATH</c> (IDX files, gzip or raw).
/// </summary>
public sealed record DataSource
{
    public const string EmbeddedMnist10k = "embedded:mnist10k";

    private DataSource(string text, string? images, string? labels)
    {
        Text = text;
        ImagesPath = images;
        LabelsPath = labels;
    }

    public string Text { get; }
    public string? ImagesPath { get; }
    public string? LabelsPath { get; }
    public bool IsEmbedded => ImagesPath is null;

    /// <summary>Parses a source text; returns null and a one-line reason when it is not one.</summary>
    public static DataSource? TryParse(string text, out string? error)
    {
        error = null;
        text = text.Trim();
        if (text == EmbeddedMnist10k) return new DataSource(text, null, null);
        if (text.StartsWith("embedded:", StringComparison.Ordinal))
        {
            error = $"unknown embedded data set '{text["embedded:".Length..]}' (the one shipped is mnist10k)";
            return null;
        }
        if (text.StartsWith("idx:", StringComparison.Ordinal))
        {
            var parts = text["idx:".Length..].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                error = "an idx source names two files: idx:IMAGES_PATH,LABELS_PATH";
                return null;
            }
            return new DataSource(text, parts[0], parts[1]);
        }
        error = $"'{text}' is not a data source (use \"{EmbeddedMnist10k}\" or \"idx:IMAGES_PATH,LABELS_PATH\")";
        return null;
    }

    public static DataSource Parse(string text) =>
        TryParse(text, out var error) ?? throw new ArgumentException(error);

    /// <summary>
    /// Loads the data set; every problem with the files is a <see cref="DataException"/>. IDX files are read up to
    /// <paramref name="maxRows"/> rows (what a sweep needs: train + validation + test), so the rest of a large or hostile
    /// file is never decompressed; the embedded set (10,000 rows) is always loaded whole, so its fingerprint never changes.
    /// </summary>
    public DataSet Load(int maxRows = int.MaxValue)
    {
        if (IsEmbedded)
        {
            var asm = typeof(DataSource).Assembly;
            var images = ReadResource(asm, "mnist10k/images-idx3-ubyte.gz", Idx.ImagesMagic);
            var labels = ReadResource(asm, "mnist10k/labels-idx1-ubyte.gz", Idx.LabelsMagic);
            return DataSet.FromIdx(Text, images, "embedded:mnist10k/images", labels, "embedded:mnist10k/labels");
        }
        var img = Idx.ReadFile(ImagesPath!, Idx.ImagesMagic, maxRows);
        var lbl = Idx.ReadFile(LabelsPath!, Idx.LabelsMagic, maxRows);
        return DataSet.FromIdx(Text, img, ImagesPath!, lbl, LabelsPath!);
    }

    /// <summary>
    /// The features of one row (height x width) from the image file's header alone, or null when the header cannot be
    /// read (the load says why, as a data error).
    /// </summary>
    public long? PeekFeatures()
    {
        try
        {
            var header = IsEmbedded
                ? ReadResource(typeof(DataSource).Assembly, "mnist10k/images-idx3-ubyte.gz", Idx.ImagesMagic, maxRows: 0)
                : Idx.ReadFile(ImagesPath!, Idx.ImagesMagic, maxRows: 0);
            return header.Dims.Length == 3 ? (long)header.Dims[1] * header.Dims[2] : null;
        }
        catch (DataException)
        {
            return null;
        }
    }

    /// <summary>The attribution text of the embedded data set.</summary>
    public static string EmbeddedAttribution()
    {
        using var s = typeof(DataSource).Assembly.GetManifestResourceStream("mnist10k/ATTRIBUTION.md")
            ?? throw new InvalidOperationException("the embedded attribution is missing from the build");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private static IdxArray ReadResource(Assembly asm, string name, int magic, int maxRows = int.MaxValue)
    {
        using var s = asm.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        return Idx.Read(s, "embedded:" + name, magic, maxRows);
    }

    public override string ToString() => Text;
}

/// <summary>One loaded copy of each data source per process: every trial on a node shares it.</summary>
public static class DataCache
{
    private static readonly ConcurrentDictionary<string, Lazy<DataSet>> Loaded = new();

    /// <summary>The data of <paramref name="source"/>, up to <paramref name="maxRows"/> rows (see <see cref="DataSource.Load"/>).</summary>
    public static DataSet Get(DataSource source, int maxRows = int.MaxValue)
    {
        var key = source.IsEmbedded ? source.Text : $"{source.Text}|{maxRows}";
        var lazy = Loaded.GetOrAdd(key, _ => new Lazy<DataSet>(() => source.Load(maxRows), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(key, out _);
            throw;
        }
    }
}
