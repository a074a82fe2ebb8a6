using Dapper;
using MassTransit;
using Microsoft.Data.Sqlite;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

/// <summary>
/// A consumer whose store stays locked past the busy timeout (another writer, a long backup) waits it out with backoff
/// instead of spending its few quick retries and landing in the error queue.
/// </summary>
public sealed class StoreContentionRetryTests : IDisposable
{
    private readonly TempDirectory _temp = new("store-contention");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_message_blocked_by_a_write_lock_past_the_busy_timeout_is_consumed_once_the_lock_goes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<InboxProbeConsumer>(), new Dictionary<string, string?>
        {
            [$"{TestDatabase.Section}:Database:BusyTimeoutMs"] = "200",
            ["Messaging:ContentionRetryFirst"] = "00:00:00.200",
            ["Messaging:ContentionRetryMax"] = "00:00:01",
            ["Messaging:ContentionRetryLimit"] = "20",
        }, outbox: false);

        await (await host.Database.OpenAsync(ct)).DisposeAsync(); // migrations applied
        await using var holder = new SqliteConnection($"Data Source={host.DatabasePath}");
        await holder.OpenAsync(ct);
        await using var transaction = holder.BeginTransaction(deferred: false);
        await holder.ExecuteAsync("INSERT INTO effects (message_id, consumer, note) VALUES ('holder', 'test', 'lock')", transaction: transaction);

        var id = NewId.NextGuid();
        await host.Bus.Publish(new InboxProbe("blocked"), context => context.MessageId = id, ct);
        // Longer than the quick retries (3 x 10 ms, each waiting out the busy timeout) could ever cover.
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        Assert.DoesNotContain(host.Received.All, r => r.MessageId == id && r.Note == "claimed");
        await transaction.CommitAsync(ct);

        await host.Received.WaitForAsync(r => r.MessageId == id && r.Note == "claimed", 1, TimeSpan.FromSeconds(30));
        await using var connection = await host.Database.OpenAsync(ct);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM effects WHERE message_id = @Id", new { Id = id }));
        Assert.Single(host.Received.All, r => r.MessageId == id);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("R-FAULT", StringComparison.Ordinal));
    }
}
