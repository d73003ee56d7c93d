using System.Runtime.InteropServices;

namespace AkkaKd.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP turned into a cancellation: the command ends its work cleanly (results durable, trials
/// handed back) and exits with 128 + the signal's number (130, 143, 129). The default action (the runtime ending the
/// process, during which Akka's own shutdown hook can wait forever) is cancelled.
/// </summary>
public sealed class Signals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Signals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                Received ??= ctx.Signal;
                try
                {
                    _cancel.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The command ended while the signal was being handled (Cancel runs the command's callbacks, and
                    // they can finish it and dispose of this before Cancel returns): nothing left to stop.
                }
            }));
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The exit code for the signal received: 130 (INT), 143 (TERM), 129 (HUP).</summary>
    public int ExitCode => Received switch
    {
        PosixSignal.SIGTERM => ExitCodes.Terminated,
        PosixSignal.SIGHUP => ExitCodes.HangUp,
        _ => ExitCodes.Interrupted,
    };

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
