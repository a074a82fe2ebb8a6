using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Platform.ServiceDefaults.Access;
using Platform.Testing;

namespace EndToEnd.Tests;

/// <summary>What an operator (and the <c>platform</c> CLI) reads: a listing's stage in each service, and online backups.</summary>
public sealed class OperatorEndpointsTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private const string AdminKey = "operator-key";

    [Fact]
    public async Task A_listings_stages_are_visible_in_each_service_and_every_store_backs_up_online()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var data = new TempDirectory("e2e-operator");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformServices.StartAsync(vhost.AmqpUri, data.Path,
            ("Access:AdminKeys:0:Name", "ops"), ("Access:AdminKeys:0:Sha256", ApiKeyHashes.Of(AdminKey)));

        var registered = await platform.Notification.Client.PostAsJsonAsync("/subscribers",
            new { webhookUrl = receiver.Url().ToString(), interests = "Protein structure prediction", threshold = 0.1 }, ct);
        var subscriberId = (await registered.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        await Eventually.SucceedsAsync(() => Admin(platform.Scoring, HttpMethod.Get, $"/subscriber-vectors/{subscriberId}", ct), ct);
        var posted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", new
        {
            source = "ops", externalId = "p-1", title = "Predicting protein structures with geometric deep learning",
            @abstract = "Equivariant networks fold proteins.",
        }, ct);
        var listing = await posted.Content.ReadFromJsonAsync<JsonElement>(ct);
        var listingId = listing.GetProperty("id").GetGuid();
        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(90), ct);

        var embedding = await platform.Embedding.Client.GetFromJsonAsync<JsonElement>($"/listings/{listingId}/embedding", ct);
        Assert.Equal(384, embedding.GetProperty("dimension").GetInt32());
        Assert.StartsWith("sentence-transformers/all-MiniLM-L6-v2@", embedding.GetProperty("modelId").GetString());
        Assert.True(embedding.GetProperty("embeddedAt").GetDateTimeOffset() >= listing.GetProperty("acceptedAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Embedding.Client.GetAsync($"/listings/{Guid.NewGuid()}/embedding", ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Notification.Client.GetAsync($"/deliveries?listingId={listingId}", ct)).StatusCode);
        await Eventually.SucceedsAsync(async () =>
        {
            var response = await Admin(platform.Notification, HttpMethod.Get, $"/deliveries?listingId={listingId}", ct);
            var deliveries = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("status").GetString() == "delivered"
                ? response : new HttpResponseMessage(HttpStatusCode.Accepted);
        }, ct);
        var delivery = (await (await Admin(platform.Notification, HttpMethod.Get, $"/deliveries?listingId={listingId}", ct))
            .Content.ReadFromJsonAsync<JsonElement>(ct))[0];
        Assert.Equal(subscriberId, delivery.GetProperty("subscriberId").GetGuid());

        foreach (var (host, name, table, column) in new[]
                 {
                     (platform.Ingestion, "ingestion", "listings", "id"), (platform.Embedding, "embedding", "listing_vectors", "listing_id"),
                     (platform.Scoring, "scoring", "scored_listings", "listing_id"), (platform.Notification, "notification", "deliveries", "listing_id"),
                 })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync($"/admin/backup/{name}", ct)).StatusCode);
            var backup = await Admin(host, HttpMethod.Get, $"/admin/backup/{name}", ct);
            Assert.Equal(HttpStatusCode.OK, backup.StatusCode);
            Assert.Equal("application/vnd.sqlite3", backup.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(name + "-", backup.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            var file = Path.Combine(data.Path, $"{name}-backup.db");
            await File.WriteAllBytesAsync(file, await backup.Content.ReadAsByteArrayAsync(ct), ct);
            await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync(ct);
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await check.ExecuteScalarAsync(ct));
            check.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {column} = '{listingId}'";
            Assert.True((long)(await check.ExecuteScalarAsync(ct))! >= 1, $"{name}: the listing is not in the backup");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(platform.Ingestion, HttpMethod.Get, "/admin/backup/scoring", ct)).StatusCode);
    }

    private static Task<HttpResponseMessage> Admin(TestServiceHost host, HttpMethod method, string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(AccessRoles.ApiKeyHeader, AdminKey);
        return host.Client.SendAsync(request, ct);
    }
}
