using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using AkkaKd.Dashboard.Journals;

namespace AkkaKd.Dashboard.Model;

/// <summary>
/// Every sweep under the given folders, kept current: a file-system watcher wakes the reader as soon as a journal grows,
/// and a check of each journal's length once a second catches what the watcher misses (network file systems, a full
/// inotify table). New sweeps are looked for every few seconds. Reading never throws into a page: a journal that cannot
/// be read is retried on the next check.
/// </summary>
public sealed class SweepCatalog : IAsyncDisposable
{
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Rediscover = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<string> _roots;
    private readonly ConcurrentDictionary<string, (SweepState State, JournalTail Tail)> _sweeps = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private DateTime _discovered;
    private TaskCompletionSource _listChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();

    public SweepCatalog(IReadOnlyList<string> roots)
    {
        _roots = roots.Select(Path.GetFullPath).ToList();
    }

    /// <summary>Reads every journal found now, then follows them in the background.</summary>
    public void Start()
    {
        Discover();
        foreach (var (state, tail) in _sweeps.Values) Refresh(state, tail);
        foreach (var root in _roots) Watch(root);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public IReadOnlyList<SweepState> Sweeps => _sweeps.Values.Select(s => s.State).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();

    public SweepState? Get(string id) => _sweeps.TryGetValue(id, out var s) ? s.State : null;

    /// <summary>Completes when any sweep changed or a new one was found.</summary>
    public Task ListChanged
    {
        get
        {
            lock (_gate) return _listChanged.Task;
        }
    }

    private void Watch(string root)
    {
        var dir = Directory.Exists(root) ? root : Path.GetDirectoryName(root);
        if (dir is null || !Directory.Exists(dir)) return;
        try
        {
            var w = new FileSystemWatcher(dir, Sweep.Journal.FileName)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
            };
            w.Changed += (_, _) => _wake.Writer.TryWrite(true);
            w.Created += (_, _) => _wake.Writer.TryWrite(true);
            w.Error += (_, _) => _wake.Writer.TryWrite(true);
            w.EnableRaisingEvents = true;
            _watchers.Add(w);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // No watcher (inotify limits, a network share): the once-a-second check still follows every journal.
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(Check);
                try
                {
                    await _wake.Reader.WaitToReadAsync(timeout.Token);
                    _wake.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            try
            {
                if (DateTime.UtcNow - _discovered > Rediscover) Discover();
                foreach (var (state, tail) in _sweeps.Values) Refresh(state, tail);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let one bad folder end the following of the others; try again on the next check.
            }
        }
    }

    private void Discover()
    {
        _discovered = DateTime.UtcNow;
        bool added = false;
        foreach (var j in SweepDiscovery.Find(_roots))
        {
            var id = IdOf(j.JournalPath);
            if (_sweeps.ContainsKey(id)) continue;
            _sweeps[id] = (new SweepState(id, j.Display, j.JournalPath), new JournalTail(j.JournalPath));
            added = true;
        }
        if (added) SignalList();
    }

    /// <summary>Reads what was appended to one journal, if anything; true when the sweep changed.</summary>
    internal bool Refresh(SweepState state, JournalTail tail)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(tail.Path);
            if (!info.Exists)
            {
                state.MarkMissing();
                return false;
            }
            if (info.Length == tail.Offset + tail.Pending && tail.SeenLength == info.Length && state.Version > 0) return false;
            var lines = new List<JournalLine>();
            bool continued = tail.Read(l => lines.Add(JournalLineParser.Parse(l)));
            if (continued && lines.Count == 0 && state.Version > 0) return false;
            state.Apply(lines, reset: !continued, tail.Pending, info.LastWriteTimeUtc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        SignalList();
        return true;
    }

    private void SignalList()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _listChanged;
            _listChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.SetResult();
    }

    /// <summary>A sweep's id: a short hash of its journal's full path. Pages name sweeps by id, never by path.</summary>
    public static string IdOf(string journalPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(journalPath)))[..12];

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var w in _watchers) w.Dispose();
        if (_loop != null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }
}
