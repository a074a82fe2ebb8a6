using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Scoring.Subscribers;

public static class SubscriberVectorsApi
{
    /// <summary>Whether scoring knows a subscriber yet (their interests are embedded), and from which model.</summary>
    public static IEndpointRouteBuilder MapSubscriberVectorsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subscriber-vectors/{subscriberId:guid}", GetAsync).WithTags("Subscribers").WithName("GetSubscriberVector");
        return app;
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

public sealed record SubscriberVectorInfo
{
    public Guid SubscriberId { get; init; }
    public string ModelId { get; init; } = "";
    public int Dimension { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
