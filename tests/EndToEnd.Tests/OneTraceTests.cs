using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// One listing, one trace: the trace context travels from <c>POST /listings</c> through the outboxes and RabbitMQ
/// headers, embedding's and scoring's batches and notification's delivery log to the webhook request.
/// </summary>
public sealed class OneTraceTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private ActivityListener? _listener;

    [Fact]
    public async Task A_listing_yields_one_connected_trace_across_the_four_services()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var data = new TempDirectory("e2e-trace");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformServices.StartAsync(vhost.AmqpUri, data.Path);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Platform.", StringComparison.Ordinal)
                                       || source.Name is "MassTransit" or "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);

        var registered = await platform.Notification.Client.PostAsJsonAsync("/subscribers",
            new { webhookUrl = receiver.Url().ToString(), interests = "Robot learning for dexterous manipulation", threshold = 0.1 }, ct);
        var subscriberId = (await registered.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        await Eventually.SucceedsAsync(() => platform.Scoring.Client.GetAsync($"/subscriber-vectors/{subscriberId}", ct), ct);

        var posted = await platform.Ingestion.Client.PostAsJsonAsync("/listings", new
        {
            source = "trace", externalId = "t-1", title = "Dexterous robot hands learn to grasp from demonstrations",
            @abstract = "Diffusion policies for multi-fingered manipulation.", url = "https://example.org/t-1",
        }, ct);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var listingId = (await posted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(90), ct);
        // The webhook request span stops when the response is in, the delivery span around it once the delivery is logged.
        await Eventually.HoldsAsync(() => _spans.Any(d => d.OperationName == "notification.deliver" && Equals(d.GetTagItem("listing.id"), listingId)
                && _spans.Any(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client && s.ParentSpanId == d.SpanId)),
            "the delivery span and the webhook request span under it stopped");

        var deliver = Assert.Single(_spans, s => s.OperationName == "notification.deliver" && Equals(s.GetTagItem("listing.id"), listingId));
        var trace = _spans.Where(s => s.TraceId == deliver.TraceId).ToList();
        var description = string.Join("\n", trace.OrderBy(s => s.StartTimeUtc).Select(s => $"{s.Source.Name}: {s.DisplayName} ({s.Kind}) {s.SpanId} <- {s.ParentSpanId}"));

        // One root: the test's own POST /listings (a client span), whose child is ingestion's server span; every other
        // span's parent is in the same trace.
        var roots = trace.Where(s => s.ParentSpanId == default).ToList();
        Assert.True(roots.Count == 1, $"{roots.Count} roots:\n{description}");
        var root = roots[0];
        var post = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server
                                             && $"{s.DisplayName} {s.GetTagItem("url.path")}".Contains("/listings", StringComparison.Ordinal));
        Assert.True(post == root || (root.Source.Name == "System.Net.Http" && post.ParentSpanId == root.SpanId), $"unexpected root {root.DisplayName}:\n{description}");
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != root), s => Assert.Contains(s.ParentSpanId, ids));

        // Each service's step is in it: embedding, scoring, notification's consumer, the delivery and the webhook call.
        Assert.True(trace.Any(s => s.OperationName == "embedding.listing"), $"no embedding step in the trace:\n{description}");
        Assert.True(trace.Any(s => s.OperationName == "scoring.listing"), $"no scoring step in the trace:\n{description}");
        Assert.True(trace.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer && s.DisplayName.StartsWith("notify-subscribers", StringComparison.Ordinal)),
            $"no notification consumer in the trace:\n{description}");
        Assert.True(trace.Any(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client && s.ParentSpanId == deliver.SpanId),
            $"no webhook request under the delivery span:\n{description}");
    }

    public void Dispose() => _listener?.Dispose();
}
