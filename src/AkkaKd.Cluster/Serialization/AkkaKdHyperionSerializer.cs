using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using AkkaKd.Cluster.Messages;
using Hyperion;

namespace AkkaKd.Cluster.Serialization;

/// <summary>
/// Hyperion, refusing every type that is not one of the project's messages or something they carry.
/// <para>
/// Why not <c>serialization-settings.hyperion.allowed-types</c>: Hyperion 0.12.2 stores the allowed names in short form
/// ("Ns.Type, Assembly") but checks the sending side with the full assembly-qualified name, so with the setting on every
/// type is refused when sent, listed or not ("Unsafe Type Deserialization Detected!"). And in Akka.Serialization.Hyperion
/// 1.5.73 a type filter given through HyperionSerializerSetup never reaches the serializer. So the filter is passed here,
/// in code, and compares names with version, culture and key token removed. It is checked for every type Hyperion reads by
/// name: the message, nested records, arrays of records, and the IActorRef surrogate.
/// </para>
/// </summary>
public sealed class AkkaKdHyperionSerializer : HyperionSerializer
{
    public AkkaKdHyperionSerializer(ExtendedActorSystem system)
        : base(system, HyperionSerializerSettings.Default.WithTypeFilter(AllowList.Instance))
    {
    }

    public AkkaKdHyperionSerializer(ExtendedActorSystem system, Config config)
        : base(system, HyperionSerializerSettings.Create(config).WithTypeFilter(AllowList.Instance))
    {
    }
}

/// <summary>
/// The allow-list: every concrete <see cref="IAkkaKdMessage"/> and, found by reflection, every type its properties carry.
/// A property of an interface or abstract type (other than IActorRef) is refused when the list is built, so a message
/// that could carry an arbitrary type never ships.
/// </summary>
public sealed partial class AllowList : ITypeFilter
{
    // Source-generated: nothing to compile when the actor system starts.
    [GeneratedRegex(@"(, Version=[\d\.]+)?(, Culture=[^,\] \t]+)?(, PublicKeyToken=(null|[\da-fA-F]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex Qualifiers();

    private static readonly Type ActorRefSurrogate =
        Type.GetType("Akka.Actor.ActorRefBase+Surrogate, Akka", throwOnError: true)!;

    // Declared after the fields it uses: static fields initialise in order.
    public static readonly AllowList Instance = new(typeof(IAkkaKdMessage).Assembly.GetTypes()
        .Where(t => typeof(IAkkaKdMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }));

    private readonly HashSet<string> _allowed;

    public AllowList(IEnumerable<Type> roots)
    {
        var types = new HashSet<Type>();
        foreach (var t in roots) Walk(t, types);
        Types = types.OrderBy(t => t.FullName, StringComparer.Ordinal).ToArray();
        _allowed = Types.Select(t => Normalize(t.AssemblyQualifiedName!)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every type allowed, for tests and the log.</summary>
    public Type[] Types { get; }

    public bool IsAllowed(string typeName) => _allowed.Contains(Normalize(typeName));

    private static string Normalize(string name) => Qualifiers().Replace(name.Replace(",%core%", ""), "");

    private static void Walk(Type t, HashSet<Type> types)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u.IsEnum)
        {
            types.Add(u); // Hyperion names an enum's type on the wire
            return;
        }
        if (u.IsPrimitive || u == typeof(string) || u == typeof(decimal) || u == typeof(DateTimeOffset) ||
            u == typeof(DateTime) || u == typeof(TimeSpan) || u == typeof(Guid))
            return;
        if (typeof(IActorRef).IsAssignableFrom(u))
        {
            types.Add(ActorRefSurrogate);
            return;
        }
        if (u.IsArray)
        {
            var element = u.GetElementType()!;
            if (!(element.IsPrimitive || element == typeof(string))) types.Add(u);
            Walk(element, types);
            return;
        }
        if (u.IsAbstract && !u.IsInterface && u.Assembly.GetTypes().Where(d => d.IsSubclassOf(u) && !d.IsAbstract).ToArray() is { Length: > 0 } closed
            && closed.All(d => d.IsSealed))
        {
            // A closed family of records (WorkItem: TeacherWork, TrialWork): every sealed subtype in its assembly, no other.
            if (!types.Add(u)) return;
            foreach (var d in closed) Walk(d, types);
            return;
        }
        if (u.IsInterface || u.IsAbstract)
            throw new InvalidOperationException($"{u} is an interface or an open abstract type: a message must carry concrete types " +
                                                "(use arrays), or an abstract record whose subtypes are all sealed");
        if (!types.Add(u)) return;
        // What Hyperion writes: the fields (a record's positional properties are backed by init-only fields).
        foreach (var f in u.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance))
            Walk(f.FieldType, types);
    }
}
