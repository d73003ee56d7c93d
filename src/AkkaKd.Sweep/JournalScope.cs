namespace AkkaKd.Sweep;

/// <summary>
/// The results of a journal that belong to the sweep file in force (its last header). A sweep extended with
/// <c>--resume --force</c> (more seeds, more grid points, another setting) keeps every earlier line; a trial id encodes
/// every setting that decides a result, so an earlier result whose id is in the current grid counts, and one whose id is
/// not (made under a different sweep file) is left out of the ranking and the totals, with a note saying how many and
/// why.
/// </summary>
public sealed record JournalScope(IReadOnlyList<TrialResult> Current, int LeftOut, string? Note)
{
    /// <summary>Why results are left out, as every output says it.</summary>
    public static string LeftOutNote(int n) =>
        $"{n} result{(n == 1 ? "" : "s")} made under an earlier sweep file left out of the ranking " +
        "(their trial ids are not in the current grid)";

    /// <summary>
    /// The current results of <paramref name="journal"/>. With one header every result is current. With several, the
    /// current grid is expanded from the last header's sweep file; if that cannot be done (no sweep file recorded, a file
    /// this akkakd cannot read, or ids that do not match the trials run under it), nothing is left out.
    /// </summary>
    public static JournalScope Of(JournalContents journal)
    {
        var all = journal.Results;
        if (journal.Headers.Count <= 1 || journal.Header?.SweepFile is not { } text) return new JournalScope(all, 0, null);
        HashSet<string> ids;
        try
        {
            ids = Grid.Expand(SweepFile.Parse(text, "the journal's last header")).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A sweep file this akkakd cannot read (another version's keys, a HOCON error): keep everything.
            return new JournalScope(all, 0, null);
        }
        int last = journal.Headers.Count - 1;
        // The trials run under the last header are in its grid by construction: if they are not, its ids were made by
        // another version of the trial key, and nothing can be told apart.
        bool trusted = Enumerable.Range(0, all.Count).Where(i => journal.ResultHeader[i] == last).All(i => ids.Contains(all[i].Id));
        if (!trusted) return new JournalScope(all, 0, null);
        var current = all.Where(r => ids.Contains(r.Id)).ToList();
        int leftOut = all.Count - current.Count;
        return new JournalScope(current, leftOut, leftOut > 0 ? LeftOutNote(leftOut) : null);
    }
}
