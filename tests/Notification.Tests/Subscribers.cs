using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

public sealed record RegisteredSubscriber(Guid Id, string Secret);

/// <summary>Registering subscribers over HTTP and publishing scored listings on the host's bus.</summary>
internal static class Subscribers
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public static async Task<RegisteredSubscriber> RegisterAsync(this TestServiceHost host, object request, CancellationToken ct)
    {
        var response = await host.Client.PostAsJsonAsync("/subscribers", request, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync(ct);
        return new RegisteredSubscriber(body.GetProperty("id").GetGuid(), body.GetProperty("webhookSecret").GetString()!);
    }

    public static Task<RegisteredSubscriber> RegisterWebhookAsync(this TestServiceHost host, Uri url, double threshold, CancellationToken ct) =>
        host.RegisterAsync(new { webhookUrl = url.ToString(), interests = "Retrieval-augmented language models", threshold }, ct);

    /// <summary>A scored listing with one match per (subscriber, score).</summary>
    public static ListingScored Scored(params (Guid SubscriberId, double Score)[] matches) => new()
    {
        ListingId = NewId.NextGuid(),
        Title = "Retrieval Heads in Long-Context Models",
        Url = "https://example.org/papers/retrieval-heads",
        ModelVersion = "rewards@test",
        EmbeddingModelId = "all-MiniLM-L6-v2@onnx-1",
        GlobalRewards = new Dictionary<string, double> { ["quality"] = 0.7 },
        Matches = [.. matches.Select(m => new SubscriberMatch
        {
            SubscriberId = m.SubscriberId,
            Score = m.Score,
            Rewards = new Dictionary<string, double> { ["relevance"] = m.Score, ["quality"] = 0.7 },
        })],
        ScoredAt = DateTimeOffset.UtcNow,
    };

    /// <remarks>
    /// Async on purpose: MassTransit keeps its log context in an AsyncLocal that a publish may set; behind an async
    /// boundary it cannot leak into the test's own flow and then into the next host the test starts (whose bus would
    /// otherwise log through the first host's disposed LoggerFactory).
    /// </remarks>
    public static async Task PublishAsync(this TestServiceHost host, ListingScored scored, CancellationToken ct, Guid? messageId = null) =>
        await host.GetRequiredService<IBus>().Publish(scored, context => context.MessageId = messageId ?? NewId.NextGuid(), ct);

    public static async Task<JsonElement> DeliveriesAsync(this TestServiceHost host, Guid subscriberId, CancellationToken ct) =>
        await host.Client.GetFromJsonAsync<JsonElement>($"/subscribers/{subscriberId}/deliveries", Json, ct);

    /// <summary>Polls the delivery log until the subscriber's single delivery reaches <paramref name="status"/>.</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(this TestServiceHost host, Guid subscriberId, Func<JsonElement, bool> condition, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var deliveries = await host.DeliveriesAsync(subscriberId, ct);
            var match = deliveries.EnumerateArray().Where(condition).ToList();
            if (match.Count > 0)
                return match[0];
            Assert.True(DateTime.UtcNow < deadline, $"No delivery of subscriber {subscriberId} met the condition; log: {deliveries}");
            await Task.Delay(50, ct);
        }
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, CancellationToken ct) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
}
