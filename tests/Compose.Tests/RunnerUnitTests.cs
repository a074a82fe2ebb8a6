using Platform.ComposeLocal;

namespace Compose.Tests;

/// <summary>The runner's compose semantics: env files, interpolation, merge keys, and the local mapping of values.</summary>
public sealed class RunnerUnitTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
        ["PORT"] = "8084",
    };

    [Theory]
    [InlineData("${SET}", "value")]
    [InlineData("$SET/x", "value/x")]
    [InlineData("$$SET", "$SET")]
    [InlineData("${UNSET:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${EMPTY-fallback}", "")]
    [InlineData("${UNSET-fallback}", "fallback")]
    [InlineData("${SET:-fallback}", "value")]
    [InlineData("${SET:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("http://localhost:${UNSET:-${PORT:-1}}/x", "http://localhost:8084/x")]
    [InlineData("${SET:?never shown}", "value")]
    [InlineData("no variables", "no variables")]
    public void Interpolates_like_compose(string text, string expected)
    {
        var interpolation = new Interpolation(Variables);

        Assert.Equal(expected, interpolation.Apply(text, "x"));
        Assert.Empty(interpolation.Errors);
    }

    [Fact]
    public void Required_variables_report_their_message_and_unset_ones_are_listed()
    {
        var interpolation = new Interpolation(Variables);

        interpolation.Apply("${EMPTY:?set EMPTY in .env} ${UNSET?} ${EMPTY?fine} $NOTHING", "services.a.environment.B");

        Assert.Equal(
            ["services.a.environment.B: required variable EMPTY is missing a value: set EMPTY in .env",
             "services.a.environment.B: required variable UNSET is missing a value"],
            interpolation.Errors);
        Assert.Equal(["NOTHING"], interpolation.Unset);
    }

    [Fact]
    public void Env_files_are_read_like_compose_reads_them()
    {
        var variables = DotEnv.Parse("""
            # comment
            A=plain value # comment
            export B=b
            C="quoted # not a comment\nnext"
            D='single $x'
            E=
            F=Platform <notifications@platform.localhost>
            """);

        Assert.Equal("plain value", variables["A"]);
        Assert.Equal("b", variables["B"]);
        Assert.Equal("quoted # not a comment\nnext", variables["C"]);
        Assert.Equal("single $x", variables["D"]);
        Assert.Equal("", variables["E"]);
        Assert.Equal("Platform <notifications@platform.localhost>", variables["F"]);
    }

    [Fact]
    public void Merge_keys_take_explicit_keys_first_then_the_first_merged_mapping()
    {
        using var directory = new TempDirectory("compose");
        var file = directory.File("compose.yml");
        File.WriteAllText(file, """
            x-a: &a
              ONE: from-a
              TWO: from-a
            x-b: &b
              TWO: from-b
              THREE: from-b
            x-svc: &svc
              image: base:${TAG:-1}
            services:
              app:
                <<: *svc
                environment:
                  <<: [*a, *b]
                  ONE: explicit
                  LIST: "8080"
            """);

        var service = ComposeFile.Load(file, new Dictionary<string, string>()).Service("app");

        Assert.Equal("base:1", service.Image);
        Assert.Equal("explicit", service.EnvironmentValue("ONE"));
        Assert.Equal("from-a", service.EnvironmentValue("TWO"));
        Assert.Equal("from-b", service.EnvironmentValue("THREE"));
        Assert.Equal("8080", service.EnvironmentValue("LIST"));
    }

    [Fact]
    public void Only_host_names_their_ports_urls_and_volume_paths_are_mapped()
    {
        var network = new LocalNetwork();
        network.Add(["rabbitmq"], 5672, 30001);
        network.Add(["otel"], 18889, 30002);
        network.Add(["notification"], 8080, 30003);
        network.AddPublished(8084, 30003);
        KeyValuePair<string, string>[] environment =
        [
            new("Messaging__RabbitMq__Host", "rabbitmq"),
            new("Messaging__RabbitMq__Port", "5672"),
            new("Messaging__RabbitMq__Username", "notification"),
            new("OTEL_SERVICE_NAME", "rabbitmq"),
            new("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:18889"),
            new("Notification__PublicBaseUrl", "http://localhost:8084/links"),
            new("Notification__Database__Path", "/data/notification.db"),
            new("Other__Path", "/database"),
        ];

        var local = network.Rewrite(environment, new Dictionary<string, string> { ["/data"] = "/tmp/v" }, "notification")
            .ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("127.0.0.1", local["Messaging__RabbitMq__Host"]);
        Assert.Equal("30001", local["Messaging__RabbitMq__Port"]);
        Assert.Equal("notification", local["Messaging__RabbitMq__Username"]);
        Assert.Equal("rabbitmq", local["OTEL_SERVICE_NAME"]);
        Assert.Equal("http://127.0.0.1:30002", local["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http://localhost:30003/links", local["Notification__PublicBaseUrl"]);
        Assert.Equal("/tmp/v/notification.db", local["Notification__Database__Path"]);
        Assert.Equal("/database", local["Other__Path"]);
    }

    [Fact]
    public void A_misspelt_host_variable_is_passed_on_as_it_is_and_its_port_stays_the_container_port()
    {
        var network = new LocalNetwork();
        network.Add(["rabbitmq"], 5672, 30001);

        var local = network.Rewrite(
            [new("Messaging__RabbitMq__Hots", "rabbitmq"), new("Messaging__RabbitMq__Port", "5672")],
            new Dictionary<string, string>(), "ingestion").ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("rabbitmq", local["Messaging__RabbitMq__Hots"]);
        Assert.Equal("5672", local["Messaging__RabbitMq__Port"]);
    }

    [Fact]
    public void A_port_of_a_service_without_a_stand_in_is_an_error()
    {
        var network = new LocalNetwork();
        network.Add(["otel"], 18889, 30002);

        var error = Assert.Throws<ComposeException>(() => network.Rewrite(
            [new("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4317")], new Dictionary<string, string>(), "scoring"));

        Assert.Contains("port 4317 of 'otel'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_secrets_fill_only_empty_required_variables_and_keys_get_their_hash()
    {
        var variables = new Dictionary<string, string> { ["GIVEN"] = "kept", ["EMPTY_PASSWORD"] = "" };

        var keys = LocalRun.GenerateMissingSecrets("${GIVEN:?x} ${EMPTY_PASSWORD:?x} ${PUBLISHER_KEY_SHA256:?x} ${OPTIONAL:-}", variables);

        Assert.Equal("kept", variables["GIVEN"]);
        Assert.Equal(64, variables["EMPTY_PASSWORD"].Length);
        Assert.Equal(LocalRun.Sha256Hex(keys["PUBLISHER_KEY"]), variables["PUBLISHER_KEY_SHA256"]);
        Assert.False(variables.ContainsKey("OPTIONAL"));
    }
}
