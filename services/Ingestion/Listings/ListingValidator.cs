using Platform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Platform.Ingestion.Listings;

/// <summary>Checks a listing and normalises it (trimmed text, NUL bytes removed); errors are keyed by field for problem details.</summary>
public sealed class ListingValidator(IOptions<IngestionOptions> options)
{
    private readonly IngestionOptions _limits = options.Value;

    public ValidatedListing? Validate(ListingRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var source = Required(errors, "source", request.Source, _limits.MaxSourceLength);
        var externalId = Required(errors, "externalId", request.ExternalId, _limits.MaxExternalIdLength);
        var title = Required(errors, "title", request.Title, _limits.MaxTitleLength);
        var summary = Optional(errors, "abstract", request.Abstract, _limits.MaxAbstractLength);
        var authors = List(errors, "authors", request.Authors, _limits.MaxAuthors, _limits.MaxAuthorLength);
        var tags = List(errors, "tags", request.Tags, _limits.MaxTags, _limits.MaxTagLength);
        var url = Optional(errors, "url", request.Url, _limits.MaxUrlLength);
        if (url is not null && !IsWebUrl(url))
            errors["url"] = ["Must be an absolute http or https URL."];

        return errors.Count > 0
            ? null
            : new ValidatedListing(source!, externalId!, title!, summary, authors, url, tags, request.PublishedOn);
    }

    private static bool IsWebUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    private static string? Required(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        var text = InputText.Clean(value);
        if (text is null)
        {
            errors[field] = ["Is required."];
            return null;
        }
        return Limit(errors, field, text, maxLength);
    }

    private static string? Optional(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        var text = InputText.Clean(value);
        return text is null ? null : Limit(errors, field, text, maxLength);
    }

    private static string? Limit(Dictionary<string, string[]> errors, string field, string text, int maxLength)
    {
        if (text.Length <= maxLength)
            return text;
        errors[field] = [$"Must be at most {maxLength} characters (got {text.Length})."];
        return null;
    }

    private static IReadOnlyList<string> List(Dictionary<string, string[]> errors, string field, IReadOnlyList<string>? values, int maxItems, int maxLength)
    {
        if (values is null)
            return [];
        if (values.Count > maxItems)
        {
            errors[field] = [$"Must have at most {maxItems} entries (got {values.Count})."];
            return [];
        }
        var cleaned = values.Select(InputText.Clean).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var tooLong = cleaned.FirstOrDefault(v => v.Length > maxLength);
        if (tooLong is not null)
            errors[field] = [$"Each entry must be at most {maxLength} characters (one has {tooLong.Length})."];
        return cleaned;
    }

}

public sealed record ValidatedListing(
    string Source,
    string ExternalId,
    string Title,
    string? Abstract,
    IReadOnlyList<string> Authors,
    string? Url,
    IReadOnlyList<string> Tags,
    DateOnly? PublishedOn);
