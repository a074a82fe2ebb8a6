using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Scoring.Feedback;

/// <summary>Stores each feedback event once (inbox) and hands the subscriber to the background trainer; never trains inline.</summary>
public sealed class FeedbackConsumer(ScoringDatabase database, FeedbackTrainer trainer) : IConsumer<FeedbackSubmitted>
{
    public async Task Consume(ConsumeContext<FeedbackSubmitted> context)
    {
        var m = context.Message;
        if (m.Kind == FeedbackKind.Prefer && (m.OverListingId is null || m.OverListingId == m.ListingId))
            throw new InvalidMessageException($"Feedback {m.FeedbackId}: Prefer needs an overListingId different from listingId.");
        if (m.Kind != FeedbackKind.Prefer && m.OverListingId is not null)
            throw new InvalidMessageException($"Feedback {m.FeedbackId}: overListingId is only for Prefer.");

        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(FeedbackConsumer)))
            return;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO feedback (feedback_id, subscriber_id, listing_id, kind, over_listing_id, submitted_at)
            VALUES (@FeedbackId, @SubscriberId, @ListingId, @Kind, @OverListingId, @SubmittedAt)
            """,
            new { m.FeedbackId, m.SubscriberId, m.ListingId, Kind = m.Kind.ToString(), m.OverListingId, m.SubmittedAt },
            uow.Transaction, cancellationToken: context.CancellationToken));
        uow.AfterCommit(() => trainer.Enqueue(m.SubscriberId));
        await uow.CommitAsync(context.CancellationToken);
    }
}
