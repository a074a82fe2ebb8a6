using System.Net;
using System.Net.Http.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>Listings are idempotent on (source, externalId) and immutable.</summary>
public sealed class ListingIdempotencyTests
{
    [Fact]
    public async Task Reposting_the_identical_listing_returns_200_with_the_same_id_and_publishes_no_second_event()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var listing = Listings.Valid();

        var first = await host.Client.PostAsJsonAsync("/listings", listing, ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.ReadJsonAsync(ct);
        var id = created.GetProperty("id").GetGuid();
        await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(10), ct);

        var second = await host.Client.PostAsJsonAsync("/listings", listing, ct);
        // Surrounding whitespace and NUL bytes are normalised away, so this is the same listing too.
        var third = await host.Client.PostAsJsonAsync("/listings", listing.With("title", "  " + listing["title"] + "\0 "), ct);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Null(second.Headers.Location);
        Assert.Equal(created.GetRawText(), (await second.ReadJsonAsync(ct)).GetRawText());
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(id, (await third.ReadJsonAsync(ct)).GetProperty("id").GetGuid());

        // A wrongly queued second event would have been published before the marker's.
        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)));
    }

    [Fact]
    public async Task Same_source_and_externalId_with_a_changed_title_is_a_409_problem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var listing = Listings.Valid();
        var first = await host.Client.PostAsJsonAsync("/listings", listing, ct);
        var id = (await first.ReadJsonAsync(ct)).GetProperty("id").GetGuid();

        var changed = await host.Client.PostAsJsonAsync("/listings", listing.With("title", "A different title"), ct);

        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal("application/problem+json", changed.Content.Headers.ContentType?.MediaType);
        var problem = await changed.ReadJsonAsync(ct);
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString());

        // The stored listing is unchanged and only the original was announced.
        var stored = await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/listings/{id}", Listings.Json, ct);
        Assert.Equal(listing["title"], stored.GetProperty("title").GetString());
        await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        var only = Assert.Single(recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)));
        Assert.Equal(listing["title"], only.Message.Title);
    }

    [Fact]
    public async Task Same_externalId_from_another_source_is_a_different_listing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());
        var listing = Listings.Valid();

        var first = await host.Client.PostAsJsonAsync("/listings", listing, ct);
        var other = await host.Client.PostAsJsonAsync("/listings", listing.With("source", "biorxiv"), ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.NotEqual((await first.ReadJsonAsync(ct)).GetProperty("id").GetGuid(), (await other.ReadJsonAsync(ct)).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Concurrent_posts_of_one_listing_create_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var listing = Listings.Valid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Client.PostAsJsonAsync("/listings", listing, ct)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync(ct)).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == ids[0], TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)));
    }
}
