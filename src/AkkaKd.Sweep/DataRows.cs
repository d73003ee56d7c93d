namespace AkkaKd.Sweep;

/// <summary>How much of its data a sweep reads.</summary>
public static class DataRows
{
    /// <summary>
    /// The rows a sweep reads from its data source: the train, validation and test slices, in that order. The IDX reader
    /// stops there, and the data fingerprint covers exactly these rows, so the launching node and every worker must
    /// load with this same count (both call this).
    /// </summary>
    public static int RowsNeeded(this DataSettings d) => (int)Math.Min(int.MaxValue, d.Rows);
}
