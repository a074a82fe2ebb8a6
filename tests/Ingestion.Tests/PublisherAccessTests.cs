using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Ingestion;
using Platform.ServiceDefaults.Access;
using Platform.Testing;

namespace Ingestion.Tests;

public sealed class PublisherAccessTests
{
    [Fact]
    public async Task Publishing_needs_a_publisher_or_admin_key_once_keys_are_configured_and_refused_posts_store_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder,
            ("Access:PublisherKeys:0:Name", "feed-old"), ("Access:PublisherKeys:0:Sha256", ApiKeyHashes.Of("publisher-old")),
            ("Access:PublisherKeys:1:Name", "feed-new"), ("Access:PublisherKeys:1:Sha256", ApiKeyHashes.Of("publisher-new")),
            ("Access:AdminKeys:0:Sha256", ApiKeyHashes.Of("the-admin")));

        foreach (var key in new[] { null, "not-a-key", ApiKeyHashes.Of("publisher-new") })
        {
            var refused = await PostAsync(host, Listings.Valid(), key, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        var ids = new List<Guid>();
        foreach (var key in new[] { "publisher-old", "publisher-new", "the-admin" })
        {
            var accepted = await PostAsync(host, Listings.Valid(), key, ct);
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            ids.Add((await accepted.ReadJsonAsync(ct)).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
            await recorder.WaitForAsync<ListingAccepted>(m => m.ListingId == id, TimeSpan.FromSeconds(15), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Equal(3, recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)).Count);
    }

    [Fact]
    public async Task Submissions_are_counted_by_outcome()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());
        var counts = new ConcurrentDictionary<string, long>();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == IngestionMetrics.ListingsName && instrument.Meter.Scope == factory)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "outcome")
                    counts.AddOrUpdate((string)tag.Value!, value, (_, v) => v + value);
        });
        listener.Start();

        var listing = Listings.Valid();
        await PostAsync(host, listing, null, ct);
        await PostAsync(host, listing, null, ct);
        await PostAsync(host, listing.With("title", "Changed title"), null, ct);
        await PostAsync(host, Listings.Valid().Without("title"), null, ct);

        Assert.Equal(1, counts.GetValueOrDefault("created"));
        Assert.Equal(1, counts.GetValueOrDefault("already-accepted"));
        Assert.Equal(1, counts.GetValueOrDefault("conflict"));
        Assert.Equal(1, counts.GetValueOrDefault("invalid"));
    }

    private static Task<HttpResponseMessage> PostAsync(TestServiceHost host, object listing, string? key, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/listings") { Content = JsonContent.Create(listing) };
        if (key is not null)
            request.Headers.Add(AccessRoles.ApiKeyHeader, key);
        return host.Client.SendAsync(request, ct);
    }
}
