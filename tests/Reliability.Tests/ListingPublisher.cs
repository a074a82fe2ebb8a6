using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Tests;

/// <summary>What happened to one listing at the publisher: when it was first offered, when and as what it was accepted.</summary>
public sealed record PublishedListing(PaperListing Listing, TimeSpan FirstSentAt, TimeSpan AcceptedAt, Guid ListingId, int Status, int Attempts);

/// <summary>
/// A publisher posting listings to <c>POST /listings</c> at a steady offered rate, the way a well-behaved client does:
/// a refused connection, a timeout, 429 or 5xx (a restarting service, a busy store) is retried with backoff under the
/// same externalId, which ingestion deduplicates; any other answer is final.
/// </summary>
public sealed class ListingPublisher(HttpClient http, Uri ingestion, string? publisherKey, Stopwatch clock)
{
    private readonly ConcurrentDictionary<string, PublishedListing> accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> retryReasons = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, PublishedListing> Accepted => accepted;

    /// <summary>Listings refused for good (validation, conflict): none are expected; the ledger reports them.</summary>
    public IReadOnlyDictionary<string, string> Refused => refused;

    /// <summary>Why requests were retried, counted (e.g. "connection refused", "HTTP 503").</summary>
    public IReadOnlyDictionary<string, int> RetryReasons => retryReasons;

    public int Done => accepted.Count + refused.Count;

    public static string Key(PaperListing listing) => $"{listing.Source}/{listing.ExternalId}";

    public async Task RunAsync(IReadOnlyList<PaperListing> listings, double rate, int concurrency, CancellationToken ct)
    {
        var start = clock.Elapsed;
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= listings.Count)
                    return;
                var due = start + TimeSpan.FromSeconds(index / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, ct);
                await PublishAsync(listings[index], ct);
            }
        });
        await Task.WhenAll(workers);
    }

    private async Task PublishAsync(PaperListing listing, CancellationToken ct)
    {
        var firstSent = clock.Elapsed;
        var backoff = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            string reason;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingestion, "listings"))
                {
                    Content = JsonContent.Create(new
                    {
                        source = listing.Source,
                        externalId = listing.ExternalId,
                        title = listing.Title,
                        @abstract = listing.Abstract,
                        authors = listing.Authors,
                        url = listing.Url,
                        tags = listing.Tags,
                        publishedOn = listing.PublishedOn,
                    }),
                };
                if (publisherKey is not null)
                    request.Headers.Add("X-Api-Key", publisherKey);
                using var response = await http.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    accepted[Key(listing)] = new PublishedListing(listing, firstSent, clock.Elapsed, body.GetProperty("id").GetGuid(), status, attempt);
                    return;
                }

                if (status != 429 && status < 500)
                {
                    refused[Key(listing)] = $"HTTP {status}: {await response.Content.ReadAsStringAsync(ct)}";
                    return;
                }

                reason = $"HTTP {status}";
            }
            catch (HttpRequestException ex)
            {
                reason = ex.HttpRequestError.ToString();
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                reason = "timeout";
            }

            retryReasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
            await Task.Delay(backoff, ct);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
        }
    }
}
