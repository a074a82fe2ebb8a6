using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Ingestion.Listings;

/// <summary>
/// Accepts listings sent over the bus, enveloped or as plain JSON; invalid ones publish <see cref="ListingRejected"/> and
/// fault straight to the error queue with the reasons.
/// </summary>
public sealed class SubmitListingConsumer(
    ListingValidator validator, ListingStore store, ListingRejections rejections, ILogger<SubmitListingConsumer> logger)
    : IConsumer<ListingSubmitted>
{
    public async Task Consume(ConsumeContext<ListingSubmitted> context)
    {
        var m = context.Message;
        var listing = validator.Validate(new ListingRequest
        {
            Source = m.Source, ExternalId = m.ExternalId, Title = m.Title, Abstract = m.Abstract,
            Authors = m.Authors, Url = m.Url, Tags = m.Tags, PublishedOn = m.PublishedOn,
        }, out var errors);
        if (listing is null)
        {
            var reasons = errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}").ToList();
            await rejections.RejectAsync(m.Source, m.ExternalId, m.Url, context.MessageId, reasons, context.CancellationToken);
            throw new InvalidMessageException("Listing rejected: " + string.Join("; ", reasons));
        }

        var (outcome, stored) = await store.AcceptAsync(listing, context.CancellationToken);
        if (outcome == AcceptOutcome.Conflict)
            logger.LogWarning("Ignored a changed re-submission of listing {ListingId} ({Source}/{ExternalId})", stored.Id, stored.Source, stored.ExternalId);
    }
}
