using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using AkkaKd.Cluster.Messages;
using AkkaKd.Cluster.Serialization;
using AkkaKd.Sweep;
using AkkaKd.Sweep.Work;

namespace AkkaKd.Cluster.Tests;

/// <summary>Every message type crosses the configured serializer (Hyperion, bound to IAkkaKdMessage) and comes back equal.</summary>
public sealed class SerializationTests() : TestKit(NodeBootstrap.BuildConfig(new NodeOptions()))
{
    private IEnumerable<IAkkaKdMessage> Samples()
    {
        var settings = Fixtures.TinySweep();
        var trials = Grid.Expand(settings);
        var trial = trials.First(t => !t.IsBaseline);
        var ctx = new SweepContext("sweep1", settings, new string('a', 64));
        var teacher = new TeacherRecord("key", new string('b', 64), 0.97, 1234, 2.5, "node1");
        var result = Fixtures.Result(trial, 0.91);
        var summary = new SweepSummary("sweep1", 10, 9, 2, ["abc", "def"], 1, 2, 3.5, 3.0);
        yield return new RequestWork(TestActor, "node1");
        yield return new RequestWork(TestActor, "node1", -123456789);
        yield return new NoWorkYet("sweep1");
        yield return ctx;
        yield return new SweepContext("sweep2", settings with
        {
            Teacher = settings.Teacher with { Regularization = new(0.5, 0.2, 2) },
            Student = settings.Student with { Layers = 2, Regularization = new(0.1, 0, 1) },
        }, new string('a', 64));
        yield return new TrialAssignment("sweep1", new TrialWork(trial, 5), teacher, TestActor, Sweep: ctx);
        yield return new TrialAssignment("sweep1", new TrialWork(trials.First(t => t.IsBaseline), 5, 2), null, null);
        yield return new TeacherAssignment("sweep1", new TeacherWork("key"), ctx);
        yield return new TeacherAssignment("sweep1", new TeacherWork("key"));
        yield return new TrialProgress("sweep1", trial.Id, 2, 5, 0.25, 1.5);
        yield return new TrialCompleted("sweep1", result);
        yield return new TrialFailed("sweep1", trial.Id, "node1", "boom", true);
        yield return new TeacherTrained("sweep1", teacher, TestActor);
        yield return new WorkReturned("sweep1", new TrialWork(trial, 5), "node1", ReturnReason.NodeLeaving);
        yield return new WorkReturned("sweep1", new TeacherWork("key"), "node1", ReturnReason.DataMismatch, "other pixels");
        yield return new CoordinatorUp(TestActor);
        yield return new CoordinatorUp(TestActor, 123456789);
        yield return new CoordinatorGone(TestActor);
        yield return new DropWork("sweep1", "cancelled by someone@host");
        yield return ReturnWork.Instance;
        yield return WorkHandedBack.Instance;
        yield return new FetchChunk(teacher.Hash, 3);
        yield return new ArtifactChunk(teacher.Hash, 3, 10, 320_000, [1, 2, 3, 255]);
        yield return new ArtifactMissing(teacher.Hash);
        yield return new EnsureArtifact(teacher.Hash, TestActor);
        yield return new ArtifactReady(teacher.Hash);
        yield return new ArtifactUnavailable(teacher.Hash, "gone");
        yield return new TeacherFailed("sweep1", "node1", "boom");
        yield return new TeacherFailed("sweep1", "node1", "the teacher diverged: loss NaN at epoch 2", Retryable: false);
        yield return AwaitSweep.Instance;
        yield return summary;
        yield return new SweepStarted(ctx, 10, [result], teacher, 2);
        yield return new SweepStarted(ctx, 10, [result], teacher, 2, [RungRecord.Of(result with { Epochs = 1, ValAccCurve = [0.5] }, trial, 0, 1)],
            [new DecisionRecord("config", trial.Id, 1, "promote")]);
        yield return new TrialAssigned("sweep1", new TrialWork(trial, 5), "node1");
        yield return new TrialAssigned("sweep1", new TeacherWork("key"), "node1");
        yield return new TrialRequeued("sweep1", trial.Id, "worker died");
        yield return new TrialFinished("sweep1", result);
        yield return new TeacherReady("sweep1", teacher);
        yield return new TrialGaveUp("sweep1", trial.Id, "boom");
        yield return new RungFinished("sweep1", RungRecord.Of(result with { Epochs = 1, ValAccCurve = [0.5] }, trial, 0, 1));
        yield return new TrialDecided("sweep1", new DecisionRecord("config", trial.Id, 1, "stop"));
        yield return new DropCheckpoint(teacher.Hash);
        yield return new WriteReport(summary);
        yield return new ReportWritten("sweep1", ["a.csv"]);
        yield return summary with { CancelledBy = "alice@lab" };
        yield return summary with { DataError = "every worker node (n1) refused the sweep's data: other pixels" };
        yield return SweepStatusQuery.Instance;
        yield return new SweepStatus("sweep1", "tiny", "127.0.0.1:4053", 10, 4, 1, 1, 2, 3, false, 3, 2, 1, 12.5, 30.25, null);
        yield return new SweepStatus("sweep1", "tiny", "127.0.0.1:4053", 10, 0, 0, 0, 0, 10, true, 1, 2, 2, 1.5, null, "bob");
        yield return NodeStatusQuery.Instance;
        yield return ClusterMembersQuery.Instance;
        yield return new ClusterMembers("0.1.0", [
            new ClusterMember("akka.tcp://akkakd@127.0.0.1:4053", ["worker"], "Up", true, "0.1.0"),
            new ClusterMember("akka.tcp://akkakd@127.0.0.1:4054", ["coordinator", "worker"], "Leaving", false, "0.1.0")]);
        yield return new NodeStatus("127.0.0.1:4054", 4, 3, "0.1.0", 2);
        yield return new CancelSweep("alice@lab");
        yield return new SweepCancelled("sweep1", "tiny", 4, 10);
    }

    [Fact]
    public void Every_message_type_has_a_sample()
    {
        var types = typeof(IAkkaKdMessage).Assembly.GetTypes()
            .Where(t => typeof(IAkkaKdMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract)
            .ToHashSet();
        var covered = Samples().Select(s => s.GetType()).ToHashSet();
        Assert.Empty(types.Except(covered).Select(t => t.Name));
    }

    [Fact]
    public void Every_message_round_trips_through_the_configured_serializer()
    {
        var serialization = Sys.Serialization;
        foreach (var message in Samples())
        {
            var serializer = serialization.FindSerializerFor(message);
            Assert.IsType<AkkaKdHyperionSerializer>(serializer);
            var bytes = serializer.ToBinary(message);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);
            Assert.Equal(message.GetType(), back.GetType());
            // Records with arrays and lists compare those by reference: compare a canonical text instead.
            Assert.Equal(Canonical(message), Canonical(back));
        }
    }

    /// <summary>
    /// A coordinator's node builds its codecs for the work messages once a worker on another node is up (<see cref="Assignments.WarmCodecs"/>):
    /// its samples (an assignment with the settings, a result with every field, a request) pass the configured serializer.
    /// </summary>
    [Fact]
    public void The_coordinator_warms_the_codecs_of_the_work_messages_on_its_node()
    {
        var assignments = new Assignments(new SweepContext("sweep1", Fixtures.TinySweep(), new string('a', 64)), null);
        Assert.Null(assignments.WarmCodecs(Sys, TestActor));
    }

    /// <summary>A message type the allow-list does not know (as an attacker's node would send).</summary>
    public sealed record NotOnTheList(string Command) : IAkkaKdMessage;

    [Fact]
    public void The_allow_list_holds_the_messages_and_what_they_carry_and_nothing_else()
    {
        var types = AllowList.Instance.Types.Select(t => t.Name).ToHashSet();
        foreach (var expected in new[] { "TrialAssignment", "SweepSettings", "GridSettings", "Trial", "TrialResult", "TrialResult[]", "TeacherRecord", "Surrogate" })
            Assert.Contains(expected, types);
        Assert.DoesNotContain("NotOnTheList", types); // defined in the test assembly, not the project's
        Assert.All(AllowList.Instance.Types, t => Assert.True(t.Assembly == typeof(IAkkaKdMessage).Assembly
            || t.Assembly == typeof(SweepSettings).Assembly
            || t == typeof(AkkaKd.Distillation.Training.Regularization) // plain data the sweep settings carry
            || t.Name == "Surrogate", $"{t} should not be on the list"));
    }

    [Fact]
    public void A_type_outside_the_allow_list_is_refused_when_sent_and_when_received()
    {
        var serialization = Sys.Serialization;
        var evil = new NotOnTheList("rm -rf /");
        var serializer = serialization.FindSerializerFor(evil);
        Assert.IsType<AkkaKdHyperionSerializer>(serializer);
        Assert.ThrowsAny<Exception>(() => serializer.ToBinary(evil));

        // Bytes made by a Hyperion without the list (another node, or an attacker) are refused on reading.
        var plain = new Akka.Serialization.HyperionSerializer((ExtendedActorSystem)Sys,
            Sys.Settings.Config.GetConfig("akka.actor.serialization-settings.hyperion")); // the same format, no list
        var bytes = plain.ToBinary(evil);
        var e = Assert.ThrowsAny<Exception>(() => serializer.FromBinary(bytes, typeof(object)));
        Assert.Contains("Unsafe Type", e.ToString());
        // ... while the same plain bytes of a listed message read fine.
        var ok = new TrialProgress("s", "t", 1, 2, 0.5, 1.0);
        Assert.Equal(ok, serializer.FromBinary(plain.ToBinary(ok), typeof(object)));
    }

    private static string Canonical(object o) => System.Text.Json.JsonSerializer.Serialize(o, o.GetType(), CanonicalOptions);

    private static readonly System.Text.Json.JsonSerializerOptions CanonicalOptions = new()
    {
        Converters = { new ActorRefPathConverter() },
    };

    private sealed class ActorRefPathConverter : System.Text.Json.Serialization.JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(System.Text.Json.Utf8JsonWriter writer, IActorRef value, System.Text.Json.JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Path.ToStringWithUid());
    }
}
