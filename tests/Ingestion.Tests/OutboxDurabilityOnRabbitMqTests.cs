using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Platform.Contracts;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>
/// The same guarantee on a real RabbitMQ virtual host, where published messages outlive the host: stopping the host right
/// after POST returns still delivers ListingAccepted (published by the first host or, if it had not, by the second), and
/// every copy carries the outbox row's message id so consumers' inboxes can drop a repeat.
/// </summary>
public sealed class OutboxDurabilityOnRabbitMqTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    [Fact]
    public async Task Stopping_right_after_post_loses_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var temp = new TempDirectory("ingestion");
        var settings = IngestionHost.Settings(temp.File("ingestion.db"));
        settings["Messaging:Transport"] = "RabbitMq";
        settings["Messaging:RabbitMq:Url"] = vhost.AmqpUri.ToString();
        var recorder = new MessageRecorder();
        Guid id;

        await using (var first = await IngestionHost.StartAsync(settings, recorder))
        {
            var response = await first.Client.PostAsJsonAsync("/listings", Listings.Valid(), ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            id = (await response.ReadJsonAsync(ct)).GetProperty("id").GetGuid();
        }
        SqliteConnection.ClearAllPools();

        await using var second = await IngestionHost.StartAsync(settings, recorder);
        var (accepted, messageId) = await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(30), ct);

        await using var connection = new SqliteConnection($"Data Source={temp.File("ingestion.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id FROM outbox_messages WHERE json_extract(body, '$.listingId') = $id";
        command.Parameters.AddWithValue("$id", id.ToString("D"));
        var outboxMessageId = Guid.Parse((string)(await command.ExecuteScalarAsync(ct))!);
        Assert.Equal(outboxMessageId, messageId);
        Assert.All(recorder.All<ListingAccepted>(e => e.ListingId == id), m => Assert.Equal(outboxMessageId, m.MessageId));
        Assert.Equal("arxiv", accepted.Source);
    }
}
