namespace AkkaKd.Cluster.Messages;

/// <summary>
/// Every message akkakd sends between actors carries this marker; the Hyperion serializer is bound to it.
/// </summary>
public interface IAkkaKdMessage;
