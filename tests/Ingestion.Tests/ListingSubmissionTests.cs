using System.Net;
using System.Net.Http.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>POST /listings stores a new listing, GET returns it, and ListingAccepted leaves through the outbox.</summary>
public sealed class ListingSubmissionTests
{
    [Fact]
    public async Task Valid_listing_is_created_readable_and_announced_with_the_same_fields()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var listing = Listings.Valid();

        var response = await host.Client.PostAsJsonAsync("/listings", listing, ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync(ct);
        var id = created.GetProperty("id").GetGuid();
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal($"/listings/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("arxiv", created.GetProperty("source").GetString());
        Assert.Equal(listing["externalId"], created.GetProperty("externalId").GetString());
        Assert.Equal(listing["title"], created.GetProperty("title").GetString());
        Assert.Equal(listing["abstract"], created.GetProperty("abstract").GetString());
        Assert.Equal(["A. Author", "B. Author"], created.GetProperty("authors").Strings());
        Assert.Equal(listing["url"], created.GetProperty("url").GetString());
        Assert.Equal(["cs.CL", "retrieval"], created.GetProperty("tags").Strings());
        Assert.Equal("2026-01-15", created.GetProperty("publishedOn").GetString());
        var acceptedAt = created.GetProperty("acceptedAt").GetDateTimeOffset();
        Assert.InRange(acceptedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        // The Location header leads to the stored listing, identical to what POST returned.
        var fetched = await host.Client.GetAsync(response.Headers.Location, ct);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(created.GetRawText(), (await fetched.ReadJsonAsync(ct)).GetRawText());

        var (accepted, messageId) = await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(10), ct);
        Assert.NotNull(messageId);
        Assert.Equal("arxiv", accepted.Source);
        Assert.Equal(listing["externalId"], accepted.ExternalId);
        Assert.Equal(listing["title"], accepted.Title);
        Assert.Equal(listing["abstract"], accepted.Abstract);
        Assert.Equal(["A. Author", "B. Author"], accepted.Authors);
        Assert.Equal(listing["url"], accepted.Url);
        Assert.Equal(["cs.CL", "retrieval"], accepted.Tags);
        Assert.Equal(new DateOnly(2026, 1, 15), accepted.PublishedOn);
        Assert.Equal(acceptedAt, accepted.AcceptedAt);
    }

    [Fact]
    public async Task Minimal_listing_needs_only_source_externalId_and_title()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);

        var response = await host.Client.PostAsJsonAsync("/listings", new { source = "s", externalId = "e-1", title = "Only a title" }, ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync(ct);
        Assert.Empty(created.GetProperty("authors").Strings());
        Assert.Empty(created.GetProperty("tags").Strings());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("url").ValueKind);
        var id = created.GetProperty("id").GetGuid();
        var (accepted, _) = await recorder.WaitForAsync<ListingAccepted>(e => e.ListingId == id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal("Only a title", accepted.Title);
        Assert.Null(accepted.Abstract);
        Assert.Null(accepted.PublishedOn);
    }

    [Fact]
    public async Task Unknown_listing_is_404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());

        var response = await host.Client.GetAsync($"/listings/{Guid.NewGuid()}", ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
