using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reliability.Tests;

/// <summary>One webhook request as it arrived: which subscriber's endpoint, which delivery, which listing, when.</summary>
public sealed record WebhookArrival(int Subscriber, Guid DeliveryId, Guid SubscriberId, Guid ListingId, TimeSpan At);

/// <summary>
/// The subscribers' webhook endpoints: a real HTTP server on loopback (<c>/hook/{n}</c>) that answers 200 and keeps
/// every request, repeats included, for the ledger.
/// </summary>
public sealed class DeliverySink : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<WebhookArrival> arrivals = new();
    private readonly Stopwatch clock;

    private DeliverySink(WebApplication app, Stopwatch clock)
    {
        this.app = app;
        this.clock = clock;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<WebhookArrival> Arrivals => arrivals;

    public int Count => arrivals.Count;

    public Uri Url(int subscriber) => new(BaseAddress, $"hook/{subscriber}");

    public static async Task<DeliverySink> StartAsync(Stopwatch clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new DeliverySink(app, clock);
        app.MapPost("/hook/{subscriber:int}", async (int subscriber, HttpRequest request) =>
        {
            using var payload = await JsonDocument.ParseAsync(request.Body);
            var root = payload.RootElement;
            sink.arrivals.Enqueue(new WebhookArrival(
                subscriber,
                Guid.Parse(request.Headers["X-Platform-Delivery"].ToString()),
                root.GetProperty("subscriberId").GetGuid(),
                root.GetProperty("listingId").GetGuid(),
                sink.clock.Elapsed));
            return Results.Ok();
        });
        await app.StartAsync();
        sink.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return sink;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
