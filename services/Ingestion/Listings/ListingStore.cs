using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Ingestion.Listings;

public enum AcceptOutcome
{
    Created,
    /// <summary>The same (source, externalId) with the same content was accepted before: nothing changes.</summary>
    AlreadyAccepted,
    /// <summary>The same (source, externalId) was accepted before with other content: listings are immutable.</summary>
    Conflict,
}

/// <summary>Stores listings idempotently on (source, externalId) and queues <see cref="ListingAccepted"/> in the same transaction.</summary>
public sealed class ListingStore(IngestionDatabase database, OutboxWriter<IngestionDatabase> outbox, IngestionMetrics metrics, TimeProvider clock)
{
    public async Task<(AcceptOutcome Outcome, Listing Listing)> AcceptAsync(ValidatedListing listing, CancellationToken ct)
    {
        var hash = ContentHash(listing);
        await using var uow = await database.BeginAsync(ct);
        var existing = await uow.Connection.QuerySingleOrDefaultAsync<ListingRow>(new CommandDefinition(
            $"{ListingRow.Select} WHERE source = @Source AND external_id = @ExternalId",
            new { listing.Source, listing.ExternalId }, uow.Transaction, cancellationToken: ct));
        if (existing is not null)
        {
            var outcome = existing.ContentHash == hash ? AcceptOutcome.AlreadyAccepted : AcceptOutcome.Conflict;
            metrics.Accepted(outcome);
            return (outcome, existing.ToListing());
        }

        var row = new ListingRow
        {
            Id = NewId.NextGuid(), Source = listing.Source, ExternalId = listing.ExternalId, Title = listing.Title, Abstract = listing.Abstract,
            Authors = JsonSerializer.Serialize(listing.Authors), Url = listing.Url, Tags = JsonSerializer.Serialize(listing.Tags),
            PublishedOn = listing.PublishedOn, ContentHash = hash, AcceptedAt = clock.GetUtcNow(),
        };
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO listings (id, source, external_id, title, abstract, authors, url, tags, published_on, content_hash, accepted_at)
            VALUES (@Id, @Source, @ExternalId, @Title, @Abstract, @Authors, @Url, @Tags, @PublishedOn, @ContentHash, @AcceptedAt)
            """, row, uow.Transaction, cancellationToken: ct));
        var accepted = row.ToListing();
        await outbox.AddAsync(uow, ToEvent(accepted), ct);
        await uow.CommitAsync(ct);
        metrics.Accepted(AcceptOutcome.Created);
        return (AcceptOutcome.Created, accepted);
    }

    public async Task<Listing?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ListingRow>(new CommandDefinition(
            $"{ListingRow.Select} WHERE id = @Id", new { Id = id }, cancellationToken: ct));
        return row?.ToListing();
    }

    private static ListingAccepted ToEvent(Listing listing) => new()
    {
        ListingId = listing.Id,
        Source = listing.Source,
        ExternalId = listing.ExternalId,
        Title = listing.Title,
        Abstract = listing.Abstract,
        Authors = listing.Authors,
        Url = listing.Url,
        Tags = listing.Tags,
        PublishedOn = listing.PublishedOn,
        AcceptedAt = listing.AcceptedAt,
    };

    private static string ContentHash(ValidatedListing listing) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(listing))));

    private sealed record ListingRow
    {
        public Guid Id { get; init; }
        public string Source { get; init; } = "";
        public string ExternalId { get; init; } = "";
        public string Title { get; init; } = "";
        public string? Abstract { get; init; }
        public string Authors { get; init; } = "[]";
        public string? Url { get; init; }
        public string Tags { get; init; } = "[]";
        public DateOnly? PublishedOn { get; init; }
        public string ContentHash { get; init; } = "";
        public DateTimeOffset AcceptedAt { get; init; }

        public const string Select =
            "SELECT id, source, external_id, title, abstract, authors, url, tags, published_on, content_hash, accepted_at FROM listings";

        public Listing ToListing() => new(Id, Source, ExternalId, Title, Abstract,
            JsonSerializer.Deserialize<string[]>(Authors)!, Url, JsonSerializer.Deserialize<string[]>(Tags)!, PublishedOn, AcceptedAt);
    }
}
