using Platform.Scoring.Rewards;

namespace Platform.Scoring.Feedback;

/// <summary>One stored feedback event as the quality model sees it: its kind (<c>Like</c>, <c>Click</c>, <c>Dismiss</c>, <c>Prefer</c>) and listing(s).</summary>
public readonly record struct FeedbackRow(string Kind, Guid ListingId, Guid? OverListingId);

/// <summary>
/// What the global quality network is trained on: every subscriber's feedback pooled per listing — a like or click
/// counts as positive, a dismissal as negative, "A over B" as positive for A and negative for B — keeping listings
/// whose vectors scoring has stored, in the order they first appear. The trainer and the evaluation both use it.
/// </summary>
public static class QualityFeedback
{
    public static List<ListingFeedback> Aggregate(IEnumerable<FeedbackRow> rows, IReadOnlyDictionary<Guid, float[]> vectors)
    {
        var counts = new Dictionary<Guid, (float Pos, float Neg)>();
        void Count(Guid listing, bool positive)
        {
            var (p, n) = counts.GetValueOrDefault(listing);
            counts[listing] = positive ? (p + 1, n) : (p, n + 1);
        }

        foreach (var (kind, listing, over) in rows)
        {
            switch (kind)
            {
                case "Like" or "Click":
                    Count(listing, true);
                    break;
                case "Dismiss":
                    Count(listing, false);
                    break;
                case "Prefer" when over is not null:
                    Count(listing, true);
                    Count(over.Value, false);
                    break;
            }
        }

        return [.. counts.Where(c => vectors.ContainsKey(c.Key)).Select(c => new ListingFeedback(vectors[c.Key], c.Value.Pos, c.Value.Neg))];
    }
}
