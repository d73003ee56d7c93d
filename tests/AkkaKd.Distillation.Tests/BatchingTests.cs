using System.Runtime.InteropServices;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// Mini-batches: every epoch visits every training row once, in a new shuffled order, including the rows of a last
/// partial batch. Seen through the trainer's batch seam and, independently of it, through the trained bits.
/// </summary>
public class BatchingTests
{
    private const int Classes = 3, Features = 5;

    /// <summary>Small random rows: features in [0, 1), labels cycling through the classes.</summary>
    private static LabeledRows Rows(int n, ulong seed = 17)
    {
        var rng = new Rng(seed);
        var x = new float[n * Features];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        var y = new byte[n];
        for (int i = 0; i < n; i++) y[i] = (byte)(i % Classes);
        return new LabeledRows(x, y, Features);
    }

    private static byte[] Bits(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    private static float[] Trained(LabeledRows data, TrainSettings settings, ulong seed)
    {
        var rng = new Rng(seed);
        var model = Mlp.Create(Features, [4], Classes, rng);
        var report = Trainer.Train(model, data, settings, rng, new ReferenceGemm());
        Assert.False(report.Diverged);
        return model.Parameters;
    }

    [Fact]
    public void Every_epoch_is_a_new_permutation_of_all_rows_in_full_batches_and_one_partial()
    {
        const int n = 103, batch = 10, epochs = 4;
        var data = Rows(n);
        var seen = new List<(int Epoch, int[] Rows)>();
        var rng = new Rng(3);
        var model = Mlp.Create(Features, [4], Classes, rng);
        Trainer.Train(model, data, new TrainSettings(epochs, batch, 1e-3f), rng, new ReferenceGemm(), null, null, null, null,
            (epoch, rows) => seen.Add((epoch, rows.ToArray())), default);

        var orders = new List<int[]>();
        for (int e = 1; e <= epochs; e++)
        {
            var batches = seen.Where(b => b.Epoch == e).Select(b => b.Rows).ToList();
            // 10 full batches, then the 3 rows left over
            Assert.Equal([.. Enumerable.Repeat(batch, n / batch), n % batch], batches.Select(b => b.Length));
            var order = batches.SelectMany(b => b).ToArray();
            Assert.Equal(Enumerable.Range(0, n), order.Order()); // every row once: nothing dropped, nothing twice
            Assert.NotEqual(Enumerable.Range(0, n), order);      // shuffled, not in data order
            orders.Add(order);
        }
        Assert.Equal([.. Enumerable.Range(1, epochs)], seen.Select(b => b.Epoch).Distinct());
        // a new order every epoch, not one shuffle reused
        for (int a = 0; a < epochs; a++)
            for (int b = a + 1; b < epochs; b++)
                Assert.False(orders[a].SequenceEqual(orders[b]), $"epochs {a + 1} and {b + 1} visit the rows in the same order");
    }

    [Fact]
    public void The_shuffle_changes_the_trained_bits_with_the_same_initial_weights()
    {
        // Without regularization the shuffle is the only thing the trainer draws from its generator: two generators
        // give the same bits only if the batch order ignores them.
        var data = Rows(64);
        var settings = new TrainSettings(Epochs: 2, Batch: 8, LearningRate: 1e-2f);
        var init = Mlp.Create(Features, [4], Classes, new Rng(1)).Parameters;

        float[] Run(ulong shuffleSeed)
        {
            var model = Mlp.Create(Features, [4], Classes, new Rng(99));
            init.CopyTo(model.Parameters);
            Trainer.Train(model, data, settings, new Rng(shuffleSeed), new ReferenceGemm());
            return model.Parameters;
        }

        Assert.Equal(Bits(Run(5)), Bits(Run(5)));
        Assert.NotEqual(Bits(Run(5)), Bits(Run(6)));
    }

    [Fact]
    public void A_row_in_the_last_partial_batch_still_trains_the_model()
    {
        // 9 rows in batches of 4: 4 + 4 + 1. In one epoch every row, wherever the shuffle puts it, must change the
        // trained weights; a trainer that dropped the last partial batch would ignore one of them.
        const int n = 9;
        var settings = new TrainSettings(Epochs: 1, Batch: 4, LearningRate: 1e-2f);
        var data = Rows(n);
        var reference = Bits(Trained(data, settings, seed: 4));

        var lastBatch = new List<int[]>();
        var rng = new Rng(4);
        var model = Mlp.Create(Features, [4], Classes, rng);
        Trainer.Train(model, data, settings, rng, new ReferenceGemm(), null, null, null, null,
            (_, rows) => lastBatch.Add(rows.ToArray()), default);

        for (int r = 0; r < n; r++)
        {
            var y = (byte[])data.Y.Clone();
            y[r] = (byte)((y[r] + 1) % Classes);
            var changed = Bits(Trained(new LabeledRows(data.X, y, Features), settings, seed: 4));
            Assert.False(reference.SequenceEqual(changed),
                $"row {r}{(lastBatch[^1][0] == r ? " (alone in the last partial batch)" : "")}: its label does not change the trained weights");
        }
        Assert.Equal([4, 4, 1], lastBatch.Select(b => b.Length));
        Assert.Equal(reference, Bits(model.Parameters)); // the seam does not change training
    }
}
