using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Notification.Deliveries;

namespace Platform.Notification.Subscribers;

public static class SubscribersApi
{
    public static IEndpointRouteBuilder MapSubscribersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/subscribers").WithTags("Subscribers");
        group.MapPost("/", RegisterAsync).WithName("RegisterSubscriber");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetSubscriber");
        group.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("GetSubscriberDeliveries");
        return app;
    }

    private static async Task<Results<Created<SubscriberResponse>, ValidationProblem>> RegisterAsync(
        SubscriberRequest request, SubscriberValidator validator, SubscriberStore store, CancellationToken ct)
    {
        var valid = validator.Validate(request, out var errors);
        if (valid is null)
            return TypedResults.ValidationProblem(errors, title: "The subscriber is not valid.");
        var subscriber = await store.RegisterAsync(valid, ct);
        return TypedResults.Created($"/subscribers/{subscriber.Id}", SubscriberResponse.From(subscriber, includeSecret: true));
    }

    private static async Task<Results<Ok<SubscriberResponse>, NotFound>> GetAsync(Guid id, SubscriberStore store, CancellationToken ct) =>
        await store.FindAsync(id, ct) is { } s ? TypedResults.Ok(SubscriberResponse.From(s, includeSecret: false)) : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, NotFound>> DeliveriesAsync(
        Guid id, SubscriberStore store, DeliveryLog log, CancellationToken ct) =>
        await store.FindAsync(id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await log.ForSubscriberAsync(id, ct));
}

/// <summary>The webhook secret is shown once, at registration, so the receiver can verify signatures.</summary>
public sealed record SubscriberResponse(Guid Id, string? Email, string? WebhookUrl, string? WebhookSecret, string Interests, double Threshold, string Status, DateTimeOffset CreatedAt)
{
    public static SubscriberResponse From(Subscriber s, bool includeSecret) =>
        new(s.Id, s.Email, s.WebhookUrl, includeSecret ? s.WebhookSecret : null, s.Interests, s.Threshold, s.Status, s.CreatedAt);
}
