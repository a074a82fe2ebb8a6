using Platform.ServiceDefaults.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Ingestion.Listings;

public static class ListingsApi
{
    public static IEndpointRouteBuilder MapListingsApi(this IEndpointRouteBuilder app)
    {
        var listings = app.MapGroup("/listings").WithTags("Listings");
        listings.MapPost("/", PostAsync).WithName("SubmitListing").RequireAuthorization(AccessRoles.Publisher);
        listings.MapGet("/{id:guid}", GetAsync).WithName("GetListing");
        return app;
    }

    /// <summary>Needs a publisher (or admin) key when keys are configured. 201 for a new listing, 200 when the same listing was accepted before, 409 when its content changed.</summary>
    private static async Task<Results<Created<Listing>, Ok<Listing>, ValidationProblem, ProblemHttpResult>> PostAsync(
        ListingRequest request, ListingValidator validator, ListingStore store, IngestionMetrics metrics, CancellationToken ct)
    {
        var listing = validator.Validate(request, out var errors);
        if (listing is null)
        {
            metrics.Invalid();
            return TypedResults.ValidationProblem(errors, title: "The listing is not valid.");
        }

        var (outcome, stored) = await store.AcceptAsync(listing, ct);
        return outcome switch
        {
            AcceptOutcome.Created => TypedResults.Created($"/listings/{stored.Id}", stored),
            AcceptOutcome.AlreadyAccepted => TypedResults.Ok(stored),
            _ => TypedResults.Problem(
                title: "A different listing with this source and externalId was already accepted.",
                detail: $"Listing {stored.Id} ({stored.Source}/{stored.ExternalId}) is immutable; publish changes under a new externalId.",
                statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static async Task<Results<Ok<Listing>, NotFound>> GetAsync(Guid id, ListingStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } listing ? TypedResults.Ok(listing) : TypedResults.NotFound();
}
