using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.Contracts;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>
/// Nothing accepted is lost: the listing row and its outbox row are committed together, so a ListingAccepted that did
/// not leave before the host stopped is published by the next host on the same database file.
/// </summary>
public sealed class OutboxDurabilityTests
{
    [Fact]
    public async Task Event_not_published_before_shutdown_is_published_by_the_next_host_on_the_same_database()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var database = temp.File("ingestion.db");
        var firstRecorder = new MessageRecorder();
        Guid id;

        // The first host "dies" before its relay gets to the row: the relay is stopped before the POST.
        await using (var first = await IngestionHost.StartAsync(database, firstRecorder))
        {
            var relay = first.Services.GetServices<IHostedService>().OfType<OutboxRelay<IngestionDatabase>>().Single();
            await relay.StopAsync(ct);

            var response = await first.Client.PostAsJsonAsync("/listings", Listings.Valid(), ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            id = (await response.ReadJsonAsync(ct)).GetProperty("id").GetGuid();

            // Both rows are there as soon as POST returned: the listing and its queued, unsent event.
            var row = await ReadOutboxRowAsync(database, id, ct);
            Assert.NotNull(row);
            Assert.Equal(typeof(ListingAccepted).FullName + ", Platform.Contracts", row.Value.Type);
            Assert.Null(row.Value.SentAt);
            Assert.Equal(0, row.Value.Attempts);
        }
        Assert.Empty(firstRecorder.All<ListingAccepted>());
        SqliteConnection.ClearAllPools();

        var secondRecorder = new MessageRecorder();
        await using var second = await IngestionHost.StartAsync(database, secondRecorder);
        var (accepted, messageId) = await secondRecorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(10), ct);

        var outbox = (await ReadOutboxRowAsync(database, id, ct))!.Value;
        Assert.Equal(outbox.MessageId, messageId);
        await WaitUntilAsync(async () => (await ReadOutboxRowAsync(database, id, ct))?.SentAt is not null, ct);
        var stored = await second.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/listings/{id}", Listings.Json, ct);
        Assert.Equal(stored.GetProperty("title").GetString(), accepted.Title);
    }

    [Fact]
    public async Task Stopping_right_after_post_loses_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var database = temp.File("ingestion.db");
        var recorder = new MessageRecorder();
        Guid id;

        await using (var first = await IngestionHost.StartAsync(database, recorder))
        {
            var response = await first.Client.PostAsJsonAsync("/listings", Listings.Valid(), ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            id = (await response.ReadJsonAsync(ct)).GetProperty("id").GetGuid();
        }
        SqliteConnection.ClearAllPools();

        await using var second = await IngestionHost.StartAsync(database, recorder);

        // Either host published it; in any case the outbox row ends up sent (with the in-memory transport a message
        // the first host published but did not consume before stopping is gone with that bus, so only the row is checked).
        await WaitUntilAsync(async () => (await ReadOutboxRowAsync(database, id, ct))?.SentAt is not null, ct);
        var outbox = (await ReadOutboxRowAsync(database, id, ct))!.Value;
        Assert.All(recorder.All<ListingAccepted>(e => e.ListingId == id), m => Assert.Equal(outbox.MessageId, m.MessageId));
    }

    private static async Task<(Guid MessageId, string Type, int Attempts, string? SentAt)?> ReadOutboxRowAsync(string database, Guid listingId, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        // The listing row must exist whenever its event row does (and vice versa): they were committed together.
        command.CommandText = """
            SELECT o.message_id, o.message_type, o.attempts, o.sent_at
            FROM listings l JOIN outbox_messages o ON json_extract(o.body, '$.listingId') = l.id
            WHERE l.id = $id
            """;
        command.Parameters.AddWithValue("$id", listingId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        var row = (Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        Assert.False(await reader.ReadAsync(ct), "exactly one outbox row per listing");
        return row;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(50, ct);
        }
    }
}
