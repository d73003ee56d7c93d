using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;
using AkkaKd.Cluster.Artifacts;
using AkkaKd.Cluster.Coordination;
using AkkaKd.Cluster.Node;
using AkkaKd.Cluster.Reporting;
using AkkaKd.Cluster.Workers;
using YamlDotNet.RepresentationModel;

namespace AkkaKd.Cli.Tests;

/// <summary>
/// The deployment files (docker-compose.yml, cluster/Dockerfile, cluster/node.hocon, cluster/local-cluster.sh) agree
/// with the program: every flag they pass is one akkakd accepts, the workers' seed is the coordinator's address, the
/// node HOCON parses and merges into the built-in settings. No Docker engine is needed: the files are read, and
/// cluster/local-cluster.sh runs the compose command lines for real on loopback.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AkkaKd.sln"))) return d.FullName;
        throw new InvalidOperationException($"AkkaKd.sln not found above {AppContext.BaseDirectory}");
    }

    private static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    [GeneratedRegex(@"(?<![\w-])--([a-z][a-z0-9-]*)")]
    private static partial Regex FlagPattern();

    private static HashSet<string> Flags(string text) =>
        FlagPattern().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    private static readonly HashSet<string> SweepFlags = Names(SweepCommand.Create());
    private static readonly HashSet<string> WorkerFlags = Names(WorkerCommand.Create());

    /// <summary>The options a command declares, without their dashes.</summary>
    private static HashSet<string> Names(System.CommandLine.Command command) =>
        command.Options.Select(o => o.Name.TrimStart('-')).ToHashSet();

    private static void AssertAccepted(IEnumerable<string> used, IEnumerable<string> accepted, string where)
    {
        var unknown = used.Except(accepted).Select(f => "--" + f).ToList();
        Assert.True(unknown.Count == 0, $"{where}: akkakd does not accept {string.Join(", ", unknown)}");
    }

    // --- docker-compose.yml ---

    private static YamlMappingNode Compose()
    {
        var yaml = new YamlStream();
        using (var r = new StringReader(Read("docker-compose.yml"))) yaml.Load(r);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Service(string name) =>
        (YamlMappingNode)((YamlMappingNode)Compose()["services"])[name];

    private static YamlNode? Child(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    /// <summary>A service's command as words (a string is split on white space, as compose does).</summary>
    private static string[] Command(YamlMappingNode service) => Child(service, "command") switch
    {
        YamlScalarNode s => s.Value!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        YamlSequenceNode seq => seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray(),
        _ => throw new InvalidOperationException("no command"),
    };

    private static string? Option(string[] words, string flag)
    {
        int i = Array.IndexOf(words, "--" + flag);
        return i >= 0 && i + 1 < words.Length ? words[i + 1] : null;
    }

    /// <summary>A service's environment, given as a mapping or as a list of KEY=VALUE.</summary>
    private static Dictionary<string, string> Env(YamlMappingNode service) => Child(service, "environment") switch
    {
        null => [],
        YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? ""),
        YamlSequenceNode seq => seq.Children.Select(c => ((YamlScalarNode)c).Value!.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        _ => throw new InvalidOperationException("environment is neither a mapping nor a list"),
    };

    [Fact]
    public void The_compose_file_parses_and_has_a_coordinator_and_workers()
    {
        var services = (YamlMappingNode)Compose()["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Contains("coordinator", names);
        Assert.Contains("worker", names);
        Assert.Equal("sweep", Command(Service("coordinator"))[0]);
        Assert.Equal("worker", Command(Service("worker"))[0]);
    }

    [Fact]
    public void The_worker_service_can_scale()
    {
        var worker = Service("worker");
        Assert.Null(Child(worker, "container_name"));
        Assert.Null(Child(worker, "hostname"));
        // No fixed host port: two replicas on one Docker host would both claim it. A bare container port is fine.
        if (Child(worker, "ports") is YamlSequenceNode ports)
            foreach (var p in ports.Children)
                Assert.DoesNotContain(":", ((YamlScalarNode)p).Value);
        Assert.Equal("on-failure", ((YamlScalarNode)Child(worker, "restart")!).Value);
        var dependsOn = Child(worker, "depends_on");
        var deps = dependsOn switch
        {
            YamlSequenceNode s => s.Children.Select(c => ((YamlScalarNode)c).Value),
            YamlMappingNode m => m.Children.Keys.Select(k => ((YamlScalarNode)k).Value),
            _ => [],
        };
        Assert.Contains("coordinator", deps);
    }

    [Fact]
    public void The_workers_seed_is_the_coordinators_advertised_address()
    {
        var coordinator = Command(Service("coordinator"));
        var worker = Service("worker");
        var seeds = Option(Command(worker), "seeds") ?? Env(worker).GetValueOrDefault("AKKAKD_SEEDS");
        Assert.False(string.IsNullOrEmpty(seeds), "the worker names no seeds (--seeds or AKKAKD_SEEDS)");
        var seed = new Uri(seeds!.Split(',')[0]);
        Assert.Equal("akka.tcp", seed.Scheme);
        Assert.Equal(NodeOptions.SystemName, seed.UserInfo);
        Assert.Equal("coordinator", seed.Host);
        Assert.Equal(Option(coordinator, "port"), seed.Port.ToString());
        // Akka drops messages to an address that is not the one the node advertises: the coordinator must advertise
        // exactly the seed's host, and listen on every interface of its container.
        Assert.Equal("coordinator", Option(coordinator, "public-host"));
        Assert.Equal("0.0.0.0", Option(coordinator, "host"));
        Assert.Equal("0", Option(coordinator, "slots"));
        Assert.NotNull(Option(coordinator, "min-workers"));
        // Each replica advertises its own container hostname: bound to 0.0.0.0, no --public-host.
        var w = Command(worker);
        Assert.Equal("0.0.0.0", Option(w, "host"));
        Assert.Null(Option(w, "public-host"));
        Assert.False(Env(worker).ContainsKey("AKKAKD_PUBLIC_HOST"));
    }

    [Fact]
    public void The_coordinator_writes_its_results_to_the_mounted_results_folder()
    {
        var coordinator = Service("coordinator");
        var mounts = ((YamlSequenceNode)Child(coordinator, "volumes")!).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var results = mounts.Select(m => m.Split(':')).Single(p => p[0] == "./results");
        var output = Option(Command(coordinator), "out")!;
        Assert.StartsWith(results[1].TrimEnd('/') + "/", output);
    }

    [Fact]
    public void Every_flag_in_the_compose_commands_is_one_akkakd_accepts()
    {
        var sweep = Flags(string.Join(' ', Command(Service("coordinator"))));
        var worker = Flags(string.Join(' ', Command(Service("worker"))));
        Assert.NotEmpty(sweep);
        Assert.NotEmpty(worker);
        AssertAccepted(sweep, SweepFlags, "docker-compose.yml, coordinator");
        AssertAccepted(worker, WorkerFlags, "docker-compose.yml, worker");
    }

    [Fact]
    public void The_files_the_compose_commands_name_are_in_the_image()
    {
        var dockerfile = Read("cluster/Dockerfile");
        var sweepFile = Command(Service("coordinator"))[1];
        Assert.StartsWith("/app/configs/", sweepFile);
        Assert.True(File.Exists(Path.Combine(Root, "configs", sweepFile["/app/configs/".Length..])), sweepFile);
        Assert.Matches(@"(?m)^COPY\s+configs/?\s+/app/configs/?\s*$", dockerfile);
        foreach (var name in new[] { "coordinator", "worker" })
        {
            var service = Service(name);
            if (Env(service).TryGetValue("AKKAKD_CONFIG", out var config))
                Assert.Matches($@"(?m)^COPY\s+cluster/node\.hocon\s+{Regex.Escape(config)}\s*$", dockerfile);
            var build = Child(service, "build") as YamlMappingNode;
            if (build != null)
            {
                Assert.Equal(".", ((YamlScalarNode)Child(build, "context")!).Value);
                Assert.Equal("cluster/Dockerfile", ((YamlScalarNode)Child(build, "dockerfile")!).Value);
            }
        }
    }

    // --- cluster/local-cluster.sh ---

    private static string Script => Read("cluster/local-cluster.sh");

    /// <summary>The words of the bash array NAME=( ... ) in the script.</summary>
    private static string ScriptArray(string name)
    {
        var m = Regex.Match(Script, $@"(?m)^{name}=\(([^)]*)\)");
        Assert.True(m.Success, $"cluster/local-cluster.sh has no {name}=( ... )");
        return m.Groups[1].Value;
    }

    [Fact]
    public void Every_flag_in_the_local_cluster_script_is_one_akkakd_accepts()
    {
        var all = Flags(Script);
        Assert.NotEmpty(all);
        AssertAccepted(all, SweepFlags.Union(WorkerFlags), "cluster/local-cluster.sh");
        AssertAccepted(Flags(ScriptArray("sweep_args")), SweepFlags, "cluster/local-cluster.sh, sweep_args");
        AssertAccepted(Flags(ScriptArray("worker_args")), WorkerFlags, "cluster/local-cluster.sh, worker_args");
        var launch = Regex.Match(Script, @"""\$\{worker_args\[@\]\}""([^\n]*)");
        Assert.True(launch.Success, "the script does not start workers with ${worker_args[@]}");
        AssertAccepted(Flags(launch.Groups[1].Value), WorkerFlags, "cluster/local-cluster.sh, worker start");
    }

    [Fact]
    public void The_local_cluster_script_runs_the_compose_command_lines()
    {
        Assert.StartsWith("sweep ", ScriptArray("sweep_args").Trim());
        Assert.StartsWith("worker ", ScriptArray("worker_args").Trim());
        Assert.Equal(Flags(string.Join(' ', Command(Service("coordinator")))).Order(), Flags(ScriptArray("sweep_args")).Order());
        Assert.Equal(Flags(string.Join(' ', Command(Service("worker")))).Order(), Flags(ScriptArray("worker_args")).Order());
        // The workers find their seed the way the compose workers do, and every node loads the node HOCON.
        Assert.Contains("AKKAKD_SEEDS", Env(Service("worker")).Keys);
        Assert.Matches(@"AKKAKD_SEEDS=\$seed ""\$akkakd"" ""\$\{worker_args\[@\]\}""", Script);
        Assert.Contains("cluster/node.hocon", Script);
        Assert.Contains("--slots 0", ScriptArray("sweep_args"));
    }

    [Fact]
    public void The_local_cluster_script_is_executable_bash()
    {
        var path = Path.Combine(Root, "cluster", "local-cluster.sh");
        Assert.StartsWith("#!/usr/bin/env bash", Script);
        if (OperatingSystem.IsWindows()) return;
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), "cluster/local-cluster.sh is not executable");
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", path]) { RedirectStandardError = true })!;
        var err = bash.StandardError.ReadToEnd();
        Assert.True(bash.WaitForExit(30_000), "bash -n did not finish");
        Assert.True(bash.ExitCode == 0, "bash -n: " + err);
    }

    // --- cluster/Dockerfile ---

    [Fact]
    public void The_Dockerfile_builds_with_the_sdk_and_runs_akkakd_on_the_runtime_with_OpenBLAS()
    {
        var dockerfile = Read("cluster/Dockerfile");
        var from = Regex.Matches(dockerfile, @"(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", RegexOptions.IgnoreCase);
        Assert.Equal(2, from.Count);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", from[0].Groups[1].Value);
        var stage = from[0].Groups[2].Value;
        Assert.NotEmpty(stage);
        // The dashboard is served by Kestrel: the ASP.NET Core runtime, which holds the .NET runtime.
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", from[1].Groups[1].Value);
        Assert.Matches(@"dotnet publish src/AkkaKd.Cli -c Release -o /app", dockerfile);
        Assert.Matches(@"apt-get install -y --no-install-recommends libopenblas0-pthread", dockerfile);
        Assert.Matches($@"(?m)^COPY\s+--from={Regex.Escape(stage)}\s+/app\s+/app\s*$", dockerfile);
        var entry = Regex.Match(dockerfile, @"(?m)^ENTRYPOINT\s+(.+)$");
        Assert.True(entry.Success, "no ENTRYPOINT");
        Assert.Equal(new[] { "/app/akkakd" }, JsonSerializer.Deserialize<string[]>(entry.Groups[1].Value));
        var port = Option(Command(Service("coordinator")), "port");
        Assert.Matches($@"(?m)^EXPOSE\s+{port}\b", dockerfile);
    }

    [Fact]
    public void The_Dockerfile_restores_every_project_the_program_is_built_from()
    {
        // The restore layer copies the project files one by one: a project added to src/ must be added there too.
        var dockerfile = Read("cluster/Dockerfile");
        foreach (var csproj in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Root, csproj).Replace('\\', '/');
            Assert.Matches($@"(?m)^COPY\s+{Regex.Escape(rel)}\s", dockerfile);
        }
        var ignore = Read(".dockerignore");
        foreach (var pattern in new[] { "bin/", "obj/", "results/", ".git" })
            Assert.Contains(pattern, ignore);
    }

    // --- cluster/node.hocon ---

    private static string NodeHocon => Read("cluster/node.hocon");

    [Fact]
    public void The_node_hocon_parses_and_merges_into_the_built_in_settings()
    {
        var own = ConfigurationFactory.ParseString(NodeHocon);
        Assert.Equal("keep-majority", own.GetString("akka.cluster.split-brain-resolver.active-strategy"));

        var config = NodeBootstrap.BuildConfig(new NodeOptions { Hocon = NodeHocon, Port = 4053, Seeds = ["akka.tcp://akkakd@coordinator:4053"] });
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        var bindings = config.GetConfig("akka.actor.serialization-bindings").AsEnumerable()
            .ToDictionary(kv => kv.Key, kv => kv.Value.GetString());
        Assert.Equal("hyperion", bindings["AkkaKd.Cluster.Messages.IAkkaKdMessage, AkkaKd.Cluster"]);
        Assert.Contains("AkkaKd.Cluster.Serialization.AkkaKdHyperionSerializer", config.GetString("akka.actor.serializers.hyperion"));
        Assert.Equal(TimeSpan.FromSeconds(6), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(20), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.seed-node-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.retry-unsuccessful-join-after"));
        Assert.Equal(128000L, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        // The command line still decides where the node lives and whom it joins.
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(new[] { "akka.tcp://akkakd@coordinator:4053" }, config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("AkkaKd.Cluster.Node.FileLogger, AkkaKd.Cluster", config.GetStringList("akka.loggers").Single());
    }

    [Fact]
    public void The_node_hocon_keeps_the_built_in_values()
    {
        // Loading cluster/node.hocon unchanged changes nothing: every value in it is the built-in one (akkakd.hocon,
        // then Akka's own defaults).
        var builtIn = NodeBootstrap.BaseConfig()
            .WithFallback(Reference(typeof(Akka.Cluster.Cluster), "Akka.Cluster.Configuration.Cluster.conf"))
            .WithFallback(Reference(typeof(Akka.Remote.RemoteSettings), "Akka.Remote.Configuration.Remote.conf"));
        var own = ConfigurationFactory.ParseString(NodeHocon);
        var paths = Leaves(own.Root, "").ToList();
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            Assert.True(builtIn.HasPath(path), $"{path}: not an Akka or akkakd setting");
            Assert.True(SameValue(own, builtIn, path), $"{path}: {own.GetString(path)} in cluster/node.hocon, {builtIn.GetString(path)} built in");
        }
    }

    /// <summary>An Akka module's reference settings, as embedded in its assembly.</summary>
    private static Config Reference(Type inAssembly, string resource)
    {
        using var stream = inAssembly.Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"{resource} is not in {inAssembly.Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private static IEnumerable<string> Leaves(Akka.Configuration.Hocon.HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
        foreach (var leaf in Leaves(child, prefix.Length == 0 ? key : prefix + "." + key))
            yield return leaf;
    }

    private static bool SameValue(Config a, Config b, string path)
    {
        if (a.GetString(path) == b.GetString(path)) return true;
        try
        {
            if (a.GetTimeSpan(path) == b.GetTimeSpan(path)) return true;
        }
        catch (Exception)
        {
            // not a duration
        }
        try
        {
            return a.GetByteSize(path) is { } x && x == b.GetByteSize(path);
        }
        catch (Exception)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_node_starts_with_the_node_hocon()
    {
        var system = await NodeBootstrap.StartAsync(new NodeOptions { Hocon = NodeHocon }, TimeSpan.FromSeconds(30));
        try
        {
            var settings = Akka.Cluster.Cluster.Get(system).Settings;
            Assert.Equal(TimeSpan.FromSeconds(6), settings.FailureDetectorConfig.GetTimeSpan("acceptable-heartbeat-pause"));
            Assert.Equal("keep-majority", system.Settings.Config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            Assert.Contains("SplitBrainResolverProvider", settings.DowningProviderType.FullName);
        }
        finally
        {
            await NodeBootstrap.ShutdownQuietlyAsync(system);
        }
    }
}
