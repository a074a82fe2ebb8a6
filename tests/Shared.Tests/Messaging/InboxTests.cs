using Dapper;
using MassTransit;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

/// <summary><c>TryClaimAsync</c> with real consume contexts from an in-memory MassTransit bus.</summary>
public sealed class InboxTests : IDisposable
{
    private readonly TempDirectory _temp = new("inbox");

    public void Dispose() => _temp.Dispose();

    private Task<BusHost> StartAsync() => BusHost.StartAsync(_temp, x =>
    {
        x.AddConsumer<InboxProbeConsumer>();
        x.AddConsumer<ClaimScenarioConsumer>();
    }, outbox: false);

    private static async Task<(long Effects, long Claims)> CountsAsync(BusHost host, Guid messageId)
    {
        await using var connection = await host.Database.OpenAsync(TestContext.Current.CancellationToken);
        return (
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM effects WHERE message_id = @Id", new { Id = messageId }),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @Id", new { Id = messageId }));
    }

    private static async Task<string> RunScenarioAsync(BusHost host, string name)
    {
        var id = NewId.NextGuid();
        await host.Bus.Publish(new ClaimScenario(name), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);
        var received = await host.Received.WaitForAsync(r => r.MessageId == id, 1);
        return Assert.Single(received).Note;
    }

    [Fact]
    public async Task The_first_claim_wins_and_the_same_consumer_cannot_claim_the_message_again()
    {
        await using var host = await StartAsync();

        Assert.Equal("True,False", await RunScenarioAsync(host, "same-consumer-twice"));
    }

    [Fact]
    public async Task Another_consumer_can_claim_the_same_message()
    {
        await using var host = await StartAsync();

        Assert.Equal("True,True,False", await RunScenarioAsync(host, "other-consumer"));
    }

    [Fact]
    public async Task A_claim_in_a_rolled_back_unit_of_work_does_not_count()
    {
        await using var host = await StartAsync();

        Assert.Equal("True,True,False", await RunScenarioAsync(host, "rolled-back"));
    }

    [Fact]
    public async Task A_message_delivered_twice_with_the_same_id_has_its_effect_once()
    {
        await using var host = await StartAsync();
        var id = NewId.NextGuid();

        await host.Bus.Publish(new InboxProbe("once"), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);
        await host.Bus.Publish(new InboxProbe("once"), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);

        var deliveries = await host.Received.WaitForAsync(r => r.MessageId == id, 2);
        Assert.Equal(["claimed", "duplicate"], deliveries.Select(d => d.Note).Order());
        Assert.Equal((1L, 1L), await CountsAsync(host, id));
        await using var connection = await host.Database.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(InboxProbeConsumer.Name, await connection.ExecuteScalarAsync<string>("SELECT consumer FROM inbox_messages"));
    }

    [Fact]
    public async Task Messages_with_different_ids_each_have_their_effect()
    {
        await using var host = await StartAsync();
        var ids = Enumerable.Range(0, 3).Select(_ => NewId.NextGuid()).ToList();

        foreach (var id in ids)
            await host.Bus.Publish(new InboxProbe("distinct"), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);

        await host.Received.WaitForAsync<InboxProbe>(3);
        foreach (var id in ids)
            Assert.Equal((1L, 1L), await CountsAsync(host, id));
    }

    [Fact]
    public async Task A_consumer_that_fails_after_claiming_is_retried_and_its_effect_happens_once()
    {
        await using var host = await StartAsync();
        using var activity = BusActivity.Watch(host.Bus);
        var id = NewId.NextGuid();

        // Fails twice after claiming and writing its effect; the bus retries (RetryLimit 3) and the third attempt commits.
        await host.Bus.Publish(new InboxProbe("retried", FailAttempts: 2), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);

        var attempts = await host.Received.WaitForAsync(r => r.MessageId == id, 3);
        // Every attempt could claim: the failed attempts' claims rolled back with their effects.
        Assert.Equal(["claimed", "claimed", "claimed"], attempts.Select(a => a.Note));
        await Eventually.HoldsAsync(async () => await CountsAsync(host, id) == (1L, 1L), "one effect and one claim");
        // Consumed (past its retries, which the observer sees from outside): no further attempt can come.
        await activity.WaitUntilConsumedAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken, typeof(InboxProbe));
        Assert.Equal(3, host.Received.All.Count(r => r.MessageId == id));
    }
}
