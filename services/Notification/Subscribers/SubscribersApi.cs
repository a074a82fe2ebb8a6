using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Platform.Notification.Deliveries;
using Platform.ServiceDefaults.Access;

namespace Platform.Notification.Subscribers;

public static class SubscribersApi
{
    public static IEndpointRouteBuilder MapSubscribersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/subscribers").WithTags("Subscribers");
        group.MapPost("/", RegisterAsync).WithName("RegisterSubscriber").RequireRateLimiting(PublicRateLimit.Policy);

        var admin = group.MapGroup("/").RequireAuthorization(AccessRoles.Admin);
        admin.MapGet("/{id:guid}", GetAsync).WithName("GetSubscriber");
        admin.MapPut("/{id:guid}", ReplaceAsync).WithName("ReplaceSubscriber");
        admin.MapPatch("/{id:guid}", PatchAsync).WithName("PatchSubscriber");
        admin.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteSubscriber");
        admin.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("GetSubscriberDeliveries");
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
        await store.FindAsync(id, ct) is { Status: not Subscriber.Deleted } s ? TypedResults.Ok(SubscriberResponse.From(s, includeSecret: false)) : TypedResults.NotFound();

    private static Task<Results<Ok<SubscriberResponse>, ValidationProblem, NotFound>> ReplaceAsync(
        Guid id, SubscriberRequest request, SubscriberValidator validator, SubscriberStore store, CancellationToken ct) =>
        UpdateAsync(id, request, validator, store, ct);

    /// <summary>Only the fields given change; the rest keep their values.</summary>
    private static async Task<Results<Ok<SubscriberResponse>, ValidationProblem, NotFound>> PatchAsync(
        Guid id, SubscriberRequest patch, SubscriberValidator validator, SubscriberStore store, CancellationToken ct)
    {
        if (await store.FindAsync(id, ct) is not { Status: Subscriber.Active } current)
            return TypedResults.NotFound();
        return await UpdateAsync(id, Merge(current, patch), validator, store, ct);
    }

    private static async Task<Results<Ok<SubscriberResponse>, ValidationProblem, NotFound>> UpdateAsync(
        Guid id, SubscriberRequest request, SubscriberValidator validator, SubscriberStore store, CancellationToken ct)
    {
        var valid = validator.Validate(request, out var errors);
        if (valid is null)
            return TypedResults.ValidationProblem(errors, title: "The subscriber is not valid.");
        return await store.UpdateAsync(id, valid, ct) is { } updated
            ? TypedResults.Ok(SubscriberResponse.From(updated, includeSecret: false))
            : TypedResults.NotFound();
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, SubscriberStore store, CancellationToken ct) =>
        await store.RemoveAsync(id, Subscriber.Deleted, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, NotFound>> DeliveriesAsync(
        Guid id, SubscriberStore store, DeliveryLog log, CancellationToken ct) =>
        await store.FindAsync(id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await log.ForSubscriberAsync(id, ct));

    internal static SubscriberRequest Merge(Subscriber current, SubscriberRequest patch) => new()
    {
        Email = patch.Email ?? current.Email,
        WebhookUrl = patch.WebhookUrl ?? current.WebhookUrl,
        Interests = patch.Interests ?? current.Interests,
        Threshold = patch.Threshold ?? current.Threshold,
        Mode = patch.Mode ?? current.Mode,
        TimeZone = patch.TimeZone ?? current.TimeZone,
        DigestTime = patch.DigestTime ?? current.DigestTime,
        DigestDay = patch.DigestDay ?? current.DigestDay,
        QuietHoursStart = patch.QuietHoursStart ?? current.QuietStart,
        QuietHoursEnd = patch.QuietHoursEnd ?? current.QuietEnd,
        MaxMessagesPerDay = patch.MaxMessagesPerDay ?? current.MaxPerDay,
        ExcludedTopics = patch.ExcludedTopics ?? SubscriberResponse.Topics(current),
    };
}

/// <summary>The webhook secret is shown once, at registration, so the receiver can verify signatures.</summary>
public sealed record SubscriberResponse(
    Guid Id, string? Email, string? WebhookUrl, string? WebhookSecret, string Interests, double Threshold, string Status, DateTimeOffset CreatedAt,
    string Mode, string TimeZone, string DigestTime, string DigestDay, string? QuietHoursStart, string? QuietHoursEnd, int? MaxMessagesPerDay,
    IReadOnlyList<string> ExcludedTopics, DateTimeOffset UpdatedAt)
{
    public static SubscriberResponse From(Subscriber s, bool includeSecret) =>
        new(s.Id, s.Email, s.WebhookUrl, includeSecret ? s.WebhookSecret : null, s.Interests, s.Threshold, s.Status, s.CreatedAt,
            s.Mode, s.TimeZone, s.DigestTime, s.DigestDay, s.QuietStart, s.QuietEnd, s.MaxPerDay, Topics(s), s.UpdatedAt);

    internal static IReadOnlyList<string> Topics(Subscriber s) => JsonSerializer.Deserialize<string[]>(s.ExcludedTopics) ?? [];
}
