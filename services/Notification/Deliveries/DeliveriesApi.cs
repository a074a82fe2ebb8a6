using Platform.ServiceDefaults.Access;

namespace Platform.Notification.Deliveries;

public static class DeliveriesApi
{
    /// <summary><c>GET /deliveries?listingId=</c> (admin key): every delivery a listing caused, to any subscriber.</summary>
    public static IEndpointRouteBuilder MapDeliveriesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/deliveries", (Guid listingId, DeliveryLog log, CancellationToken ct) => log.ForListingAsync(listingId, ct))
            .RequireAuthorization(AccessRoles.Admin).WithTags("Deliveries").WithName("GetListingDeliveries");
        return app;
    }
}
