using AkkaKd.Distillation.Data;

namespace AkkaKd.Distillation.Tests;

/// <summary>
/// DataSet.Split hands out the documented ranges (the first <c>train</c> rows, then the next <c>test</c> rows) and they
/// never share a row: checked on a data set whose every row carries its own index in its pixels.
/// </summary>
public class SplitDisjointTests
{
    private const int N = 1000;

    /// <summary>Row i: pixels (i mod 256, i div 256, 7, 9), label i mod 5.</summary>
    private static DataSet Numbered()
    {
        var pixels = new byte[N * 4];
        var labels = new byte[N];
        for (int i = 0; i < N; i++)
        {
            pixels[4 * i] = (byte)(i % 256);
            pixels[4 * i + 1] = (byte)(i / 256);
            pixels[4 * i + 2] = 7;
            pixels[4 * i + 3] = 9;
            labels[i] = (byte)(i % 5);
        }
        return DataSet.FromIdx("numbered", new IdxArray([N, 2, 2], pixels), "images", new IdxArray([N], labels), "labels");
    }

    /// <summary>The data set row each row of a slice is, read back from its pixels (checking its label goes with it).</summary>
    private static int[] RowIds(LabeledRows slice)
    {
        var ids = new int[slice.Rows];
        for (int r = 0; r < slice.Rows; r++)
        {
            int id = (int)MathF.Round(slice.X[4 * r] * 255) + 256 * (int)MathF.Round(slice.X[4 * r + 1] * 255);
            Assert.Equal(id % 5, slice.Y[r]);
            ids[r] = id;
        }
        return ids;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(600, 300)]
    [InlineData(500, 500)]
    [InlineData(999, 1)]
    [InlineData(1, 999)]
    [InlineData(257, 13)]
    public void Train_and_test_are_the_documented_ranges_and_share_no_row(int train, int test)
    {
        var data = Numbered();
        var (tr, te) = data.Split(train, test);
        var trainIds = RowIds(tr);
        var testIds = RowIds(te);
        Assert.Equal(Enumerable.Range(0, train), trainIds);
        Assert.Equal(Enumerable.Range(train, test), testIds);
        Assert.Empty(trainIds.Intersect(testIds));

        // the slices are copies: writing one touches neither the other nor the data set
        Array.Fill(tr.X, -1f);
        Array.Fill(tr.Y, (byte)255);
        Assert.Equal(Enumerable.Range(train, test), RowIds(te));
        Assert.Equal(Enumerable.Range(0, N), RowIds(data.All));
    }
}
