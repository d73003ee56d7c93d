namespace AkkaKd.Distillation.Numerics;

/// <summary>
/// The distillation loss for student logits z, teacher logits v and label y (Hinton et al. 2015; alpha weights the
/// soft term):
/// L = (1 - alpha) * CE(y, softmax(z)) + alpha * T^2 * KL(softmax(v/T) || softmax(z/T)), averaged over the batch.
/// dL/dz = ((1 - alpha) * (softmax(z) - onehot(y)) + alpha * T * (softmax(z/T) - softmax(v/T))) / batch.
/// Each row is computed in double; softmax and log-softmax go through log-sum-exp; 0 * log 0 = 0.
/// </summary>
public static class KdLoss
{
    /// <summary>
    /// The loss with the terms of a sweep: T and alpha are taken at float32 precision, as the trainer always has, so
    /// results do not change from those of the journals made before <see cref="KdTerms"/> existed.
    /// </summary>
    public static double Compute(ReadOnlySpan<float> z, ReadOnlySpan<float> teacher, ReadOnlySpan<byte> labels,
        int rows, int classes, KdTerms kd, Span<float> grad) =>
        Compute(z, teacher, labels, rows, classes, kd.T32, kd.Alpha32, grad);

    /// <summary>
    /// Mean loss over <paramref name="rows"/> rows; the gradient w.r.t. z (already divided by rows) goes to
    /// <paramref name="grad"/>. <paramref name="teacher"/> may be empty when alpha is 0.
    /// </summary>
    public static double Compute(ReadOnlySpan<float> z, ReadOnlySpan<float> teacher, ReadOnlySpan<byte> labels,
        int rows, int classes, float temperature, float alpha, Span<float> grad)
    {
        if (alpha > 0 && teacher.Length < rows * classes) throw new ArgumentException("alpha > 0 needs the teacher's logits");
        Span<double> zr = stackalloc double[classes];
        Span<double> vr = stackalloc double[classes];
        Span<double> gr = stackalloc double[classes];
        double total = 0;
        double inv = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < classes; c++) zr[c] = z[r * classes + c];
            if (alpha > 0) for (int c = 0; c < classes; c++) vr[c] = teacher[r * classes + c];
            total += Row(zr, alpha > 0 ? vr : default, labels[r], temperature, alpha, gr);
            for (int c = 0; c < classes; c++) grad[r * classes + c] = (float)(gr[c] * inv);
        }
        return total * inv;
    }

    /// <summary>The loss of one row, and its gradient w.r.t. z (not divided by the batch size).</summary>
    public static double Row(ReadOnlySpan<double> z, ReadOnlySpan<double> v, int label, double temperature, double alpha,
        Span<double> grad)
    {
        int k = z.Length;
        double lse = LogSumExp(z, 1.0);
        double ce = lse - z[label];
        for (int c = 0; c < k; c++) grad[c] = (1 - alpha) * (Math.Exp(z[c] - lse) - (c == label ? 1 : 0));
        double loss = (1 - alpha) * ce;
        if (alpha > 0)
        {
            double invT = 1.0 / temperature;
            double lseZ = LogSumExp(z, invT);
            double lseV = LogSumExp(v, invT);
            double kl = 0;
            for (int c = 0; c < k; c++)
            {
                double logP = v[c] * invT - lseV; // teacher, softened
                double logQ = z[c] * invT - lseZ; // student, softened
                double p = Math.Exp(logP);
                if (p > 0) kl += p * (logP - logQ);
                grad[c] += alpha * temperature * (Math.Exp(logQ) - p);
            }
            loss += alpha * temperature * temperature * kl;
        }
        return loss;
    }

    /// <summary>log(sum(exp(scale * x))), computed stably.</summary>
    public static double LogSumExp(ReadOnlySpan<double> x, double scale)
    {
        double max = double.NegativeInfinity;
        foreach (var xi in x) max = Math.Max(max, xi * scale);
        double sum = 0;
        foreach (var xi in x) sum += Math.Exp(xi * scale - max);
        return max + Math.Log(sum);
    }

    /// <summary>log_softmax(scale * x), into <paramref name="output"/>.</summary>
    public static void LogSoftmax(ReadOnlySpan<double> x, double scale, Span<double> output)
    {
        double lse = LogSumExp(x, scale);
        for (int i = 0; i < x.Length; i++) output[i] = x[i] * scale - lse;
    }

    /// <summary>softmax(scale * x), into <paramref name="output"/>.</summary>
    public static void Softmax(ReadOnlySpan<double> x, double scale, Span<double> output)
    {
        LogSoftmax(x, scale, output);
        for (int i = 0; i < x.Length; i++) output[i] = Math.Exp(output[i]);
    }
}
