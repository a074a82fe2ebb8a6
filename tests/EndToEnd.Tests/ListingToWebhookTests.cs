using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Platform.Embedding.Encoding;
using Platform.Testing;

namespace EndToEnd.Tests;

/// <summary>A listing posted to ingestion travels through embedding and scoring over a real RabbitMQ to a subscriber's webhook.</summary>
public sealed class ListingToWebhookTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private const string Interests = "Robot learning for dexterous manipulation and grasping with robot hands";
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private static readonly object RoboticsListing = new
    {
        source = "e2e",
        externalId = "robot-hands-1",
        title = "Diffusion Policies for Dexterous Robot Manipulation from Few Demonstrations",
        @abstract = "We train diffusion-based visuomotor policies for a multi-fingered robot hand from twenty demonstrations per task; the policies grasp and reorient unseen objects.",
        authors = new[] { "A. Tester" },
        url = "https://example.org/papers/robot-hands-1",
        tags = new[] { "robotics" },
        publishedOn = "2026-11-20",
    };

    [Fact]
    public async Task Posted_listing_reaches_the_subscribers_webhook_exactly_once_with_its_score()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var data = new TempDirectory("e2e");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformServices.StartAsync(vhost.AmqpUri, data.Path);

        var registered = await platform.Notification.Client.PostAsJsonAsync("/subscribers",
            new { webhookUrl = receiver.Url().ToString(), interests = Interests, threshold = 0.2 }, ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var subscriber = (await registered.Content.ReadFromJsonAsync<JsonElement>(Json, ct));
        var subscriberId = subscriber.GetProperty("id").GetGuid();
        var secret = subscriber.GetProperty("webhookSecret").GetString()!;
        await Eventually.SucceedsAsync(() => platform.Scoring.Client.GetAsync($"/subscriber-vectors/{subscriberId}", ct), ct);

        var posted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", RoboticsListing, ct);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var listingId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetGuid();

        var webhook = (await receiver.WaitForAsync(1, TimeSpan.FromSeconds(90), ct))[0];
        var payload = JsonDocument.Parse(webhook.Body).RootElement;
        Assert.Equal(listingId, payload.GetProperty("listingId").GetGuid());
        Assert.Equal(subscriberId, payload.GetProperty("subscriberId").GetGuid());
        Assert.Equal(ExpectedScore(platform), payload.GetProperty("score").GetDouble(), precision: 4);
        Assert.True(VerifySignature(secret, webhook), "the webhook signature must verify with the subscriber's secret");

        var reposted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", RoboticsListing, ct);
        Assert.Equal(HttpStatusCode.OK, reposted.StatusCode);
        Assert.Equal(listingId, (await reposted.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetGuid());

        // A wrongly re-published listing would travel the whole pipeline again ahead of a marker posted after it.
        var markerId = await PostMarkerAsync(platform, receiver, RoboticsMarker, ct);
        Assert.Equal([listingId, markerId], receiver.Received.Select(ListingIdOf));
        var scores = await platform.Scoring.Client.GetFromJsonAsync<JsonElement>($"/scored-listings/{listingId}", Json, ct);
        Assert.Equal(1, scores.GetArrayLength());
        var deliveries = await platform.Notification.Client.GetFromJsonAsync<JsonElement>($"/subscribers/{subscriberId}/deliveries", Json, ct);
        Assert.Equal(2, deliveries.GetArrayLength()); // the listing's and the marker's
        var delivery = Assert.Single(deliveries.EnumerateArray(), d => d.GetProperty("listingId").GetGuid() == listingId);
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Listing_below_the_subscribers_threshold_is_scored_but_not_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var data = new TempDirectory("e2e");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformServices.StartAsync(vhost.AmqpUri, data.Path);

        var registered = await platform.Notification.Client.PostAsJsonAsync("/subscribers",
            new { webhookUrl = receiver.Url().ToString(), interests = "Medieval French poetry and troubadour songs", threshold = 0.5 }, ct);
        var subscriberId = (await registered.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetGuid();
        await Eventually.SucceedsAsync(() => platform.Scoring.Client.GetAsync($"/subscriber-vectors/{subscriberId}", ct), ct);

        var posted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", RoboticsListing, ct);
        var listingId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetGuid();
        var scored = await Eventually.SucceedsAsync(() => platform.Scoring.Client.GetAsync($"/scored-listings/{listingId}", ct), ct);
        // Matches below the scoring floor (0 by default) are left out entirely; either way the score is under 0.5.
        var score = (await scored.Content.ReadFromJsonAsync<JsonElement>(Json, ct))[0].GetProperty("matches").EnumerateArray()
            .Where(m => m.GetProperty("subscriberId").GetGuid() == subscriberId)
            .Select(m => m.GetProperty("score").GetDouble()).DefaultIfEmpty(double.NegativeInfinity).Single();
        Assert.True(score < 0.5, $"score {score}");

        // A listing the subscriber does want, posted after it, reaches the webhook: the one below the threshold, scored
        // before it, went through notification ahead of it and was not sent.
        var markerId = await PostMarkerAsync(platform, receiver, PoetryMarker, ct);
        Assert.Equal([markerId], receiver.Received.Select(ListingIdOf));
    }

    private static readonly object RoboticsMarker = new
    {
        source = "e2e",
        externalId = "robot-hands-2",
        title = "Tactile Sensing for Dexterous In-Hand Manipulation with Multi-Fingered Robot Hands",
        @abstract = "Robot hands learn to grasp and reorient objects from touch; we train manipulation policies with tactile feedback from demonstrations.",
        url = "https://example.org/papers/robot-hands-2",
    };

    private static readonly object PoetryMarker = new
    {
        source = "e2e",
        externalId = "troubadours-1",
        title = "Troubadour Songs and the Poetry of Medieval France",
        @abstract = "We study medieval French poetry: the songs of the troubadours, their verse forms and how the poems were performed.",
        url = "https://example.org/papers/troubadours-1",
    };

    /// <summary>
    /// Posts a listing the subscriber wants and waits for its webhook. It takes the path of everything posted before it
    /// (ingestion's outbox in order, embedding's and scoring's batches one at a time in queue order, notification's
    /// dispatcher oldest first), so whatever the pipeline was still going to do with those is done by then.
    /// </summary>
    private static async Task<Guid> PostMarkerAsync(PlatformServices platform, WebhookReceiver receiver, object marker, CancellationToken ct)
    {
        var posted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", marker, ct);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var markerId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetGuid();
        await Eventually.HoldsAsync(() => receiver.Received.Any(w => ListingIdOf(w) == markerId), $"the marker listing {markerId} at the webhook", TimeSpan.FromSeconds(90));
        return markerId;
    }

    private static Guid ListingIdOf(ReceivedWebhook webhook) => JsonDocument.Parse(webhook.Body).RootElement.GetProperty("listingId").GetGuid();

    private static double ExpectedScore(PlatformServices platform)
    {
        var encoder = platform.Embedding.GetRequiredService<ITextEncoder>();
        var vectors = encoder.Encode([
            EmbeddingText.ForListing("Diffusion Policies for Dexterous Robot Manipulation from Few Demonstrations",
                "We train diffusion-based visuomotor policies for a multi-fingered robot hand from twenty demonstrations per task; the policies grasp and reorient unseen objects."),
            EmbeddingText.ForInterests(Interests),
        ]);
        return vectors[0].Zip(vectors[1], (a, b) => (double)a * b).Sum();
    }

    private static bool VerifySignature(string secret, ReceivedWebhook webhook)
    {
        var timestamp = webhook.Headers["X-Platform-Timestamp"];
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{webhook.Body}")));
        return expected == webhook.Headers["X-Platform-Signature"];
    }
}
