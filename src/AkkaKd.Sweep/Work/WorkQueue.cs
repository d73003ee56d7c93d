namespace AkkaKd.Sweep.Work;

/// <summary>
/// The work ledger's queue of trial work: in order, at most one entry per trial id, counting the distilled entries (those
/// that wait for the teacher). A plain list with an index; the ledger decides what goes in and comes out.
/// </summary>
internal sealed class WorkQueue
{
    private readonly LinkedList<TrialWork> _list = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public int Count => _ids.Count;

    /// <summary>Entries that need the teacher (distilled trials).</summary>
    public int Distilled { get; private set; }

    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Adds work at the back (or the front: work handed back goes first); false when its id is already queued.</summary>
    public bool Add(TrialWork work, bool atFront)
    {
        if (!_ids.Add(work.Id)) return false;
        if (work.NeedsTeacher) Distilled++;
        if (atFront) _list.AddFirst(work);
        else _list.AddLast(work);
        return true;
    }

    /// <summary>The queued work of this id, or null.</summary>
    public TrialWork? Find(string id) => _ids.Contains(id) ? _list.FirstOrDefault(w => w.Id == id) : null;

    /// <summary>Takes the first work that <paramref name="can"/> run, or null.</summary>
    public TrialWork? TakeFirst(Func<TrialWork, bool> can)
    {
        for (var n = _list.First; n != null; n = n.Next)
            if (can(n.Value))
            {
                Unlink(n);
                return n.Value;
            }
        return null;
    }

    public void Remove(string id)
    {
        if (!_ids.Contains(id)) return;
        for (var n = _list.First; n != null; n = n.Next)
            if (n.Value.Id == id)
            {
                Unlink(n);
                return;
            }
    }

    /// <summary>The queued distilled work (a copy: the caller may remove from the queue while it goes through it).</summary>
    public IReadOnlyList<TrialWork> DistilledWork() => _list.Where(w => w.NeedsTeacher).ToList();

    private void Unlink(LinkedListNode<TrialWork> n)
    {
        _list.Remove(n);
        _ids.Remove(n.Value.Id);
        if (n.Value.NeedsTeacher) Distilled--;
    }
}
