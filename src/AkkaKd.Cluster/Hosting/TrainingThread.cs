using System.Collections.Concurrent;

namespace AkkaKd.Cluster.Hosting;

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

    /// <summary>Runs <paramref name="work"/> on the thread; the task completes with its result (or exception).</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            done.SetException(new ObjectDisposedException(nameof(TrainingThread)));
        }
        return done.Task;
    }

    /// <summary>Lets the work in hand finish (it should have been cancelled), then ends the thread.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
    }
}
