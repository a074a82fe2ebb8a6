using Platform.ServiceDefaults.Access;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Scoring.Subscribers;

public static class SubscriberVectorsApi
{
    /// <summary>Whether scoring knows a subscriber yet (their interests are embedded), and from which model.</summary>
    public static IEndpointRouteBuilder MapSubscriberVectorsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subscriber-vectors/{subscriberId:guid}", GetAsync).WithTags("Subscribers").WithName("GetSubscriberVector")
            .RequireAuthorization(AccessRoles.Admin);
        app.MapPut("/subscriber-vectors/{subscriberId:guid}/reward-weights", PutWeightsAsync).WithTags("Subscribers").WithName("SetRewardWeights")
            .RequireAuthorization(AccessRoles.Admin);
        app.MapDelete("/subscriber-vectors/{subscriberId:guid}/reward-weights", DeleteWeightsAsync).WithTags("Subscribers").WithName("ResetRewardWeights");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> PutWeightsAsync(Guid subscriberId, RewardWeightsRequest weights,
        ScoringDatabase database, SubscriberIndex index, Platform.Scoring.Rewards.RewardModels rewards, TimeProvider clock, CancellationToken ct)
    {
        if (weights.Quality is < 0 or > 1 || weights.Novelty is < 0 or > 1 || !double.IsFinite(weights.Quality) || !double.IsFinite(weights.Novelty))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["weights"] = ["quality and novelty must be within 0..1."] });
        await index.GetAsync(ct); // loads stored weights first, so these are not overwritten by the initial load
        await using var connection = await database.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM subscriber_vectors WHERE subscriber_id = @subscriberId", new { subscriberId }, cancellationToken: ct)) == 0)
            return TypedResults.NotFound();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR REPLACE INTO subscriber_reward_weights (subscriber_id, quality, novelty, updated_at) VALUES (@subscriberId, @Quality, @Novelty, @now)",
            new { subscriberId, weights.Quality, weights.Novelty, now = clock.GetUtcNow() }, cancellationToken: ct));
        rewards.SetWeights(subscriberId, weights.Quality, weights.Novelty);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteWeightsAsync(Guid subscriberId, ScoringDatabase database, SubscriberIndex index,
        Platform.Scoring.Rewards.RewardModels rewards, CancellationToken ct)
    {
        await index.GetAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM subscriber_reward_weights WHERE subscriber_id = @subscriberId", new { subscriberId }, cancellationToken: ct));
        rewards.SetWeights(subscriberId, null, null);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SubscriberVectorInfo>, NotFound>> GetAsync(Guid subscriberId, ScoringDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var info = await connection.QuerySingleOrDefaultAsync<SubscriberVectorInfo>(new CommandDefinition(
            "SELECT subscriber_id, model_id, dimension, updated_at FROM subscriber_vectors WHERE subscriber_id = @SubscriberId",
            new { SubscriberId = subscriberId }, cancellationToken: ct));
        return info is null ? TypedResults.NotFound() : TypedResults.Ok(info);
    }
}

/// <summary>A subscriber's own weights over the global rewards, each 0..1; the caps in Scoring:Rewards still apply.</summary>
public sealed record RewardWeightsRequest(double Quality, double Novelty);

public sealed record SubscriberVectorInfo
{
    public Guid SubscriberId { get; init; }
    public string ModelId { get; init; } = "";
    public int Dimension { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
