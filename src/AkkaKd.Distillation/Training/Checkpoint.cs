using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>
/// Part of a training run: from the end of epoch <see cref="FromEpoch"/> (0: the start) to the end of epoch
/// <see cref="UntilEpoch"/>, with the optimizer it continues (its moments and step). The model's weights and the
/// random stream are the caller's, already where the run stood.
/// </summary>
public sealed record TrainSegment(Adam Adam, int FromEpoch, int UntilEpoch)
{
    public void Validate(TrainSettings settings, Mlp model)
    {
        if (FromEpoch < 0 || UntilEpoch <= FromEpoch || UntilEpoch > settings.Epochs)
            throw new ArgumentOutOfRangeException(nameof(UntilEpoch), $"a segment {FromEpoch}..{UntilEpoch} of {settings.Epochs} epochs");
        if (Adam.M.Length != model.ParameterCount) throw new ArgumentException("the optimizer is for another model");
    }
}

/// <summary>
/// A student's full state at an epoch boundary: its weights, Adam's moments and step, and the position of its random
/// stream. Training on from it ends bit-identical to training straight through. Kept and moved as bytes named by their
/// SHA-256, like a teacher's logits. It also carries the validation curve so far (accuracy and loss after each epoch from
/// the first, when validation rows were evaluated), so that a trial continued rung by rung ends with the whole curve.
/// </summary>
public sealed record StudentCheckpoint(int Epoch, float[] Parameters, float[] AdamM, float[] AdamV, int AdamSteps, ulong[] RngState,
    double[]? ValAccCurve = null, double[]? ValLossCurve = null)
{
    private const uint Magic = 0x414B4350; // "AKCP"

    /// <summary>The state of a run at the end of <paramref name="epoch"/>, with its validation curve so far (if any).</summary>
    public static StudentCheckpoint Of(int epoch, Mlp model, Adam adam, Rng rng, ValidationCurve? curve = null) =>
        new(epoch, (float[])model.Parameters.Clone(), adam.M.ToArray(), adam.V.ToArray(), adam.Steps, rng.State,
            curve is { Accuracy.Count: > 0 } ? curve.Accuracy.ToArray() : null, curve is { Loss.Count: > 0 } ? curve.Loss.ToArray() : null);

    /// <summary>Puts a fresh model, optimizer and generator where the checkpoint was taken.</summary>
    public (Adam Adam, Rng Rng) RestoreInto(Mlp model, float learningRate)
    {
        if (Parameters.Length != model.ParameterCount) throw new ArgumentException($"a checkpoint of {Parameters.Length} parameters, the model has {model.ParameterCount}");
        Parameters.CopyTo(model.Parameters, 0);
        var adam = new Adam(model.ParameterCount, learningRate);
        adam.Restore(AdamM, AdamV, AdamSteps);
        return (adam, Rng.FromState(RngState));
    }

    /// <summary>
    /// Little-endian: magic, epoch, parameter count n, Adam's step; the parameters, Adam's m and v (n floats each); the
    /// generator's 4 words; then, when there is a curve, its length k and k accuracies and k losses (doubles).
    /// </summary>
    public byte[] ToBytes()
    {
        int n = Parameters.Length;
        int k = ValAccCurve is { } acc && ValLossCurve is { } loss && acc.Length == loss.Length ? acc.Length : 0;
        var bytes = new byte[16 + 12 * n + 32 + (k > 0 ? 4 + 16 * k : 0)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], n);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], AdamSteps);
        int at = 16;
        foreach (var xs in new[] { Parameters, AdamM, AdamV })
        {
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(span[(at + 4 * i)..], xs[i]);
            at += 4 * n;
        }
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 8 * i)..], RngState[i]);
        at += 32;
        if (k == 0) return bytes;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], k);
        at += 4;
        for (int i = 0; i < k; i++) BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8 * i)..], ValAccCurve![i]);
        at += 8 * k;
        for (int i = 0; i < k; i++) BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8 * i)..], ValLossCurve![i]);
        return bytes;
    }

    /// <summary>The bytes have a checkpoint's magic and a length its header accounts for (what a store files them by).</summary>
    public static bool IsCheckpoint(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 48 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) return false;
        long n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        long core = 16 + 12 * n + 32;
        return n >= 0 && (bytes.Length == core || (bytes.Length > core + 4 && bytes.Length == core + 4 + 16L * BinaryPrimitives.ReadInt32LittleEndian(bytes[(int)core..])));
    }

    public static StudentCheckpoint FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 48 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException("not a student checkpoint");
        int epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        int n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        int steps = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        long core = 16 + 12L * n + 32;
        if (n < 0 || bytes.Length < core) throw new InvalidDataException("a truncated student checkpoint");
        int k = 0;
        if (bytes.Length > core)
        {
            k = bytes.Length >= core + 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes[(int)core..]) : -1;
            if (k <= 0 || k > epoch || bytes.Length != core + 4 + 16L * k) throw new InvalidDataException("a truncated student checkpoint");
        }
        var arrays = new float[3][];
        int at = 16;
        for (int a = 0; a < 3; a++)
        {
            arrays[a] = new float[n];
            for (int i = 0; i < n; i++) arrays[a][i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(at + 4 * i)..]);
            at += 4 * n;
        }
        var rng = new ulong[4];
        for (int i = 0; i < 4; i++) rng[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(at + 8 * i)..]);
        at += 36;
        double[]? acc = k > 0 ? new double[k] : null, loss = k > 0 ? new double[k] : null;
        for (int i = 0; i < k; i++)
        {
            acc![i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(at + 8 * i)..]);
            loss![i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(at + 8 * (k + i))..]);
        }
        return new StudentCheckpoint(epoch, arrays[0], arrays[1], arrays[2], steps, rng, acc, loss);
    }

    /// <summary>The SHA-256 of <see cref="ToBytes"/>: the checkpoint's name in a store.</summary>
    public static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The weights' bits, for comparisons on bits.</summary>
    public ReadOnlySpan<byte> ParameterBytes => MemoryMarshal.AsBytes(Parameters.AsSpan());
}
