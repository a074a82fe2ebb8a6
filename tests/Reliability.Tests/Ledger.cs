using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reliability.Tests;

/// <summary>One check of the ledger: how many entries were expected, found, lost, duplicated and unexpected, with examples.</summary>
public sealed record LedgerLine(string Check, int Expected, int Found, int Lost, int Duplicated, int Unexpected, IReadOnlyList<string> Examples)
{
    public bool Passed => Lost == 0 && Duplicated == 0 && Unexpected == 0;
}

/// <summary>Everything the ledger compares: what the publisher was told, what the stores hold, what consumers and webhooks saw.</summary>
public sealed record LedgerInput
{
    public required IReadOnlyDictionary<string, PublishedListing> Published { get; init; }
    public required IReadOnlyDictionary<string, string> Refused { get; init; }
    public required IReadOnlyList<PaperListing> BusSubmitted { get; init; }
    public required IReadOnlyList<Stores.ListingRow> Listings { get; init; }
    public required IReadOnlyList<string> Embedded { get; init; }
    public required IReadOnlyList<Stores.ScoredRow> Scored { get; init; }
    public required IReadOnlyList<Stores.DeliveryRow> Deliveries { get; init; }
    public required IReadOnlyDictionary<Guid, double> Thresholds { get; init; }
    public required IReadOnlyCollection<TappedEvent> AcceptedEvents { get; init; }
    public required IReadOnlyCollection<TappedEvent> EmbeddedEvents { get; init; }
    public required IReadOnlyCollection<TappedEvent> ScoredEvents { get; init; }
    public required IReadOnlyCollection<WebhookArrival> Webhooks { get; init; }
    public required IReadOnlyList<PoisonMessage> Poison { get; init; }
    public required IReadOnlyList<DeadLetter> DeadLetters { get; init; }
    public required IReadOnlyDictionary<string, string> Integrity { get; init; }
}

/// <summary>
/// The ledger: every accepted listing stored once, embedded once, scored once per model version; every deserved webhook
/// delivered once; nothing else; poison dead-lettered with a reason; every store intact.
/// </summary>
public sealed class Ledger
{
    private Ledger(IReadOnlyList<LedgerLine> lines, int repeatedWebhooks, int deserved)
    {
        Lines = lines;
        RepeatedWebhookRequests = repeatedWebhooks;
        DeservedDeliveries = deserved;
    }

    public IReadOnlyList<LedgerLine> Lines { get; }

    /// <summary>Webhook requests that repeated a delivery id already received (a delivery retried after a crash); receivers deduplicate them by <c>X-Platform-Delivery</c>.</summary>
    public int RepeatedWebhookRequests { get; }

    public int DeservedDeliveries { get; }

    public int Lost => Lines.Sum(l => l.Lost);

    public int Duplicated => Lines.Sum(l => l.Duplicated);

    public int Unexpected => Lines.Sum(l => l.Unexpected);

    public bool Passed => Lines.All(l => l.Passed);

    public string Summary => $"lost = {Lost}, duplicated = {Duplicated}, unexpected = {Unexpected}";

    public static Ledger Check(LedgerInput input)
    {
        var lines = new List<LedgerLine>();
        var poisonIds = input.Poison.Select(p => p.MessageId).ToHashSet(StringComparer.Ordinal);

        // ------------------------------------------------ listings: publisher's view against ingestion's store
        var expectedKeys = input.Published.Keys.Concat(input.BusSubmitted.Select(ListingPublisher.Key)).ToHashSet(StringComparer.Ordinal);
        var stored = input.Listings.GroupBy(l => $"{l.Source}/{l.ExternalId}", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var wrongId = input.Published.Where(p => stored.TryGetValue(p.Key, out var rows) && rows.All(r => !SameId(r.Id, p.Value.ListingId))).Select(p => p.Key).ToList();
        lines.Add(Line("listings stored by ingestion", expectedKeys, stored.Keys,
            duplicated: stored.Where(s => s.Value.Count > 1).Select(s => s.Key).Concat(wrongId).ToList()));
        if (input.Refused.Count > 0)
            lines.Add(new LedgerLine("listings refused by ingestion", 0, input.Refused.Count, 0, 0, input.Refused.Count,
                [.. input.Refused.Take(5).Select(r => $"{r.Key}: {r.Value}")]));

        var listingIds = input.Listings.Select(l => Guid.Parse(l.Id)).ToHashSet();
        lines.Add(EventLine("listing-accepted events (one message id each)", listingIds, input.AcceptedEvents, poisonIds));

        // ------------------------------------------------ embeddings
        lines.Add(Line("embeddings stored", listingIds.Select(Text).ToHashSet(StringComparer.Ordinal),
            input.Embedded.Select(Normal).ToList(), duplicated: Repeated(input.Embedded.Select(Normal))));
        lines.Add(EventLine("listing-embedded events (one message id each)", listingIds, input.EmbeddedEvents, poisonIds));

        // ------------------------------------------------ scored results, per model version
        var versions = input.Scored.Select(s => s.ModelVersion).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var version in versions.DefaultIfEmpty("(none)"))
        {
            var rows = input.Scored.Where(s => s.ModelVersion == version).Select(s => Normal(s.ListingId)).ToList();
            lines.Add(Line($"scored results, model {version}", listingIds.Select(Text).ToHashSet(StringComparer.Ordinal), rows, duplicated: Repeated(rows)));
        }

        lines.Add(EventLine("listing-scored events (one message id per listing and model)", listingIds, input.ScoredEvents, poisonIds,
            byVersion: true));

        // ------------------------------------------------ deliveries: deserved by the scores against received by the webhooks
        var deserved = new HashSet<(Guid Subscriber, Guid Listing)>();
        foreach (var row in input.Scored)
        {
            using var matches = JsonDocument.Parse(row.Matches);
            foreach (var match in matches.RootElement.EnumerateArray())
            {
                var subscriber = match.GetProperty("subscriberId").GetGuid();
                if (input.Thresholds.TryGetValue(subscriber, out var threshold) && match.GetProperty("score").GetDouble() >= threshold)
                    deserved.Add((subscriber, Guid.Parse(row.ListingId)));
            }
        }

        var received = input.Webhooks.GroupBy(w => (w.SubscriberId, w.ListingId)).ToDictionary(g => g.Key, g => g.ToList());
        var pairs = received.Keys.Select(k => $"{k.SubscriberId:D}/{k.ListingId:D}");
        lines.Add(Line("webhook deliveries (subscriber, listing)",
            deserved.Select(d => $"{d.Subscriber:D}/{d.Listing:D}").ToHashSet(StringComparer.Ordinal), pairs.ToList(),
            duplicated: received.Where(r => r.Value.Select(w => w.DeliveryId).Distinct().Count() > 1).Select(r => $"{r.Key.SubscriberId:D}/{r.Key.ListingId:D}").ToList()));
        var repeated = input.Webhooks.Count - input.Webhooks.Select(w => w.DeliveryId).Distinct().Count();

        var logged = input.Deliveries.Where(d => d.Channel == "Webhook").ToList();
        lines.Add(Line("delivery log rows marked delivered",
            deserved.Select(d => $"{d.Subscriber:D}/{d.Listing:D}").ToHashSet(StringComparer.Ordinal),
            logged.Where(d => d.Status == "delivered").Select(d => $"{Normal(d.SubscriberId)}/{Normal(d.ListingId)}").ToList(),
            duplicated: Repeated(logged.Select(d => $"{Normal(d.SubscriberId)}/{Normal(d.ListingId)}"))));

        // ------------------------------------------------ poison: dead-lettered with a reason, and nothing else there
        var letters = input.DeadLetters;
        var poisonFound = input.Poison.Where(p => letters.Any(l => l.MessageId == p.MessageId && l.Queue == p.ExpectedQueue && l.Reason.Length > 0)).ToList();
        var poisonEffects = input.Poison.Where(p => stored.ContainsKey($"reliability/{p.ExternalId}")).Select(p => $"{p.Kind} was accepted").ToList();
        lines.Add(new LedgerLine("poison messages dead-lettered with a reason", input.Poison.Count, poisonFound.Count,
            input.Poison.Count - poisonFound.Count, 0, poisonEffects.Count,
            [.. input.Poison.Except(poisonFound).Select(p => $"{p.Kind} ({p.MessageId}) not in {p.ExpectedQueue} with a reason"), .. poisonEffects]));
        var strays = letters.Where(l => !poisonIds.Contains(l.MessageId)).ToList();
        lines.Add(new LedgerLine("dead letters that are not poison", 0, strays.Count, 0, 0, strays.Count,
            [.. strays.Take(5).Select(l => $"{l.Queue} {l.MessageId}: {l.Reason}")]));

        // ------------------------------------------------ stores
        var broken = input.Integrity.Where(i => i.Value != "ok").ToList();
        lines.Add(new LedgerLine("PRAGMA integrity_check = ok", input.Integrity.Count, input.Integrity.Count - broken.Count, broken.Count, 0, 0,
            [.. broken.Select(b => $"{b.Key}: {b.Value}")]));

        return new Ledger(lines, repeated, deserved.Count);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| check | expected | found | lost | duplicated | unexpected |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var line in Lines)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {line.Check} | {line.Expected:N0} | {line.Found:N0} | {line.Lost} | {line.Duplicated} | {line.Unexpected} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **total** | | | **{Lost}** | **{Duplicated}** | **{Unexpected}** |");
        foreach (var line in Lines.Where(l => l.Examples.Count > 0))
            text.AppendLine(CultureInfo.InvariantCulture, $"\n{line.Check}: {string.Join("; ", line.Examples)}");
        return text.ToString();
    }

    private static LedgerLine Line(string check, IReadOnlySet<string> expected, IEnumerable<string> found, IReadOnlyList<string> duplicated)
    {
        var foundSet = found.ToHashSet(StringComparer.Ordinal);
        var lost = expected.Where(e => !foundSet.Contains(e)).ToList();
        var unexpected = foundSet.Where(f => !expected.Contains(f)).ToList();
        return new LedgerLine(check, expected.Count, foundSet.Count, lost.Count, duplicated.Count, unexpected.Count, Examples(lost, duplicated, unexpected));
    }

    /// <summary>Events per listing: exactly one distinct message id (copies of that one message are redeliveries, not effects).</summary>
    private static LedgerLine EventLine(string check, IReadOnlySet<Guid> listings, IReadOnlyCollection<TappedEvent> events, IReadOnlySet<string> poison,
        bool byVersion = false)
    {
        var relevant = events.Where(e => !poison.Contains(e.MessageId)).ToList();
        var keys = relevant.GroupBy(e => byVersion ? $"{e.ListingId:D}@{e.ModelVersion}" : $"{e.ListingId:D}")
            .ToDictionary(g => g.Key, g => g.Select(e => e.MessageId).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        var seen = relevant.Select(e => e.ListingId).ToHashSet();
        var lost = listings.Where(l => !seen.Contains(l)).ToList();
        var duplicated = keys.Where(k => k.Value > 1).Select(k => k.Key).ToList();
        var unexpected = seen.Where(l => !listings.Contains(l)).ToList();
        return new LedgerLine(check, listings.Count, seen.Count, lost.Count, duplicated.Count, unexpected.Count,
            Examples(lost.Select(Text), duplicated, unexpected.Select(Text)));
    }

    /// <summary>A few entries of each kind, to start looking from.</summary>
    private static List<string> Examples(IEnumerable<string> lost, IEnumerable<string> duplicated, IEnumerable<string> unexpected) =>
        [.. lost.Take(3).Select(l => $"lost {l}"), .. duplicated.Take(3).Select(d => $"duplicated {d}"), .. unexpected.Take(3).Select(u => $"unexpected {u}")];

    private static List<string> Repeated(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

    private static bool SameId(string stored, Guid id) => Guid.TryParse(stored, out var parsed) && parsed == id;

    private static string Normal(string id) => Guid.TryParse(id, out var parsed) ? Text(parsed) : id;

    private static string Text(Guid id) => id.ToString("D");
}
