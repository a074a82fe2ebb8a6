namespace Platform.Contracts;

/// <summary>
/// Ingestion refused a submitted listing: its body was not valid JSON, or the listing failed validation. The submission
/// itself sits in ingestion's <c>submit-listing_error</c> queue with the same reasons in its fault headers.
/// </summary>
[ExchangeName("listing-rejected")]
public sealed record ListingRejected
{
    /// <summary>The submission's <c>source</c>, when the body could be read and had one.</summary>
    public string? Source { get; init; }
    /// <summary>The submission's <c>externalId</c>, when the body could be read and had one.</summary>
    public string? ExternalId { get; init; }
    /// <summary>The submission's <c>url</c>, when the body could be read and had one.</summary>
    public string? Url { get; init; }
    /// <summary>The message id the submission travelled under (AMQP <c>message-id</c>), when it had one.</summary>
    public Guid? SubmissionMessageId { get; init; }
    /// <summary>Why it was refused, e.g. <c>url: Must be an absolute http or https URL.</c> or <c>Body is not valid JSON: ...</c>.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
    public required DateTimeOffset RejectedAt { get; init; }
}
