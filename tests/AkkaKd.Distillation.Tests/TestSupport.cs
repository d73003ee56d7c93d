using System.Buffers.Binary;
using System.IO.Compression;
using AkkaKd.Distillation.Data;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// OpenBLAS at one thread for the whole test assembly, before any test runs. Test classes run in parallel: with
/// OpenBLAS's own threads, a product's bits could depend on whether another test was in OpenBLAS at the same moment (or
/// on a test that set the count between two trainings another test compares bit for bit).
/// </summary>
internal static class OneBlasThread
{
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Set() => AkkaKd.Distillation.Numerics.Blas.EnsureThreads(1);
}

/// <summary>The embedded data set, loaded once for the tests that only read it.</summary>
internal static class Embedded
{
    private static readonly Lazy<DataSet> Loaded =
        new(() => DataSource.Parse(DataSource.EmbeddedMnist10k).Load(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static DataSet Data => Loaded.Value;
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "akkakd-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Writes IDX files (raw or gzip) for the reader tests.</summary>
internal static class IdxFiles
{
    /// <summary>The bytes of an IDX file of unsigned bytes: magic 0x000008NN, big-endian dims, payload.</summary>
    public static byte[] Bytes(int[] dims, ReadOnlySpan<byte> payload, int? magic = null)
    {
        var b = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic ?? (0x0800 | dims.Length));
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), (uint)dims[i]);
        payload.CopyTo(b.AsSpan(4 + 4 * dims.Length));
        return b;
    }

    /// <summary>A header whose dims are given as unsigned values (to announce sizes no array could hold).</summary>
    public static byte[] Header(int magic, params uint[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    public static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    public static byte[] Gunzip(Stream s)
    {
        using var gz = new GZipStream(s, CompressionMode.Decompress);
        var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    public static void Write(string path, byte[] raw, bool gzip) => System.IO.File.WriteAllBytes(path, gzip ? Gzip(raw) : raw);

    /// <summary>Images (count x height x width) with a recognisable pattern, and labels cycling through the classes.</summary>
    public static (byte[] Images, byte[] Labels) Sample(int count, int height, int width, int classes)
    {
        var img = new byte[count * height * width];
        for (int i = 0; i < img.Length; i++) img[i] = (byte)((i * 37 + 11) % 256);
        var lbl = new byte[count];
        for (int i = 0; i < count; i++) lbl[i] = (byte)(i % classes);
        return (img, lbl);
    }

    /// <summary>Writes an image file and a label file and returns the idx: source text naming them.</summary>
    public static string WritePair(TempDir dir, byte[] imagesFile, byte[] labelsFile, bool gzip, string stem = "data")
    {
        string ext = gzip ? ".gz" : "";
        string img = dir.File($"{stem}-images-idx3-ubyte{ext}");
        string lbl = dir.File($"{stem}-labels-idx1-ubyte{ext}");
        Write(img, imagesFile, gzip);
        Write(lbl, labelsFile, gzip);
        return $"idx:{img},{lbl}";
    }
}
