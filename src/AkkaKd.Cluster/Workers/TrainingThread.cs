using System.Collections.Concurrent;

namespace AkkaKd.Cluster.Workers;

/// <summary>
/// A thread of its own for one worker slot: training runs here, never on the dispatcher that runs the actors (so
/// heartbeats and messages get through while every core trains), and no thread is made per trial.
/// </summary>
public sealed class TrainingThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public TrainingThread(string name)
    {
        _thread = new Thread(() =>
        {
            foreach (var item in _work.GetConsumingEnumerable()) item();
        })
        {
            IsBackground = true,
            Name = name,
        };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread, after the work queued before it. It reports its own outcome (the
    /// worker's work tells the actor); an exception escaping it is a bug, and is written to standard error.
    /// </summary>
    public void Post(Action work)
    {
        try
        {
            _work.Add(() =>
            {
                try
                {
                    work();
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"akkakd: {_thread.Name}: {e}");
                }
            });
        }
        catch (InvalidOperationException)
        {
            // disposed: the worker has stopped, nobody waits for this work
        }
    }

    /// <summary>Lets the work in hand finish (it should have been cancelled), then ends the thread.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
    }
}
