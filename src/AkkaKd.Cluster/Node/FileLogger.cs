using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace AkkaKd.Cluster.Node;

/// <summary>
/// Akka's log lines (cluster membership, remoting warnings) go to the file named by <c>akkakd.log-file</c>, not to the
/// terminal, which belongs to the leaderboard.
/// </summary>
public sealed class FileLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private StreamWriter? _writer;

    public FileLogger()
    {
        Receive<InitializeLogger>(_ =>
        {
            var path = Context.System.Settings.Config.GetString("akkakd.log-file", "");
            if (!string.IsNullOrWhiteSpace(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            }
            Sender.Tell(new LoggerInitialized());
        });
        Receive<LogEvent>(e => _writer?.WriteLine(e.ToString()));
    }

    protected override void PostStop() => _writer?.Dispose();
}
