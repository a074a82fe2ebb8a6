using System.Text.Json;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Ingestion.Listings;

/// <summary>
/// Publishes <see cref="ListingRejected"/> through ingestion's outbox, once per submission message id: for listings that
/// fail validation (<see cref="SubmitListingConsumer"/>) and for bodies that cannot be read as a listing at all
/// (<see cref="SubmissionFaultObserver"/>).
/// </summary>
public sealed class ListingRejections(IngestionDatabase database, OutboxWriter<IngestionDatabase> outbox, TimeProvider clock)
{
    private const string InboxName = "listing-rejected";

    public async Task RejectAsync(string? source, string? externalId, string? url, Guid? messageId, IReadOnlyList<string> reasons, CancellationToken ct)
    {
        await using var uow = await database.BeginAsync(ct);
        // A redelivered submission (the broker lost our ack) is rejected once.
        if (messageId is { } id && !await uow.TryClaimAsync(id, InboxName, ct))
            return;
        await outbox.AddAsync(uow, new ListingRejected
        {
            Source = source, ExternalId = externalId, Url = url, SubmissionMessageId = messageId, Reasons = reasons,
            RejectedAt = clock.GetUtcNow(),
        }, ct);
        await uow.CommitAsync(ct);
    }

    /// <summary>
    /// What can be read of a submission whose body did not deserialize: source, externalId and url when the body is a
    /// JSON object (plain, or MassTransit's envelope with the listing in <c>message</c>), nothing otherwise.
    /// </summary>
    public static (string? Source, string? ExternalId, string? Url) Identify(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var listing = document.RootElement;
            if (listing.ValueKind == JsonValueKind.Object && TryGet(listing, "message") is { ValueKind: JsonValueKind.Object } message
                && TryGet(listing, "messageType") is not null)
                listing = message;
            return listing.ValueKind == JsonValueKind.Object
                ? (Text(listing, "source"), Text(listing, "externalId"), Text(listing, "url"))
                : (null, null, null);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static JsonElement? TryGet(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        TryGet(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
