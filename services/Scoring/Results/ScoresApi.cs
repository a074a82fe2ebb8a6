using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Scoring.Results;

public static class ScoresApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapScoresApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/scored-listings").WithTags("Scored listings");
        group.MapGet("/", FeedAsync).WithName("GetScoredFeed");
        group.MapGet("/{listingId:guid}", ForListingAsync).WithName("GetListingScores");
        return app;
    }

    /// <summary>Cursor-paged feed, oldest first: pass the returned <c>nextCursor</c> as <c>after</c> to continue.</summary>
    private static async Task<Results<Ok<ScoredFeedPage>, ValidationProblem>> FeedAsync(
        ScoredListingStore store, CancellationToken ct, long after = 0, int limit = 50)
    {
        if (limit is < 1 or > MaxPageSize || after < 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [limit is < 1 or > MaxPageSize ? "limit" : "after"] = [$"limit must be 1..{MaxPageSize} and after must be ≥ 0."],
            });
        var items = await store.FeedAsync(after, limit, ct);
        return TypedResults.Ok(new ScoredFeedPage(items, items.Count > 0 ? items[^1].Sequence : after));
    }

    private static async Task<Results<Ok<IReadOnlyList<ScoredListing>>, NotFound>> ForListingAsync(
        Guid listingId, ScoredListingStore store, CancellationToken ct)
    {
        var results = await store.ForListingAsync(listingId, ct);
        return results.Count > 0 ? TypedResults.Ok(results) : TypedResults.NotFound();
    }
}

public sealed record ScoredFeedPage(IReadOnlyList<ScoredListing> Items, long NextCursor);
