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
/// with the program: every flag they pass is one akkakd accepts, every seed address is a seed service's advertised
/// address, the node HOCON parses and merges into the built-in settings. No Docker engine is needed: the files are
/// read, and cluster/local-cluster.sh runs the compose command lines for real on loopback (DeploymentFilesTests.LocalCluster.cs).
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

    private static string? Scalar(YamlMappingNode m, string key) => (Child(m, key) as YamlScalarNode)?.Value;

    /// <summary>A service's command or entrypoint as words (a string is split on white space, as compose does).</summary>
    private static string[] Words(YamlMappingNode service, string key) => Child(service, key) switch
    {
        null => [],
        YamlScalarNode s => s.Value!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        YamlSequenceNode seq => seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray(),
        _ => throw new InvalidOperationException($"{key} is neither a string nor a list"),
    };

    /// <summary>The akkakd arguments a service runs: its command, after the entrypoint's words past /app/akkakd.</summary>
    private static string[] Command(YamlMappingNode service)
    {
        var entrypoint = Words(service, "entrypoint");
        if (entrypoint.Length > 0) Assert.Equal("/app/akkakd", entrypoint[0]);
        return [.. entrypoint.Skip(1), .. Words(service, "command")];
    }

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

    private static readonly string[] Seeds = ["seed1", "seed2"];
    private static readonly string[] LongLived = ["seed1", "seed2", "worker"];
    private static readonly string[] Launchers = ["sweep", "akkakd"];

    private static List<string> Profiles(YamlMappingNode service) =>
        Child(service, "profiles") is YamlSequenceNode p ? p.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() : [];

    [Fact]
    public void The_compose_file_has_long_lived_workers_and_one_off_launchers()
    {
        var services = (YamlMappingNode)Compose()["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.Equal(LongLived.Concat(Launchers).Order(), names.Order());
        // The seeds are workers: the cluster is held by nodes that outlive every sweep.
        foreach (var name in LongLived)
        {
            Assert.Equal("worker", Command(Service(name))[0]);
            Assert.Empty(Profiles(Service(name)));
        }
        // `docker compose up` starts the cluster only; a sweep is `docker compose run --rm sweep [FILE] [options]`.
        var sweep = Command(Service("sweep"));
        Assert.Equal("sweep", sweep[0]);
        Assert.Equal("0", Option(sweep, "slots"));
        Assert.Equal(["/app/akkakd", "sweep"], Words(Service("sweep"), "entrypoint")[..2]);
        Assert.Equal(["/app/akkakd"], Words(Service("akkakd"), "entrypoint"));
        Assert.Equal("status", Command(Service("akkakd"))[0]);
        foreach (var name in Launchers) Assert.NotEmpty(Profiles(Service(name)));
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
        Assert.NotNull(Child((YamlMappingNode)Child(worker, "deploy")!, "replicas"));
    }

    [Fact]
    public void Every_node_lists_the_seeds_and_each_seed_is_a_worker_that_advertises_exactly_its_address()
    {
        var seeds = Env(Service("seed1")).GetValueOrDefault("AKKAKD_SEEDS");
        Assert.False(string.IsNullOrEmpty(seeds), "seed1 names no seeds (AKKAKD_SEEDS)");
        foreach (var name in LongLived.Concat(Launchers))
            Assert.Equal(seeds, Env(Service(name)).GetValueOrDefault("AKKAKD_SEEDS"));
        var uris = seeds!.Split(',').Select(s => new Uri(s)).ToList();
        Assert.Equal(Seeds, uris.Select(u => u.Host));
        foreach (var seed in uris)
        {
            Assert.Equal("akka.tcp", seed.Scheme);
            Assert.Equal(NodeOptions.SystemName, seed.UserInfo);
            // Akka drops messages to an address that is not the one the node advertises: the seed service advertises
            // exactly the seed's host and port, and listens on every interface of its container.
            var command = Command(Service(seed.Host));
            Assert.Equal(seed.Host, Option(command, "public-host"));
            Assert.Equal(seed.Port.ToString(), Option(command, "port"));
            Assert.Equal("0.0.0.0", Option(command, "host"));
        }
        // Each replica and each launcher advertises its own container hostname: bound to 0.0.0.0, no public host.
        var w = Command(Service("worker"));
        Assert.Equal("0.0.0.0", Option(w, "host"));
        Assert.Null(Option(w, "public-host"));
        foreach (var name in Launchers)
        {
            var env = Env(Service(name));
            Assert.Equal("0.0.0.0", env.GetValueOrDefault("AKKAKD_HOST"));
            Assert.False(env.ContainsKey("AKKAKD_PUBLIC_HOST"));
            Assert.False(env.ContainsKey("AKKAKD_PORT"), "a fixed launcher port: two launches at once would both claim it");
        }
        Assert.All(LongLived, name => Assert.False(Env(Service(name)).ContainsKey("AKKAKD_PUBLIC_HOST")));
    }

    [Fact]
    public void The_long_lived_services_restart_and_every_service_has_time_to_stop_cleanly()
    {
        foreach (var name in LongLived)
            Assert.Equal("unless-stopped", Scalar(Service(name), "restart"));
        // docker compose stop/down sends SIGTERM, then SIGKILL after the grace period (10 s unless told): a worker hands
        // its trials back and leaves, a sweep writes its results; give them more than the 10 s they are allowed.
        foreach (var name in LongLived.Append("sweep"))
        {
            var grace = Scalar(Service(name), "stop_grace_period");
            Assert.True(grace != null, $"{name}: no stop_grace_period");
            var m = Regex.Match(grace!, @"^(\d+)s$");
            Assert.True(m.Success && int.Parse(m.Groups[1].Value) >= 15, $"{name}: stop_grace_period {grace}, not 15s or more");
        }
    }

    [Fact]
    public void A_launch_writes_a_fresh_results_folder_in_the_mounted_results_folder()
    {
        var sweep = Service("sweep");
        var mounts = ((YamlSequenceNode)Child(sweep, "volumes")!).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var results = mounts.Select(m => m.Split(':')).Single(p => p[0] == "./results");
        // No --out: the default, results/NAME-TIMESTAMP under the working folder, is new for every launch and lands in
        // the mount, so the same launch command works every time.
        Assert.Null(Option(Command(sweep), "out"));
        Assert.Equal(results[1].TrimEnd('/'), Path.Combine(Scalar(sweep, "working_dir")!, "results"));
    }

    [Fact]
    public void Every_flag_in_the_compose_commands_is_one_akkakd_accepts()
    {
        foreach (var name in LongLived)
        {
            var flags = Flags(string.Join(' ', Command(Service(name))));
            Assert.NotEmpty(flags);
            AssertAccepted(flags, WorkerFlags, $"docker-compose.yml, {name}");
        }
        var sweep = Flags(string.Join(' ', Command(Service("sweep"))));
        Assert.NotEmpty(sweep);
        AssertAccepted(sweep, SweepFlags, "docker-compose.yml, sweep");
    }

    [Fact]
    public void The_files_the_compose_commands_name_are_in_the_image()
    {
        var dockerfile = Read("cluster/Dockerfile");
        var sweepFile = Command(Service("sweep")).Last();
        Assert.StartsWith("/app/configs/", sweepFile);
        Assert.True(File.Exists(Path.Combine(Root, "configs", sweepFile["/app/configs/".Length..])), sweepFile);
        Assert.Matches(@"(?m)^COPY\s+configs/?\s+/app/configs/?\s*$", dockerfile);
        foreach (var name in LongLived.Concat(Launchers))
        {
            var service = Service(name);
            Assert.Equal("akkakd:local", Scalar(service, "image"));
            if (Env(service).TryGetValue("AKKAKD_CONFIG", out var config))
                Assert.Matches($@"(?m)^COPY\s+cluster/node\.hocon\s+{Regex.Escape(config)}\s*$", dockerfile);
            var build = Child(service, "build") as YamlMappingNode;
            Assert.True(build != null, $"{name}: no build (a service started first would have no image)");
            Assert.Equal(".", Scalar(build!, "context"));
            Assert.Equal("cluster/Dockerfile", Scalar(build!, "dockerfile"));
        }
    }

    // --- cluster/local-cluster.sh ---

    private static string Script => Read("cluster/local-cluster.sh");

    /// <summary>The words of the bash array NAME=( ... ) in the script.</summary>
    private static string ScriptArray(string name)
    {
        var m = Regex.Match(Script, $@"(?m)^\s*{name}=\(([^)]*)\)");
        Assert.True(m.Success, $"cluster/local-cluster.sh has no {name}=( ... )");
        return m.Groups[1].Value;
    }

    [Fact]
    public void Every_flag_in_the_local_cluster_script_is_one_akkakd_accepts()
    {
        // The code, not the comments (which name docker compose's own flags).
        var code = string.Join('\n', Script.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        var all = Flags(code);
        Assert.NotEmpty(all);
        AssertAccepted(all, SweepFlags.Union(WorkerFlags).Union(Names(StatusCommand.Create())), "cluster/local-cluster.sh");
        foreach (var node in new[] { "seed1_args", "seed2_args", "worker_args" })
            AssertAccepted(Flags(ScriptArray(node)), WorkerFlags, $"cluster/local-cluster.sh, {node}");
        AssertAccepted(Flags(ScriptArray("sweep_args")), SweepFlags, "cluster/local-cluster.sh, sweep_args");
        var start = Regex.Match(Script, @"setsid ""\$akkakd"" ""\$@""([^\n]*)");
        Assert.True(start.Success, "the script does not start its nodes with setsid \"$akkakd\" \"$@\"");
        AssertAccepted(Flags(start.Groups[1].Value), WorkerFlags, "cluster/local-cluster.sh, start_node");
    }

    [Fact]
    public void The_local_cluster_script_runs_the_compose_command_lines()
    {
        foreach (var (array, service) in new[] { ("seed1_args", "seed1"), ("seed2_args", "seed2"), ("worker_args", "worker"), ("sweep_args", "sweep") })
        {
            var words = ScriptArray(array).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var compose = Command(Service(service));
            Assert.Equal(compose[0], words[0]);
            Assert.Equal(Flags(string.Join(' ', compose)).Order(), Flags(ScriptArray(array)).Order());
        }
        Assert.Contains("--slots 0", ScriptArray("sweep_args"));
        // The seeds reach every node, and the launchers' address, through the environment, as in docker-compose.yml.
        Assert.Matches(@"export AKKAKD_SEEDS=\$seeds", Script);
        Assert.Matches(@"AKKAKD_SEEDS=\$seeds AKKAKD_HOST=127\.0\.0\.1 exec ""\$akkakd"" ""\$\{sweep_args\[@\]\}""", Script);
        Assert.Contains("cluster/node.hocon", Script);
        foreach (var step in new[] { "up", "sweep", "status | cancel", "down" })
            Assert.Contains($"\n  {step})", Script);
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

    // --- cluster/akkakd-worker.service ---

    [Fact]
    public void The_systemd_unit_runs_a_worker_that_systemd_stops_with_SIGTERM_and_time_to_leave()
    {
        var unit = Read("cluster/akkakd-worker.service");
        string Key(string key)
        {
            var m = Regex.Match(unit, $@"(?m)^{key}=(.*)$");
            Assert.True(m.Success, $"cluster/akkakd-worker.service has no {key}=");
            return m.Groups[1].Value.Trim();
        }
        var exec = Key("ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("/akkakd", exec[0]);
        Assert.Equal("worker", exec[1]);
        AssertAccepted(Flags(string.Join(' ', exec)), WorkerFlags, "cluster/akkakd-worker.service, ExecStart");
        var env = Regex.Matches(unit, @"(?m)^Environment=(\w+)=(.*)$").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        foreach (var seed in env["AKKAKD_SEEDS"].Split(',')) Assert.Equal("akka.tcp", new Uri(seed).Scheme);
        Assert.True(env.ContainsKey("AKKAKD_HOST") || exec.Contains("--host"), "the unit names no address for the worker");
        Assert.Equal("SIGTERM", Key("KillSignal"));
        Assert.True(int.Parse(Key("TimeoutStopSec")) >= 15, "TimeoutStopSec under 15 s");
        Assert.Equal("on-failure", Key("Restart"));
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
        var port = Option(Command(Service("seed1")), "port");
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
