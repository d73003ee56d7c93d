using Akka.Actor;
using Akka.Event;
using AkkaKd.Cluster.Hosting;
using AkkaKd.Cluster.Messages;
using AkkaKd.Distillation.Data;
using AkkaKd.Distillation.Numerics;
using AkkaKd.Distillation.Training;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Actors;

/// <summary>
/// One per slot on a worker node. Pulls a trial (or the teacher) from the coordinator, trains it on a thread of its
/// own (never on the dispatcher that runs the actors), sends progress per epoch and the result, then asks again.
/// </summary>
public sealed class TrialWorker : ReceiveActor, IWithTimers
{
    /// <summary>A safety net: if no work came after "nothing yet", ask again after this long.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly NodeServices _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _coordinator;
    private CancellationTokenSource? _cancel;

    public ITimerScheduler Timers { get; set; } = null!;

    public TrialWorker(IActorRef coordinator, NodeServices node)
    {
        _coordinator = coordinator;
        _node = node;
        Idle();
    }

    public static Props Props(IActorRef coordinator, NodeServices node) =>
        Akka.Actor.Props.Create(() => new TrialWorker(coordinator, node));

    protected override void PreStart() => AskForWork();

    protected override void PostStop() => _cancel?.Cancel();

    private void AskForWork() => _coordinator.Tell(new RequestWork(Self, _node.Node));

    private void Idle()
    {
        Receive<TrialAssignment>(a =>
        {
            Timers.Cancel("retry");
            Become(Busy);
            Start(a.Trial.Id, a.Sweep, ct => RunTrial(a, ct));
        });
        Receive<TeacherAssignment>(a =>
        {
            Timers.Cancel("retry");
            Become(Busy);
            Start("teacher", a.Sweep, ct => RunTeacher(a, ct));
        });
        Receive<NoWorkYet>(_ => Timers.StartSingleTimer("retry", Retry.Instance, RetryInterval));
        Receive<Retry>(_ => AskForWork());
    }

    private void Busy()
    {
        Receive<Done>(d =>
        {
            _cancel = null;
            _coordinator.Tell(d.Message);
            Become(Idle);
            AskForWork();
        });
        // A second assignment while busy (a duplicate push): give it back so the coordinator requeues it.
        Receive<TrialAssignment>(a => Sender.Tell(new TrialFailed(a.Sweep.SweepId, a.Trial.Id, _node.Node, "worker busy", true)));
        Receive<TeacherAssignment>(a => Sender.Tell(new TeacherFailed(a.Sweep.SweepId, _node.Node, "worker busy")));
        Receive<NoWorkYet>(_ => { });
        Receive<Retry>(_ => { });
    }

    /// <summary>Runs the work on a dedicated thread and pipes its outcome back as a message.</summary>
    private void Start(string id, SweepContext sweep, Func<CancellationToken, IAkkaKdMessage> work)
    {
        _cancel = new CancellationTokenSource();
        var ct = _cancel.Token;
        var self = Self;
        var node = _node.Node;
        IAkkaKdMessage Fail(string error) => id == "teacher"
            ? new TeacherFailed(sweep.SweepId, node, error)
            : new TrialFailed(sweep.SweepId, id, node, error, Retryable: true);
        Task.Factory.StartNew(() =>
            {
                try
                {
                    return work(ct);
                }
                catch (OperationCanceledException)
                {
                    return Fail("cancelled");
                }
                catch (DataException e)
                {
                    return Fail(e.Message);
                }
                catch (Exception e)
                {
                    return Fail($"{e.GetType().Name}: {e.Message}");
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ContinueWith(t => new Done(t.IsCompletedSuccessfully ? t.Result : Fail("cancelled")),
                TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(self);
    }

    private IAkkaKdMessage RunTrial(TrialAssignment a, CancellationToken ct)
    {
        var s = a.Sweep.Settings;
        var trial = a.Trial;
        var data = _node.Data(s.Data.Source, s.Data.Train, s.Data.Test, a.Sweep.DataFingerprint);
        TeacherArtifact? teacher = null;
        if (!trial.IsBaseline)
        {
            var rec = a.Teacher ?? throw new InvalidOperationException("a distilled trial without a teacher");
            var logits = _node.Teachers.TryGet(rec.Hash)
                         ?? throw new TeacherMissingException($"teacher {rec.Hash[..12]} is not on node {_node.Node}");
            teacher = new TeacherArtifact(logits, data.Train.Rows, data.Data.Classes, rec.TestAcc, rec.Params, rec.TrainSeconds, 0);
        }
        var coordinator = _coordinator;
        var sweepId = a.Sweep.SweepId;
        var outcome = Distiller.TrainStudent(data.Train, data.Test, data.Data.Classes, [trial.Width], s.Student.Train,
            trial.StudentSeed, teacher, trial.TrainTemperature, (float)trial.Alpha, Blas.Gemm,
            e => coordinator.Tell(new TrialProgress(sweepId, trial.Id, e.Epoch, e.Epochs, e.MeanLoss, e.Seconds)), ct);
        long teacherParams = Distiller.ParameterCount(data.Data.Features, s.Teacher.Hidden, data.Data.Classes);
        return new TrialCompleted(sweepId, new TrialResult(trial.Id, trial.Width, trial.Temperature, trial.Alpha, trial.Seed,
            outcome.TestAccuracy, outcome.TestLoss, a.Teacher?.TestAcc, outcome.Parameters, teacherParams,
            outcome.TrainSeconds, _node.Node, DateTimeOffset.UtcNow));
    }

    private IAkkaKdMessage RunTeacher(TeacherAssignment a, CancellationToken ct)
    {
        var s = a.Sweep.Settings;
        var data = _node.Data(s.Data.Source, s.Data.Train, s.Data.Test, a.Sweep.DataFingerprint);
        var coordinator = _coordinator;
        var sweepId = a.Sweep.SweepId;
        var teacher = Distiller.TrainTeacher(data.Train, data.Test, data.Data.Classes, s.TeacherSpec(), Blas.Gemm,
            e => coordinator.Tell(new TrialProgress(sweepId, "teacher", e.Epoch, e.Epochs, e.MeanLoss, e.Seconds)), ct);
        _node.Teachers.Put(teacher.Hash, teacher.Logits);
        _log.Info("teacher {0} trained: test accuracy {1:P2}, {2:F1} s", teacher.Hash[..12], teacher.TestAccuracy, teacher.TrainSeconds);
        return new TeacherTrained(sweepId, new TeacherRecord(a.TeacherKey + ";data=" + a.Sweep.DataFingerprint, teacher.Hash,
            teacher.TestAccuracy, teacher.Parameters, teacher.TrainSeconds, _node.Node));
    }

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record Done(IAkkaKdMessage Message);

    private sealed class TeacherMissingException(string message) : Exception(message);
}
