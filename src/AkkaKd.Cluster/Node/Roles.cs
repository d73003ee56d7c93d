namespace AkkaKd.Cluster.Node;

/// <summary>The cluster roles of akkakd's nodes and the names its actors are found by.</summary>
public static class Roles
{
    /// <summary>A node that launched a sweep: its coordinator lives at /user/coordinator.</summary>
    public const string Coordinator = "coordinator";

    /// <summary>A node whose slots train trials: its WorkerNode lives at /user/node.</summary>
    public const string Worker = "worker";

    public const string CoordinatorName = "coordinator";
    public const string WorkerNodeName = "node";
    public const string ArtifactHubName = "artifacts";
    /// <summary>Every member: how it sees the cluster (<see cref="MembersView"/>).</summary>
    public const string MembersName = "members";
}
