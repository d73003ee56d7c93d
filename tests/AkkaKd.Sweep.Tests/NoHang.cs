using System.Runtime.ExceptionServices;

namespace AkkaKd.Sweep.Tests;

/// <summary>
/// Runs a parse on its own thread and fails the test if it does not finish: Akka's HOCON parser is known to loop forever
/// on some malformed input, and a hang must be a failed test, not a stuck run.
/// </summary>
internal static class NoHang
{
    public static T Run<T>(Func<T> f, int seconds = 10)
    {
        T? result = default;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = f();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        }) { IsBackground = true, Name = "no-hang" };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(seconds))) Assert.Fail($"still running after {seconds} s (a parser loop?)");
        error?.Throw();
        return result!;
    }
}
