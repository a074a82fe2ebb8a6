namespace Platform.Scoring.Models;

/// <summary>Cosine similarity between a subscriber's interest vector and a listing.</summary>
public readonly record struct SubscriberScore(Guid SubscriberId, float Score);
