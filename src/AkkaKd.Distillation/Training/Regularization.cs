using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;

namespace AkkaKd.Distillation.Training;

/// <summary>
/// Regularization of a network in training (Hinton et al. 2015 train their teacher so): inverted dropout at rate
/// <see cref="Dropout"/> after every hidden layer, at rate <see cref="InputDropout"/> on the inputs, and random shifts
/// of each batch's images by up to <see cref="Jitter"/> pixels (wrapping around, as the PyTorch peer's torch.roll).
/// Evaluation and the logits handed to students never use any of it. All zero (<see cref="None"/>) is training as
/// before regularization existed, bit for bit: nothing is drawn from the model's random stream.
/// </summary>
public sealed record Regularization(double Dropout = 0, double InputDropout = 0, int Jitter = 0)
{
    public static readonly Regularization None = new();

    public bool IsNone => Dropout == 0 && InputDropout == 0 && Jitter == 0;

    /// <summary>The problem with these settings for rows of this image shape, or null.</summary>
    public string? Problem(int[]? imageShape)
    {
        if (!(Dropout >= 0 && Dropout < 1)) return $"dropout {Dropout:R} is outside [0, 1)";
        if (!(InputDropout >= 0 && InputDropout < 1)) return $"input dropout {InputDropout:R} is outside [0, 1)";
        if (Jitter < 0) return $"jitter {Jitter} is negative";
        if (Jitter > 0 && imageShape is null) return "jitter needs rows that are images (an IDX image file gives their shape)";
        if (Jitter > 0 && (Jitter >= imageShape![0] || Jitter >= imageShape[1]))
            return $"jitter {Jitter} is not smaller than the {imageShape[0]}x{imageShape[1]} image";
        return null;
    }

    public void Validate(LabeledRows data)
    {
        if (Problem(data.ImageShape) is { } p) throw new ArgumentOutOfRangeException(nameof(Regularization), p);
    }

    /// <summary>
    /// Prepares one training batch: copies the rows in (shifted by one (dy, dx) drawn for the batch) and fills the
    /// dropout masks. Draws from <paramref name="rng"/> in this order: dy, dx, the input mask, the hidden masks layer by
    /// layer; each only when its knob is not 0.
    /// </summary>
    internal void FillBatch(LabeledRows data, ReadOnlySpan<int> rowsOfBatch, Mlp model, MlpWorkspace ws, Rng rng)
    {
        int d = data.Features, rows = rowsOfBatch.Length;
        var input = ws.Input;
        if (Jitter > 0)
        {
            int h = data.ImageShape![0], w = data.ImageShape[1];
            int dy = ImageShift.Draw(Jitter, rng), dx = ImageShift.Draw(Jitter, rng);
            for (int r = 0; r < rows; r++)
                ImageShift.Roll(data.X.AsSpan(rowsOfBatch[r] * d, d), input.AsSpan(r * d, d), h, w, dy, dx);
        }
        else
        {
            for (int r = 0; r < rows; r++) Array.Copy(data.X, rowsOfBatch[r] * d, input, r * d, d);
        }
        if (InputDropout > 0) Numerics.Dropout.FillMask(ws.Mask[0].AsSpan(0, rows * d), InputDropout, rng);
        if (Dropout > 0)
            for (int l = 1; l < model.Layers; l++)
                Numerics.Dropout.FillMask(ws.Mask[l].AsSpan(0, rows * model.Sizes[l]), Dropout, rng);
    }
}
