using System.Text.Json;
using Platform.ComposeLocal;
using YamlDotNet.RepresentationModel;

namespace Compose.Tests;

/// <summary>docker-compose.yml and .env.example, read the way compose reads them (no engine, no broker).</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] AppServices = ["ingestion", "embedding", "scoring", "notification"];

    private static ComposeFile Load(IReadOnlyList<string>? profiles = null) =>
        ComposeFile.Load(Repository.ComposeFile, Repository.ExampleValues().Variables, profiles);

    [Fact]
    public void Env_example_as_it_is_is_refused_naming_every_missing_secret()
    {
        var variables = DotEnv.Load(Repository.EnvExample);

        // The file itself loads (compose config validates it without .env); its check-secrets gate refuses.
        var missing = LocalRun.MissingSecrets(ComposeFile.Load(Repository.ComposeFile, variables));

        Assert.Equal(Repository.RequiredSecrets.Order(), missing.Order());
    }

    [Fact]
    public void Env_example_leaves_only_the_secrets_empty_and_uses_no_undeclared_variable()
    {
        var example = DotEnv.Load(Repository.EnvExample);
        var compose = Load();

        Assert.Empty(compose.UnsetVariables);
        Assert.All(Repository.RequiredSecrets, s => Assert.Equal("", example[s]));
        Assert.Equal("cpu", example["COMPOSE_PROFILES"]);
        // Every variable the compose file interpolates is documented in .env.example.
        var used = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Repository.ComposeFile), @"\$\{([A-Z_][A-Z0-9_]*)")
            .Select(m => m.Groups[1].Value).Distinct();
        Assert.All(used, name => Assert.True(example.ContainsKey(name), $"{name} is used by docker-compose.yml but not in .env.example"));
    }

    [Theory]
    [InlineData("cpu", "scoring", "cpu")]
    [InlineData("gpu", "scoring-gpu", "cuda")]
    public void Each_profile_runs_exactly_one_scoring_service(string profile, string expected, string device)
    {
        var compose = Load([profile]);

        var scoring = Assert.Single(compose.Services, s => LocalRun.AppProject(s) == "Scoring");
        Assert.Equal(expected, scoring.Name);
        Assert.Equal(device, scoring.EnvironmentValue("Scoring__Device"));
        Assert.Equal(4, compose.Services.Count(s => LocalRun.AppProject(s) is not null));
        Assert.Contains("scoring", scoring.HostNames);
    }

    [Fact]
    public void Both_scoring_variants_share_the_volume_and_the_host_port_and_only_the_gpu_one_reserves_a_gpu()
    {
        var compose = Load();
        var cpu = compose.Service("scoring");
        var gpu = compose.Service("scoring-gpu");

        Assert.Equal(cpu.Volumes, gpu.Volumes);
        Assert.Equal(cpu.Ports, gpu.Ports);
        var services = RawServices();
        Assert.Equal("nvidia", Scalar(services, "scoring-gpu", "deploy", "resources", "reservations", "devices", "0", "driver"));
        Assert.Null(Node(services, "scoring", "deploy", "resources", "reservations"));
    }

    [Fact]
    public void Every_service_logs_in_to_the_broker_as_its_own_user_created_by_the_definitions()
    {
        var env = Repository.ExampleValues(("RABBITMQ_VHOST", "platform"));
        var compose = ComposeFile.Load(Repository.ComposeFile, env.Variables);
        var rabbit = compose.Service("rabbitmq");
        Assert.StartsWith("masstransit/rabbitmq:3.", rabbit.Image, StringComparison.Ordinal);
        var conf = compose.Configs[rabbit.Configs.Single(c => c.Target.EndsWith(".conf", StringComparison.Ordinal)).Source].ReadContent();
        var definitionsTarget = rabbit.Configs.Single(c => c.Target.EndsWith(".json", StringComparison.Ordinal));
        Assert.Contains($"load_definitions = {definitionsTarget.Target}", conf, StringComparison.Ordinal);
        using var definitions = JsonDocument.Parse(compose.Configs[definitionsTarget.Source].ReadContent());
        var users = definitions.RootElement.GetProperty("users").EnumerateArray()
            .ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("password").GetString()!);
        var permissions = definitions.RootElement.GetProperty("permissions").EnumerateArray()
            .Select(p => (User: p.GetProperty("user").GetString(), VHost: p.GetProperty("vhost").GetString())).ToList();
        Assert.Contains("platform", definitions.RootElement.GetProperty("vhosts").EnumerateArray().Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(env.Variables["RABBITMQ_ADMIN_PASSWORD"], users["admin"]);

        foreach (var name in AppServices)
        {
            var service = compose.Service(name);
            var user = service.EnvironmentValue("Messaging__RabbitMq__Username");
            Assert.Equal(name, user);
            Assert.Equal(env.Variables[$"RABBITMQ_{name.ToUpperInvariant()}_PASSWORD"], service.EnvironmentValue("Messaging__RabbitMq__Password"));
            Assert.Equal(users[user!], service.EnvironmentValue("Messaging__RabbitMq__Password"));
            Assert.Contains((user, "platform"), permissions);
            Assert.Equal("rabbitmq", service.EnvironmentValue("Messaging__RabbitMq__Host"));
            Assert.Equal("platform", service.EnvironmentValue("Messaging__RabbitMq__VirtualHost"));
        }

        Assert.Equal(5, users.Count);
        Assert.DoesNotContain("guest", users.Keys);
    }

    [Fact]
    public void Api_key_hashes_go_to_the_services_that_check_them()
    {
        var env = Repository.ExampleValues();
        var compose = ComposeFile.Load(Repository.ComposeFile, env.Variables);
        var publisher = env.Variables["PUBLISHER_KEY_SHA256"];
        var admin = env.Variables["ADMIN_KEY_SHA256"];

        Assert.Equal(publisher, compose.Service("ingestion").EnvironmentValue("Access__PublisherKeys__0__Sha256"));
        foreach (var name in new[] { "ingestion", "scoring", "scoring-gpu", "notification" })
        {
            Assert.Equal(admin, compose.Service(name).EnvironmentValue("Access__AdminKeys__0__Sha256"));
            Assert.Equal("", compose.Service(name).EnvironmentValue("Access__AdminKeys__1__Sha256"));
        }

        Assert.Null(compose.Service("embedding").EnvironmentValue("Access__AdminKeys__0__Sha256"));
        Assert.All(compose.AllServices, s => Assert.DoesNotContain(s.Environment, e => e.Key.StartsWith("Notification__AdminApiKeys", StringComparison.Ordinal)));
        Assert.Equal(env.Variables["NOTIFICATION_LINK_SIGNING_KEY"], compose.Service("notification").EnvironmentValue("Notification__Links__SigningKey"));
    }

    [Fact]
    public void Services_have_health_checks_restart_policies_limits_and_a_named_volume_for_their_database()
    {
        var compose = Load();
        var raw = RawServices();
        var volumes = ((YamlMappingNode)Yaml().Children[new YamlScalarNode("volumes")]).Children.Keys.Select(k => k.ToString()).ToHashSet();
        foreach (var service in compose.AllServices)
        {
            // The one-shot secrets check runs once per `up`; everything else is restarted.
            Assert.Equal(service.CheckedSecrets.Any() ? "no" : "unless-stopped", Scalar(raw, service.Name, "restart"));
            Assert.NotNull(Scalar(raw, service.Name, "deploy", "resources", "limits", "memory"));
            Assert.NotNull(Scalar(raw, service.Name, "deploy", "resources", "limits", "cpus"));
            if (LocalRun.AppProject(service) is { } project)
            {
                Assert.Contains("/health/ready", Node(raw, service.Name, "healthcheck", "test")!.ToString(), StringComparison.Ordinal);
                var volume = Assert.Single(service.Volumes);
                Assert.False(volume.IsBind);
                Assert.Contains(volume.Source!, volumes);
                Assert.StartsWith(volume.Target + "/", service.EnvironmentValue($"{project}__Database__Path"), StringComparison.Ordinal);
                Assert.Equal(service.Name is "scoring-gpu" ? "scoring" : service.Name, service.EnvironmentValue("OTEL_SERVICE_NAME"));
                Assert.Equal("http://otel:18889", service.EnvironmentValue("OTEL_EXPORTER_OTLP_ENDPOINT"));
            }
        }

        Assert.NotNull(Node(raw, "rabbitmq", "healthcheck"));
        Assert.Contains(compose.AllServices, s => s.Image!.Contains("aspire-dashboard", StringComparison.Ordinal));
        Assert.Contains(compose.AllServices, s => s.Image!.Contains("mailpit", StringComparison.Ordinal));
        Assert.Equal("mailpit", compose.Service("notification").EnvironmentValue("Notification__Smtp__Host"));
    }

    // ---------------------------------------------------------------- the raw YAML (for keys the runner does not model)

    private static YamlMappingNode Yaml()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Repository.ComposeFile);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode RawServices() => (YamlMappingNode)Yaml().Children[new YamlScalarNode("services")];

    /// <summary>A node under a service, following merge keys (&lt;&lt;) like compose.</summary>
    private static YamlNode? Node(YamlMappingNode services, string service, params string[] path)
    {
        YamlNode? node = services.Children[new YamlScalarNode(service)];
        foreach (var key in path)
        {
            node = node switch
            {
                YamlMappingNode map => Lookup(map, key),
                YamlSequenceNode list when int.TryParse(key, out var i) && i < list.Children.Count => list.Children[i],
                _ => null,
            };
        }

        return node;
    }

    private static YamlNode? Lookup(YamlMappingNode map, string key)
    {
        if (map.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        if (map.Children.TryGetValue(new YamlScalarNode("<<"), out var merge))
        {
            foreach (var source in merge is YamlSequenceNode list ? list.Children : [merge])
            {
                if (Lookup((YamlMappingNode)source, key) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode services, string service, params string[] path) =>
        (Node(services, service, path) as YamlScalarNode)?.Value;
}
