using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Embedding.Vectors;

public static class EmbeddingsApi
{
    /// <summary><c>GET /listings/{id}/embedding</c>: whether and when a listing was embedded, and by which model (not the vector).</summary>
    public static IEndpointRouteBuilder MapEmbeddingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/listings/{listingId:guid}/embedding", GetAsync).WithTags("Embeddings").WithName("GetListingEmbedding");
        return app;
    }

    private static async Task<Results<Ok<ListingEmbedding>, NotFound>> GetAsync(Guid listingId, EmbeddingDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ListingEmbedding>(new CommandDefinition(
            """
            SELECT l.listing_id AS ListingId, v.model_id AS ModelId, v.dimension AS Dimension, l.content_hash AS ContentHash, l.embedded_at AS EmbeddedAt
            FROM listing_vectors l JOIN vectors v ON v.content_hash = l.content_hash
            WHERE l.listing_id = @ListingId
            """, new { ListingId = listingId }, cancellationToken: ct));
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(row);
    }
}

public sealed record ListingEmbedding
{
    public Guid ListingId { get; init; }
    public string ModelId { get; init; } = "";
    public int Dimension { get; init; }
    public string ContentHash { get; init; } = "";
    public DateTimeOffset EmbeddedAt { get; init; }
}
