using System.Text.Json;
using Dapper;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

/// <summary>What <see cref="OutboxWriter{TDatabase}"/> puts into the outbox table, and when it becomes visible.</summary>
public sealed class OutboxWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
    private readonly TempDirectory _temp = new("outbox-writer");
    private readonly ScratchDatabase _database;
    private readonly OutboxSignal<ScratchDatabase> _signal = new();
    private readonly OutboxWriter<ScratchDatabase> _writer;

    public OutboxWriterTests()
    {
        _database = ScratchDatabase.LikeTestDatabase(_temp.File("outbox.db"));
        _writer = new OutboxWriter<ScratchDatabase>(_signal, new FixedClock(Now));
    }

    public void Dispose() => _temp.Dispose();

    private static NotificationFailed Failed(string reason) => new()
    {
        SubscriberId = Guid.NewGuid(), ListingId = Guid.NewGuid(), Channel = NotificationChannel.Webhook,
        Attempts = 3, Reason = reason, FailedAt = new DateTimeOffset(2025, 1, 2, 3, 0, 0, TimeSpan.Zero),
    };

    private sealed record Row(long Sequence, string MessageId, string MessageType, string Body, string CreatedAt, string? SentAt, long Attempts, string? LastError);

    private async Task<List<Row>> RowsAsync()
    {
        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<Row>(
            "SELECT sequence, message_id, message_type, body, created_at, sent_at, attempts, last_error FROM outbox_messages ORDER BY sequence")).AsList();
    }

    private async Task<bool> SignalledAsync() => await _signal.WaitAsync(TimeSpan.Zero, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Nothing_is_visible_or_signalled_until_the_unit_of_work_commits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var uow = await _database.BeginAsync(ct))
        {
            await _writer.AddAsync(uow, Failed("uncommitted"), ct);

            Assert.Empty(await RowsAsync());
            Assert.False(await SignalledAsync());
        }

        Assert.Empty(await RowsAsync());
        Assert.False(await SignalledAsync());
    }

    [Fact]
    public async Task A_committed_message_is_stored_unsent_with_its_id_type_and_json_and_wakes_the_relay()
    {
        var ct = TestContext.Current.CancellationToken;
        var message = Failed("committed");
        Guid id;
        await using (var uow = await _database.BeginAsync(ct))
        {
            id = await _writer.AddAsync(uow, message, ct);
            await uow.CommitAsync(ct);
        }

        Assert.True(await SignalledAsync());
        var row = Assert.Single(await RowsAsync());
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal(id.ToString("D"), row.MessageId);
        Assert.Equal("Platform.Contracts.NotificationFailed, Platform.Contracts", row.MessageType);
        Assert.Equal("2025-01-02T01:04:05.0000000Z", row.CreatedAt);
        Assert.Null(row.SentAt);
        Assert.Equal(0, row.Attempts);
        Assert.Null(row.LastError);

        // Language-neutral JSON: camelCase names, enums as strings.
        using var json = JsonDocument.Parse(row.Body);
        Assert.Equal("Webhook", json.RootElement.GetProperty("channel").GetString());
        Assert.Equal(message.ListingId, json.RootElement.GetProperty("listingId").GetGuid());
        Assert.Equal("committed", json.RootElement.GetProperty("reason").GetString());

        // What the relay will publish is the same message.
        var (restored, type) = MessageSerializer.Deserialize(row.MessageType, row.Body);
        Assert.Equal(typeof(NotificationFailed), type);
        Assert.Equal(message, restored);
    }

    [Fact]
    public async Task Messages_get_distinct_ids_and_increasing_sequence_numbers_in_the_order_they_were_added()
    {
        var ct = TestContext.Current.CancellationToken;
        var ids = new List<Guid>();
        for (var batch = 0; batch < 2; batch++)
        {
            await using var uow = await _database.BeginAsync(ct);
            for (var i = 0; i < 3; i++)
                ids.Add(await _writer.AddAsync(uow, Failed($"{batch}.{i}"), ct));
            await uow.CommitAsync(ct);
        }

        var rows = await RowsAsync();
        Assert.Equal(ids.Select(i => i.ToString("D")), rows.Select(r => r.MessageId));
        Assert.Equal(6, ids.Distinct().Count());
        Assert.Equal(rows.Select(r => r.Sequence).Order(), rows.Select(r => r.Sequence));
        Assert.Equal(["0.0", "0.1", "0.2", "1.0", "1.1", "1.2"], rows.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_rolled_back_message_leaves_no_gap_that_blocks_later_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var rolledBack = await _database.BeginAsync(ct))
            await _writer.AddAsync(rolledBack, Failed("rolled back"), ct);
        await using (var committed = await _database.BeginAsync(ct))
        {
            await _writer.AddAsync(committed, Failed("committed"), ct);
            await committed.CommitAsync(ct);
        }

        var row = Assert.Single(await RowsAsync());
        Assert.Contains("committed", row.Body);
    }
}
