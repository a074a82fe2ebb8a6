using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Platform.Scoring.Registry;
using Platform.Scoring.Rewards;
using Scoring.Tests.Rewards;

namespace Scoring.Tests.Service;

public sealed class RescoreTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rescoring_gives_stored_listings_a_result_from_the_newly_active_model_once()
    {
        var vhost = await rabbit.RequireAsync();
        using var temp = new TempDirectory("scoring-rescore");
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, temp.File("scoring.db"), recorder);
        var bus = host.GetRequiredService<IBus>();
        var data = new Synthetic(5);
        var subscriber = Guid.NewGuid();
        await bus.Publish(ScoringHost.Interests(subscriber, data.Centroid(1)), Ct);
        await UntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{subscriber}", Ct)).IsSuccessStatusCode);

        var listing = ScoringHost.Listing(data.Listing(1));
        var bystander = ScoringHost.Listing(data.Listing(0));
        await bus.Publish(listing, Ct);
        await bus.Publish(bystander, Ct);
        var original = await recorder.WaitForAsync(listing.ListingId, Ct);
        await recorder.WaitForAsync(bystander.ListingId, Ct);

        var feedback = Enumerable.Range(0, 30).Select(i => new ListingFeedback(data.Listing(i % 2), i % 2 == 0 ? 3 : 0, i % 2 == 0 ? 0 : 3)).ToList();
        using var model = QualityModel.Fit(feedback, new QualityTrainingOptions())!;
        var version = await host.GetRequiredService<ModelRegistry>().RegisterAndActivateAsync(model, "trained", new Dictionary<string, double>(), Ct);

        var response = await host.Client.PostAsJsonAsync("/reward-models/rescore", new { listingIds = new[] { listing.ListingId } }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, Ct);
        Assert.Equal(1, queued.GetProperty("queued").GetInt32());
        Assert.Equal($"rewards-v1+{version}", queued.GetProperty("modelVersion").GetString());

        await UntilAsync(() => Task.FromResult(recorder.PublishedCount(listing.ListingId) == 2));
        var rescored = await recorder.WaitForAsync(listing.ListingId, Ct);
        Assert.Equal($"rewards-v1+{version}", rescored.ModelVersion);
        Assert.Equal(original.Title, rescored.Title);
        Assert.Equal(original.Matches.Single().Rewards["relevance"], rescored.Matches.Single().Rewards["relevance"], 4); // the stored unit vector, re-normalised
        var stored = await host.Client.GetFromJsonAsync<JsonElement>($"/scored-listings/{listing.ListingId}", JsonSerializerOptions.Web, Ct);
        Assert.Equal(2, stored.GetArrayLength());

        // Already scored by the active version: nothing to do. The bystander was not asked for.
        var again = await (await host.Client.PostAsJsonAsync("/reward-models/rescore", new { listingIds = new[] { listing.ListingId } }, Ct))
            .Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, Ct);
        Assert.Equal(0, again.GetProperty("queued").GetInt32());
        // A marker through the same queue: batches are scored one at a time in queue order and published in outbox
        // order, so once the marker's result is in, any result the two requests queued is in too.
        var marker = ScoringHost.Listing(data.Listing(1));
        await bus.Publish(marker, Ct);
        await recorder.WaitForAsync(marker.ListingId, Ct);
        Assert.Equal(2, recorder.PublishedCount(listing.ListingId));
        Assert.Equal(1, recorder.PublishedCount(bystander.ListingId));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!await condition())
            await Task.Delay(50, timeout.Token);
    }
}
