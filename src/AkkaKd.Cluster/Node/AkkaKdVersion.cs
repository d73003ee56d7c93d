using System.Reflection;

namespace AkkaKd.Cluster.Node;

/// <summary>
/// The akkakd version a node runs (the assembly's informational version, without the commit). Nodes of a cluster must
/// run the same one: messages cross Hyperion without version tolerance. AKKAKD_VERSION_OVERRIDE stands in for another
/// build (the version-skew test).
/// </summary>
public static class AkkaKdVersion
{
    public const string OverrideVariable = "AKKAKD_VERSION_OVERRIDE";

    public static string Current =>
        Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } v ? v.Trim() : Built;

    private static readonly string Built =
        (typeof(AkkaKdVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(AkkaKdVersion).Assembly.GetName().Version?.ToString() ?? "0").Split('+')[0];
}
