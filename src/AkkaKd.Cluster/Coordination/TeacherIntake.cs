using Akka.Actor;
using AkkaKd.Cluster.Messages;
using AkkaKd.Sweep;

namespace AkkaKd.Cluster.Coordination;

/// <summary>
/// The coordinator's child that brings a trained teacher in: its artifact onto the coordinator's node first (the node that
/// trained it may die), then its line into the journal. It answers <see cref="Durable"/> or <see cref="Failed"/>.
/// </summary>
public sealed class TeacherIntake : ReceiveActor
{
    /// <summary>Bring this teacher in; its artifact can be fetched from Source (a node's artifact hub).</summary>
    public sealed record Bring(TeacherRecord Teacher, IActorRef Source);

    public sealed record Durable(TeacherRecord Teacher);

    public sealed record Failed(TeacherRecord Teacher, string Error);

    private readonly Journal _journal;
    private readonly IActorRef? _artifacts;
    private TeacherRecord? _arriving;

    public TeacherIntake(Journal journal, IActorRef? artifacts)
    {
        _journal = journal;
        _artifacts = artifacts;
        Receive<Bring>(b =>
        {
            _arriving = b.Teacher;
            if (_artifacts is null) Commit(b.Teacher);
            else _artifacts.Tell(new EnsureArtifact(b.Teacher.Hash, b.Source));
        });
        Receive<ArtifactReady>(r => _arriving?.Hash == r.Hash, _ => Commit(_arriving!));
        Receive<ArtifactUnavailable>(u => _arriving?.Hash == u.Hash, u => Answer(new Failed(_arriving!, "teacher artifact: " + u.Reason)));
        Receive<Durable>(Answer);
        Receive<Failed>(Answer);
    }

    public static Props Props(Journal journal, IActorRef? artifacts) => Akka.Actor.Props.Create(() => new TeacherIntake(journal, artifacts));

    private void Commit(TeacherRecord teacher) =>
        _journal.AppendAsync(teacher).ContinueWith(x => x.IsCompletedSuccessfully
                ? (object)new Durable(teacher)
                : new Failed(teacher, "journal write failed: " + x.Exception?.GetBaseException().Message),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);

    private void Answer(object outcome)
    {
        _arriving = null;
        Context.Parent.Tell(outcome);
    }
}
