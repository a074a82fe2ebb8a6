using System.Text.Json;
using Dapper;
using MassTransit;
using Platform.Contracts;

namespace Platform.Notification.Catalogue;

/// <summary>
/// A small copy of accepted listings (title, abstract, url, tags) so emails can show an abstract and excluded topics
/// can match tags: <see cref="ListingScored"/> carries neither.
/// </summary>
public sealed class ListingCatalogue(NotificationDatabase database)
{
    public async Task AddAsync(ListingAccepted listing, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO listings (listing_id, title, abstract, url, tags, accepted_at)
            VALUES (@ListingId, @Title, @Abstract, @Url, @Tags, @AcceptedAt)
            """,
            new { listing.ListingId, listing.Title, listing.Abstract, listing.Url, Tags = JsonSerializer.Serialize(listing.Tags), listing.AcceptedAt },
            cancellationToken: ct));
    }

    public async Task<IReadOnlyList<string>> TagsAsync(Guid listingId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var tags = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT tags FROM listings WHERE listing_id = @ListingId", new { ListingId = listingId }, cancellationToken: ct));
        return tags is null ? [] : JsonSerializer.Deserialize<string[]>(tags) ?? [];
    }
}

/// <summary>Keeps the <see cref="ListingCatalogue"/> (endpoint <c>catalogue-listing</c>); storing is idempotent, so no inbox is needed.</summary>
public sealed class CatalogueListingConsumer(ListingCatalogue catalogue) : IConsumer<ListingAccepted>
{
    public Task Consume(ConsumeContext<ListingAccepted> context) => catalogue.AddAsync(context.Message, context.CancellationToken);
}
