using Platform.Messaging;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Scoring;
using Platform.Scoring.Evaluation;
using Platform.Scoring.Registry;
using Platform.Scoring.Rewards;
using Platform.Testing;
using Scoring.Tests.Rewards;

namespace Scoring.Tests.Service;

/// <summary>
/// The scoring service on a real RabbitMQ and SQLite file with the real TorchSharp models: feedback events train a
/// subscriber's preference vector in the background, the model registry activates, rolls back and shadows quality
/// networks, and vectors from another embedding model are refused.
/// </summary>
public sealed class FeedbackLearningTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("scoring-feedback");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Feedback_over_the_bus_improves_the_subscribers_ranking_and_trains_the_quality_model()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring.db"), recorder, ("Scoring:Quality:MinListings", "10"));
        var bus = host.GetRequiredService<IBus>();
        var data = new Synthetic(21);
        var subscriber = Guid.NewGuid();
        var bystander = Guid.NewGuid();
        var interest = Synthetic.Mix(data.Centroid(0), data.Centroid(1), 0.35f); // says topic 0, likes topic 1
        await bus.Publish(ScoringHost.Interests(subscriber, interest), Ct);
        await bus.Publish(ScoringHost.Interests(bystander, Synthetic.Mix(data.Centroid(4), data.Centroid(1), 0.5f)), Ct); // matches topic 1 too
        await WaitUntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{bystander}", Ct)).IsSuccessStatusCode);
        await WaitUntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{subscriber}", Ct)).IsSuccessStatusCode);

        var probes = Enumerable.Range(0, 16).Select(i => (Topic: i % 2, Vector: data.Listing(i % 2))).ToList();
        var before = await RelevanceAucAsync(bus, recorder, subscriber, probes);
        Assert.StartsWith("rewards-v1+untrained", (await recorder.WaitForAsync(await ScoreAsync(bus, data.Listing(3)), Ct)).ModelVersion);

        // Listings the subscriber was shown, then their reactions: likes on topic 1, dismissals on topic 0, a few pairs.
        var shown = new List<(Guid Id, int Topic)>();
        foreach (var topic in Enumerable.Range(0, 24).Select(i => i % 2))
            shown.Add((await ScoreAsync(bus, data.Listing(topic)), topic));
        foreach (var (id, _) in shown)
            await recorder.WaitForAsync(id, Ct);
        foreach (var (id, topic) in shown.Take(20))
            await bus.Publish(Feedback(subscriber, id, topic == 1 ? FeedbackKind.Like : FeedbackKind.Dismiss), Ct);
        await bus.Publish(Feedback(subscriber, shown[21].Id, FeedbackKind.Prefer, over: shown[20].Id), Ct);
        await bus.Publish(Feedback(subscriber, shown[23].Id, FeedbackKind.Click), Ct);

        var database = host.GetRequiredService<ScoringDatabase>();
        await WaitUntilAsync(async () =>
        {
            await using var connection = await database.OpenAsync(Ct);
            return await connection.ExecuteScalarAsync<long?>("SELECT examples FROM preference_vectors WHERE subscriber_id = @subscriber", new { subscriber }) == 22;
        });
        await WaitUntilAsync(() => Task.FromResult(host.GetRequiredService<RewardModels>().Quality.IsTrained));

        var after = await RelevanceAucAsync(bus, recorder, subscriber, probes);
        Assert.True(after > before + 0.2, $"AUC of the subscriber's ranking before feedback {before:F3}, after {after:F3}");

        var scored = await recorder.WaitForAsync(await ScoreAsync(bus, data.Listing(1)), Ct);
        Assert.Matches("^rewards-v1\\+quality-[0-9]+$", scored.ModelVersion);
        Assert.InRange(scored.GlobalRewards["quality"], 0, 1);
        var match = scored.Matches.Single(m => m.SubscriberId == subscriber);
        Assert.InRange(match.Rewards["likeProbability"], 0.5, 1); // calibrated on their own feedback
        Assert.False(scored.Matches.Single(m => m.SubscriberId == bystander).Rewards.ContainsKey("likeProbability"));
        var versions = await host.Client.GetFromJsonAsync<List<RewardModelVersion>>("/reward-models", JsonSerializerOptions.Web, Ct);
        Assert.Contains(versions!, v => v.Status == "active" && v.Source == "trained" && scored.ModelVersion.EndsWith(v.Version, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_restores_the_previous_versions_scores_and_a_shadow_is_recorded_but_not_published()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring-registry.db"), recorder);
        var bus = host.GetRequiredService<IBus>();
        var registry = host.GetRequiredService<ModelRegistry>();
        var data = new Synthetic(22);
        var subscriber = Guid.NewGuid();
        await bus.Publish(ScoringHost.Interests(subscriber, data.Centroid(2)), Ct);
        await WaitUntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{subscriber}", Ct)).IsSuccessStatusCode);

        // Two quality networks trained on opposite tastes.
        var likesTopic2 = Enumerable.Range(0, 30).Select(i => new ListingFeedback(data.Listing(2 + i % 2), i % 2 == 0 ? 3 : 0, i % 2 == 0 ? 0 : 3)).ToList();
        var likesTopic3 = likesTopic2.Select(f => f with { Positive = f.Negative, Negative = f.Positive }).ToList();
        using var first = QualityModel.Fit(likesTopic2, new QualityTrainingOptions())!;
        using var second = QualityModel.Fit(likesTopic3, new QualityTrainingOptions())!;
        var probe = data.Listing(2);

        var v1 = await registry.RegisterAndActivateAsync(first, "trained", new Dictionary<string, double>(), Ct);
        var underV1 = await recorder.WaitForAsync(await ScoreAsync(bus, probe), Ct);
        var v2 = await registry.RegisterAndActivateAsync(second, "trained", new Dictionary<string, double>(), Ct);
        var underV2 = await recorder.WaitForAsync(await ScoreAsync(bus, probe), Ct);
        Assert.Equal($"rewards-v1+{v1}", underV1.ModelVersion);
        Assert.Equal($"rewards-v1+{v2}", underV2.ModelVersion);
        Assert.True(underV1.GlobalRewards["quality"] > 0.5 && underV2.GlobalRewards["quality"] < 0.5);

        var rollback = await host.Client.PostAsync("/reward-models/rollback", null, Ct);
        Assert.True(rollback.IsSuccessStatusCode, rollback.StatusCode.ToString());
        Assert.Equal(v1, await rollback.Content.ReadFromJsonAsync<string>(Ct));
        var afterRollback = await recorder.WaitForAsync(await ScoreAsync(bus, probe), Ct);
        Assert.Equal(underV1.ModelVersion, afterRollback.ModelVersion);
        // Each activation loads the version's weights afresh (bit for bit the same, QualityModelTests); the new tensors
        // may sum in another order on another CPU's kernels, a few float32 ulps, while v1 and v2 differ by > 0.1.
        Assert.Equal(underV1.GlobalRewards["quality"], afterRollback.GlobalRewards["quality"], 1e-6);
        Assert.Equal(underV1.Matches.Single().Rewards["relevance"], afterRollback.Matches.Single().Rewards["relevance"], 1e-6);

        // The default combination moved the score away from relevance (quality above 0.5, the probe a near-duplicate by
        // now); the subscriber's own weights of zero leave exactly the relevance.
        var defaultMatch = afterRollback.Matches.Single();
        Assert.NotEqual(defaultMatch.Rewards["relevance"], defaultMatch.Score);
        var put = await host.Client.PutAsJsonAsync($"/subscriber-vectors/{subscriber}/reward-weights", new { quality = 0.0, novelty = 0.0 }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest,
            (await host.Client.PutAsJsonAsync($"/subscriber-vectors/{subscriber}/reward-weights", new { quality = 3.0, novelty = 0.0 }, Ct)).StatusCode);
        var ownWeights = (await recorder.WaitForAsync(await ScoreAsync(bus, probe), Ct)).Matches.Single();
        Assert.Equal(ownWeights.Rewards["relevance"], ownWeights.Score);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/subscriber-vectors/{subscriber}/reward-weights", Ct)).StatusCode);

        // v2 in shadow: its scores are stored next to the active ones, and only the active result is published.
        Assert.True((await host.Client.PostAsync($"/reward-models/{v2}/shadow", null, Ct)).IsSuccessStatusCode);
        var shadowed = await ScoreAsync(bus, probe);
        Assert.Equal(underV1.ModelVersion, (await recorder.WaitForAsync(shadowed, Ct)).ModelVersion);
        var stored = await host.Client.GetFromJsonAsync<JsonElement>($"/scored-listings/{shadowed}", JsonSerializerOptions.Web, Ct);
        var storedVersions = stored.EnumerateArray().ToDictionary(e => e.GetProperty("modelVersion").GetString()!, e => e.GetProperty("globalRewards").GetProperty("quality").GetDouble());
        Assert.Equal(underV2.GlobalRewards["quality"], storedVersions[$"rewards-v1+{v2}"], 1e-6);
        Assert.Equal(underV1.GlobalRewards["quality"], storedVersions[$"rewards-v1+{v1}"], 1e-6);
    }

    [Fact]
    public async Task A_listing_from_another_embedding_model_is_refused_with_both_models_named()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring-mismatch.db"), recorder);
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<(Guid, string)>();
        var errorQueue = host.GetRequiredService<IReceiveEndpointConnector>().ConnectReceiveEndpoint("score-listing_error", (_, endpoint) =>
        {
            endpoint.ConfigureConsumeTopology = false;
            ConsumerQueues.ConfigureAsErrorQueue(endpoint); // declared as the services declare it
            endpoint.Handler<ListingEmbedded>(context =>
            {
                reasons.Enqueue((context.Message.ListingId, context.ReceiveContext.TransportHeaders.Get<string>("MT-Fault-Message") ?? ""));
                return Task.CompletedTask;
            });
        });
        await errorQueue.Ready.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var foreign = ScoringHost.Listing(new Synthetic(23).Listing(0), modelId: "some-other-model@v2");
        await host.GetRequiredService<IBus>().Publish(foreign, Ct);

        await WaitUntilAsync(() => Task.FromResult(reasons.Any(r => r.Item1 == foreign.ListingId)));
        var reason = reasons.Single(r => r.Item1 == foreign.ListingId).Item2;
        Assert.Contains("some-other-model@v2", reason);
        Assert.Contains(ScoringHost.ModelId, reason);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await host.Client.GetAsync($"/scored-listings/{foreign.ListingId}", Ct)).StatusCode);
    }

    private static async Task<double> RelevanceAucAsync(IBus bus, ScoredRecorder recorder, Guid subscriber, List<(int Topic, float[] Vector)> probes)
    {
        var ids = new List<Guid>();
        foreach (var (_, vector) in probes)
            ids.Add(await ScoreAsync(bus, vector));
        var relevance = new List<float>();
        foreach (var id in ids)
        {
            var scored = await recorder.WaitForAsync(id, Ct);
            relevance.Add((float)(scored.Matches.SingleOrDefault(m => m.SubscriberId == subscriber)?.Rewards["relevance"] ?? -1));
        }

        return Metrics.Auc(relevance, [.. probes.Select(p => p.Topic == 1)]);
    }

    private static async Task<Guid> ScoreAsync(IBus bus, float[] vector)
    {
        var listing = ScoringHost.Listing(vector);
        await bus.Publish(listing, Ct);
        return listing.ListingId;
    }

    private static FeedbackSubmitted Feedback(Guid subscriber, Guid listing, FeedbackKind kind, Guid? over = null) => new()
    {
        FeedbackId = Guid.NewGuid(),
        SubscriberId = subscriber,
        ListingId = listing,
        Kind = kind,
        OverListingId = over,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!await condition())
            await Task.Delay(50, timeout.Token);
    }
}
