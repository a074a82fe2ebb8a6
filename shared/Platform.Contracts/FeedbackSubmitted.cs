namespace Platform.Contracts;

public enum FeedbackKind
{
    Like,
    Dismiss,
    Click,
    /// <summary>The subscriber preferred <see cref="FeedbackSubmitted.ListingId"/> over <see cref="FeedbackSubmitted.OverListingId"/>.</summary>
    Prefer,
}

/// <summary>A subscriber reacted to a listing we sent them.</summary>
[ExchangeName("feedback-submitted")]
public sealed record FeedbackSubmitted
{
    public required Guid FeedbackId { get; init; }
    public required Guid SubscriberId { get; init; }
    public required Guid ListingId { get; init; }
    public required FeedbackKind Kind { get; init; }
    /// <summary>Only for <see cref="FeedbackKind.Prefer"/>: the listing that lost the comparison.</summary>
    public Guid? OverListingId { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
}
