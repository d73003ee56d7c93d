using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Training without regularization must give the same bits as before regularization existed: the SHA-256 of the
/// trained parameters, recorded with the code of commit 759b25a (before dropout and jitter), with the reference GEMM
/// (double accumulation, no BLAS kernel in the way). A teacher, a baseline student and a distilled one (T 4, alpha 0.9).
/// </summary>
public class GoldenBitsTests
{
    private static readonly Lazy<(LabeledRows Train, LabeledRows Test)> Rows = new(() => Embedded.Data.Split(200, 100));
    private static readonly TrainSettings Settings = new(Epochs: 2, Batch: 32, LearningRate: 2e-3f);

    private static string Sha(float[] x) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(x.AsSpan())))[..16];

    private static (string Teacher, string Baseline, string Distilled) Hashes(Regularization? regularization)
    {
        var (train, _) = Rows.Value;
        var gemm = new ReferenceGemm();
        var rng = new Rng(7);
        var teacher = Mlp.Create(train.Features, [16], 10, rng);
        Trainer.Train(teacher, train, Settings, rng, gemm, regularization: regularization);
        var logits = Trainer.Logits(teacher, train, gemm);

        rng = new Rng(5);
        var baseline = Mlp.Create(train.Features, [8], 10, rng);
        Trainer.Train(baseline, train, Settings, rng, gemm, regularization: regularization);

        rng = new Rng(5);
        var distilled = Mlp.Create(train.Features, [8], 10, rng);
        Trainer.Train(distilled, train, Settings, rng, gemm, logits, new KdTerms(4, 0.9), regularization);
        return (Sha(teacher.Parameters), Sha(baseline.Parameters), Sha(distilled.Parameters));
    }

    public static TheoryData<string> Settings0() => ["none", "zeros"];

    [Theory]
    [MemberData(nameof(Settings0))]
    public void No_regularization_gives_the_bits_of_the_code_before_regularization(string which)
    {
        var h = Hashes(which == "none" ? null : new Regularization(Dropout: 0, InputDropout: 0, Jitter: 0));
        Assert.Equal("03f7246ef664f1ac", h.Teacher);
        Assert.Equal("8ff7ee89eed5f9b9", h.Baseline);
        Assert.Equal("9cfdff0c25f5b8b6", h.Distilled);
    }

    [Fact]
    public void Regularization_changes_the_bits()
    {
        // the check above can fail: any regularization moves every hash
        var h = Hashes(new Regularization(Dropout: 0.5, InputDropout: 0.2, Jitter: 1));
        Assert.NotEqual("03f7246ef664f1ac", h.Teacher);
        Assert.NotEqual("8ff7ee89eed5f9b9", h.Baseline);
        Assert.NotEqual("9cfdff0c25f5b8b6", h.Distilled);
    }
}
