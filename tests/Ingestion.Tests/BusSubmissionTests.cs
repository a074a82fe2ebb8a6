using MassTransit;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>Listings submitted over the bus (ListingSubmitted) are stored like posted ones; invalid ones fault once, unretried.</summary>
public sealed class BusSubmissionTests
{
    [Fact]
    public async Task Submitted_listing_is_stored_and_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var externalId = $"bus-{Guid.NewGuid():N}";

        await host.GetRequiredService<IBus>().Publish(new ListingSubmitted
        {
            Source = "feed", ExternalId = externalId, Title = "  Listings over the bus\0 ", Abstract = "Sent as a message.",
            Authors = ["C. Author"], Url = "https://example.org/bus", Tags = ["messaging"], PublishedOn = new DateOnly(2026, 2, 1),
        }, ct);

        var (accepted, _) = await recorder.WaitForAsync<ListingAccepted>(e => e.ExternalId == externalId, TimeSpan.FromSeconds(10), ct);
        Assert.Equal("feed", accepted.Source);
        Assert.Equal("Listings over the bus", accepted.Title);
        Assert.Equal(["C. Author"], accepted.Authors);
        var stored = await host.Client.GetAsync($"/listings/{accepted.ListingId}", ct);
        Assert.True(stored.IsSuccessStatusCode, stored.StatusCode.ToString());
        var listing = await stored.ReadJsonAsync(ct);
        Assert.Equal("Listings over the bus", listing.GetProperty("title").GetString());
        Assert.Equal("https://example.org/bus", listing.GetProperty("url").GetString());
        Assert.Equal("2026-02-01", listing.GetProperty("publishedOn").GetString());
        Assert.Empty(recorder.All<Fault<ListingSubmitted>>());
    }

    [Fact]
    public async Task Submitting_the_same_listing_twice_accepts_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder);
        var bus = host.GetRequiredService<IBus>();
        var submitted = new ListingSubmitted { Source = "feed", ExternalId = $"bus-{Guid.NewGuid():N}", Title = "Twice" };

        await bus.Publish(submitted, ct);
        await bus.Publish(submitted, ct);
        await bus.Publish(submitted with { Title = "Changed" }, ct);

        await recorder.WaitForAsync<ListingAccepted>(e => e.ExternalId == submitted.ExternalId, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct); // all three consumed, and whatever they queued published
        var accepted = Assert.Single(recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)));
        Assert.Equal("Twice", accepted.Message.Title);
        // A changed re-submission is logged and dropped, not faulted (retrying cannot make it succeed either).
        Assert.Empty(recorder.All<Fault<ListingSubmitted>>());
    }

    [Fact]
    public async Task Invalid_submission_faults_once_with_the_reason_and_is_not_retried()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        var recorder = new MessageRecorder();
        // Retries are 3 x 5 min here: a retried message could not fault within the minute the test waits for the fault.
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), recorder,
            ("Messaging:RetryLimit", "3"), ("Messaging:RetryInterval", "00:05:00"));
        var messageId = NewId.NextGuid();
        var externalId = $"bus-{Guid.NewGuid():N}";

        await host.GetRequiredService<IBus>().Publish(
            new ListingSubmitted { Source = "feed", ExternalId = externalId, Title = "", Url = "ftp://x" },
            context => context.MessageId = messageId, ct);

        var (fault, _) = await recorder.WaitForAsync<Fault<ListingSubmitted>>(f => f.FaultedMessageId == messageId, TimeSpan.FromMinutes(1), ct);
        Assert.Equal(externalId, fault.Message.ExternalId);
        var exception = Assert.Single(fault.Exceptions);
        Assert.Equal(typeof(InvalidMessageException).FullName, exception.ExceptionType);
        Assert.Contains("title", exception.Message);
        Assert.Contains("Is required", exception.Message);
        Assert.Contains("url", exception.Message);

        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<Fault<ListingSubmitted>>());
        Assert.Empty(recorder.All<ListingAccepted>(e => !Settling.IsMarker(e)));
    }
}
