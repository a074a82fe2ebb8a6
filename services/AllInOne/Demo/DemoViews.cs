namespace Platform.AllInOne.Demo;

// The slices of the services' API responses that the demo prints.
public sealed record SubscriberView(Guid Id, string? Email, string Interests, double Threshold);

public sealed record ListingView(Guid Id, string Title);

public sealed record MatchView(Guid SubscriberId, double Score);

public sealed record ScoredView(Guid ListingId, string Title, string ModelVersion, List<MatchView> Matches);

public sealed record DeliveryView(Guid ListingId, string Channel, string Title, double Score, string Status);
