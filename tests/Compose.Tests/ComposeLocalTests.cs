using System.Diagnostics;
using Platform.ComposeLocal;

namespace Compose.Tests;

/// <summary>
/// infra/compose-local on the real docker-compose.yml: the four services as local processes with exactly the
/// environment the file gives them, against a private RabbitMQ node with the file's broker users; and a copy with a
/// misspelt variable, which must fail.
/// </summary>
public sealed class ComposeLocalTests
{
    [Fact]
    public async Task The_compose_file_runs_locally_and_a_listing_gets_scored_and_emailed()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = await RabbitMqBroker.RequireAsync();
        using var directory = new TempDirectory("compose-local");
        var vhost = $"compose-{Guid.NewGuid():N}"[..20];
        var env = Repository.ExampleValues(("RABBITMQ_VHOST", vhost));
        var log = new List<string>();

        var result = await LocalRun.RunAsync(new LocalRunOptions
        {
            ComposeFile = Repository.ComposeFile,
            EnvFiles = [env.WriteTo(directory.File("test.env"))],
            UseProcessEnvironment = false,
            PublisherKey = env.PublisherKey,
            AdminKey = env.AdminKey,
            Broker = () => Task.FromResult(broker),
            ReadyTimeout = TimeSpan.FromSeconds(150),
            SmokeTimeout = TimeSpan.FromSeconds(120),
            Log = line => { lock (log) log.Add(line); },
        }, ct);

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', log));
        Assert.Equal(["embedding", "ingestion", "notification", "scoring"], result.Services.Keys.Order());
        Assert.Superset(new HashSet<string>(["ingestion", "embedding", "scoring", "notification"]), result.BrokerUsers.ToHashSet());
        Assert.NotNull(result.ListingId);
        Assert.NotNull(result.Score);
        Assert.Contains(result.EmailsTo, to => to.StartsWith("compose-local-", StringComparison.Ordinal));

        // Exactly the compose environment, but for the local mapping: nothing added, nothing left out.
        var compose = ComposeFile.Load(Repository.ComposeFile, env.Variables);
        foreach (var (name, environment) in result.Environments)
        {
            Assert.Equal(compose.Service(name).Environment.Select(e => e.Key).Order(), environment.Select(e => e.Key).Order());
            Assert.Equal(vhost, environment.Single(e => e.Key == "Messaging__RabbitMq__VirtualHost").Value);
            Assert.Equal("127.0.0.1", environment.Single(e => e.Key == "Messaging__RabbitMq__Host").Value);
        }
    }

    [Fact]
    public async Task A_misspelt_variable_in_the_compose_file_makes_the_run_fail()
    {
        var ct = TestContext.Current.CancellationToken;
        var broker = await RabbitMqBroker.RequireAsync();
        using var directory = new TempDirectory("compose-local");
        var broken = File.ReadAllText(Repository.ComposeFile)
            .Replace("Messaging__RabbitMq__Host:", "Messaging__RabbitMq__Hots:", StringComparison.Ordinal);
        Assert.Contains("Messaging__RabbitMq__Hots:", broken, StringComparison.Ordinal);
        File.WriteAllText(directory.File("docker-compose.yml"), broken);
        var env = Repository.ExampleValues(("RABBITMQ_VHOST", $"broken-{Guid.NewGuid():N}"[..20]));
        var clock = Stopwatch.StartNew();
        TimeSpan? started = null; // when the service process was started: the ready wait begins

        var error = await Assert.ThrowsAsync<LocalRunException>(() => LocalRun.RunAsync(new LocalRunOptions
        {
            ComposeFile = directory.File("docker-compose.yml"),
            ProjectDirectory = Repository.Root,
            EnvFiles = [env.WriteTo(directory.File("test.env"))],
            UseProcessEnvironment = false,
            PublisherKey = env.PublisherKey,
            AdminKey = env.AdminKey,
            Broker = () => Task.FromResult(broker),
            Services = ["ingestion"],
            ReadyTimeout = TimeSpan.FromSeconds(25),
            Log = line => started ??= line.StartsWith("compose-local: ingestion: dotnet ", StringComparison.Ordinal) ? clock.Elapsed : null,
        }, ct));

        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        Assert.StartsWith("not ready after 25 s: ingestion", error.Message, StringComparison.Ordinal);
        // It gives up at the 25 s given, not the default 3 min: from the start of the process that is the 25 s, a health
        // probe still in flight (10 s at most) and stopping the process (10 s of grace at most). What comes before (the
        // broker definitions, one rabbitmqctl run each) depends on the machine and is not part of it.
        Assert.NotNull(started);
        Assert.True(clock.Elapsed - started < TimeSpan.FromSeconds(75), $"took {clock.Elapsed - started} after the process started ({clock.Elapsed} in all)");
    }
}
