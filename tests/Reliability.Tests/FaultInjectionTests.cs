namespace Reliability.Tests;

/// <summary>
/// The reliability ledger under faults: while listings stream through the four service processes, each service is
/// SIGKILLed once and restarted, the broker is restarted and (separately) SIGKILLed, all broker connections are closed
/// twice, poison messages and concurrent duplicates are injected, and each store's write lock is held past its busy
/// timeout. Afterwards nothing may be lost, duplicated or unexpected. Size: <see cref="RunSettings"/> (2,000 listings
/// by default; docs/reliability.md has the 10,000-listing run).
/// </summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task Nothing_is_lost_duplicated_or_unexpected_through_crashes_restarts_poison_duplicates_and_locks()
    {
        var settings = RunSettings.FromEnvironment(defaultListings: 2000, defaultStream: TimeSpan.FromSeconds(150));
        var lockFor = TimeSpan.FromMilliseconds(FaultInjector.BusyTimeoutMs * 1.6);

        var outcome = await PlatformRun.ExecuteAsync(settings, (faults, platform) =>
        [
            new Fault("close all broker connections", 0.06, faults.CloseConnectionsAsync),
            new Fault("SIGKILL ingestion, restart", 0.12, ct => faults.KillAndRestartAsync("ingestion", ct)),
            new Fault("hold ingestion's write lock", 0.18, ct => FaultInjector.HoldWriteLockAsync(platform.Stores.Paths["ingestion"], lockFor, ct)),
            new Fault("SIGKILL embedding, restart", 0.24, ct => faults.KillAndRestartAsync("embedding", ct)),
            new Fault("poison messages", 0.30, faults.InjectPoisonAsync),
            new Fault("SIGKILL scoring, restart", 0.36, ct => faults.KillAndRestartAsync("scoring", ct)),
            new Fault("restart the broker", 0.42, faults.RestartBrokerAsync),
            new Fault("concurrent duplicates", 0.48, ct => faults.InjectDuplicatesAsync(platform.BusListings, 20, ct)),
            new Fault("hold embedding's write lock", 0.54, ct => FaultInjector.HoldWriteLockAsync(platform.Stores.Paths["embedding"], lockFor, ct)),
            new Fault("SIGKILL notification, restart", 0.60, ct => faults.KillAndRestartAsync("notification", ct)),
            new Fault("SIGKILL the broker, boot it again", 0.66, faults.KillBrokerAsync),
            new Fault("hold scoring's write lock", 0.74, ct => FaultInjector.HoldWriteLockAsync(platform.Stores.Paths["scoring"], lockFor, ct)),
            new Fault("hold notification's write lock", 0.80, ct => FaultInjector.HoldWriteLockAsync(platform.Stores.Paths["notification"], lockFor, ct)),
            new Fault("close all broker connections again", 0.86, faults.CloseConnectionsAsync),
        ], "faults", TestContext.Current.CancellationToken);

        Assert.True(outcome.Drained, $"the pipeline did not drain; see {outcome.ReportDirectory}\n{outcome.Ledger.ToMarkdown()}");
        Assert.Equal(14, outcome.Faults.Count);
        Assert.True(outcome.Ledger.Passed, $"{outcome.Ledger.Summary}\n{outcome.Ledger.ToMarkdown()}\nreports: {outcome.ReportDirectory}");
        // The faults were felt: the publisher had to retry through the ingestion crash and its locked store.
        Assert.NotEmpty(outcome.PublisherRetries);
        Assert.True(outcome.Ledger.DeservedDeliveries > 0, "no subscriber deserved anything: the delivery check would be empty");
    }
}
