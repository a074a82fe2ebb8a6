using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Platform.Cli.Http;

namespace Platform.Cli.Import;

public enum InputFormat
{
    Auto,
    Jsonl,
    Rss,
    Atom,
    Arxiv,
}

/// <summary>One entry of the input: the listing to post, or why it could not be read (line or entry number in <see cref="Position"/>).</summary>
public sealed record ImportItem(int Position, ListingRequest? Listing, string? ReadError)
{
    public string Label => Listing?.ExternalId ?? $"#{Position}";
}

/// <summary>
/// Reads listings from JSONL (Platform's own listing shape and the shapes of ../shared/data), RSS 2.0, Atom and arXiv API
/// responses. Values are passed on as found (trimmed); the service validates them, so a bad entry shows up as invalid.
/// </summary>
public static partial class ListingReader
{
    public const string ArxivNamespace = "http://arxiv.org/schemas/atom";
    private static readonly XNamespace AtomNs = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace ArxivNs = ArxivNamespace;
    private static readonly XNamespace DcNs = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace ContentNs = "http://purl.org/rss/1.0/modules/content/";

    public static (InputFormat Format, IReadOnlyList<ImportItem> Items) Read(string path, InputFormat format, string? source)
    {
        if (!File.Exists(path))
            throw new CliException($"{path} does not exist.");
        var text = File.ReadAllText(path, Encoding.UTF8);
        if (format == InputFormat.Auto)
            format = DetectText(path, text);
        if (format == InputFormat.Jsonl)
            return (format, ReadJsonl(text, source));

        // An XML feed is parsed once, both to tell RSS from Atom and arXiv and to read it.
        var root = ParseXml(path, text);
        if (format == InputFormat.Auto)
            format = DetectXml(path, root);
        return (format, ReadXml(root, format, source));
    }

    public static InputFormat Detect(string path, string text)
    {
        var format = DetectText(path, text);
        return format == InputFormat.Auto ? DetectXml(path, ParseXml(path, text)) : format;
    }

    /// <summary>JSON lines from the first character (or the extension); <see cref="InputFormat.Auto"/> for XML, whose root decides.</summary>
    private static InputFormat DetectText(string path, string text)
    {
        var start = text.AsSpan().TrimStart("\uFEFF \t\r\n");
        if (start.Length > 0 && start[0] is '{')
            return InputFormat.Jsonl;
        if (start.Length > 0 && start[0] is '<')
            return InputFormat.Auto;
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".jsonl" or ".ndjson" or ".json"
            ? InputFormat.Jsonl
            : throw new CliException($"Cannot tell the format of {path}.", "Neither JSON lines nor XML; pass --format jsonl|rss|atom|arxiv.");
    }

    private static InputFormat DetectXml(string path, XElement root)
    {
        if (root.Name.LocalName.Equals("rss", StringComparison.OrdinalIgnoreCase) || root.Name.LocalName == "RDF")
            return InputFormat.Rss;
        if (root.Name == AtomNs + "feed")
        {
            var arxiv = root.Attributes().Any(a => a.IsNamespaceDeclaration && a.Value == ArxivNamespace)
                || root.Descendants().Any(e => e.Name.Namespace == ArxivNs);
            return arxiv ? InputFormat.Arxiv : InputFormat.Atom;
        }
        throw new CliException($"Cannot tell the format of {path}.", $"Its root element is <{root.Name.LocalName}>, not <rss> or an Atom <feed>; pass --format.");
    }

    private static XElement ParseXml(string path, string text)
    {
        try
        {
            return XDocument.Parse(text).Root!;
        }
        catch (XmlException ex)
        {
            throw new CliException($"{path} is not well-formed XML.", ex.Message, inner: ex);
        }
    }

    // ------------------------------------------------------------------ JSONL

    /// <summary>
    /// One JSON object per line. Recognised fields: Platform's own (<c>source, externalId, title, abstract, authors, url,
    /// tags, publishedOn</c>) and those of ../shared/data: <c>id</c> (arXiv id → externalId, url https://arxiv.org/abs/id),
    /// <c>categories</c> and <c>tags</c> (→ tags, categories first), <c>date</c> (→ publishedOn), <c>summary</c>, <c>link</c>.
    /// </summary>
    public static IReadOnlyList<ImportItem> ReadJsonl(string text, string? source)
    {
        var items = new List<ImportItem>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0)
                continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    items.Add(new ImportItem(lineNumber, null, $"line {lineNumber}: not a JSON object"));
                    continue;
                }
                items.Add(new ImportItem(lineNumber, FromJson(doc.RootElement, source), null));
            }
            catch (JsonException ex)
            {
                items.Add(new ImportItem(lineNumber, null, $"line {lineNumber}: not valid JSON ({ex.Message})"));
            }
        }
        return items;
    }

    private static ListingRequest FromJson(JsonElement o, string? source)
    {
        var id = Str(o, "externalId") ?? Str(o, "external_id") ?? Str(o, "id");
        var arxivId = Str(o, "id") is { } plain && IsArxivId(plain) ? StripVersion(plain) : null;
        var externalId = Str(o, "externalId") ?? Str(o, "external_id") ?? arxivId ?? id;
        var upvoteShape = o.TryGetProperty("upvotes", out _);
        var tags = Merge(Strings(o, "categories"), Strings(o, "tags"));
        return new ListingRequest
        {
            Source = source ?? Str(o, "source") ?? (upvoteShape ? "hf-daily-papers" : arxivId is not null ? "arxiv" : null),
            ExternalId = externalId,
            Title = Clean(Str(o, "title")),
            Abstract = Clean(Str(o, "abstract") ?? Str(o, "summary")),
            Authors = Strings(o, "authors"),
            Url = Str(o, "url") ?? Str(o, "link") ?? (arxivId is not null ? $"https://arxiv.org/abs/{arxivId}" : null),
            Tags = tags,
            PublishedOn = Date(Str(o, "publishedOn") ?? Str(o, "published_on") ?? Str(o, "date") ?? Str(o, "published")),
        };
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() is { Length: > 0 } s ? s.Trim() : null,
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static IReadOnlyList<string>? Strings(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v))
            return null;
        return v.ValueKind switch
        {
            JsonValueKind.Array => [.. v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.ToString())
                .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim())],
            // arXiv metadata dumps keep categories as one space-separated string and authors as "A, B and C".
            JsonValueKind.String when name == "authors" => [.. AuthorList().Split(v.GetString()!).Select(a => a.Trim()).Where(a => a.Length > 0)],
            JsonValueKind.String => [.. v.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            _ => null,
        };
    }

    // ------------------------------------------------------------------ XML feeds

    private static IReadOnlyList<ImportItem> ReadXml(XElement root, InputFormat format, string? source) => format switch
    {
        InputFormat.Rss => ReadRss(root, source),
        InputFormat.Atom => ReadAtom(root, source ?? "atom", arxiv: false),
        InputFormat.Arxiv => ReadAtom(root, source ?? "arxiv", arxiv: true),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>RSS 2.0 (and RSS 1.0/RDF) items: guid (else link) → externalId, description or content:encoded → abstract (HTML removed), dc:creator/author, category, pubDate/dc:date.</summary>
    public static IReadOnlyList<ImportItem> ReadRss(XElement root, string? source)
    {
        var channel = root.Elements().FirstOrDefault(e => e.Name.LocalName == "channel");
        source ??= Host(Local(channel, "link")) ?? "rss";
        var items = root.Descendants().Where(e => e.Name.LocalName == "item").ToList();
        return [.. items.Select((item, i) =>
        {
            var link = Local(item, "link");
            var guid = Local(item, "guid");
            var authors = item.Elements(DcNs + "creator").Select(e => e.Value)
                .Concat(item.Elements().Where(e => e.Name.LocalName == "author").Select(e => AuthorName(e.Value)))
                .Select(Clean).OfType<string>().ToList();
            var description = Local(item, "description") ?? item.Element(ContentNs + "encoded")?.Value;
            return new ImportItem(i + 1, new ListingRequest
            {
                Source = source,
                ExternalId = guid ?? link,
                Title = Clean(Html(Local(item, "title"))),
                Abstract = Clean(Html(description)),
                Authors = authors.Count > 0 ? authors : null,
                Url = link,
                Tags = Merge(item.Elements().Where(e => e.Name.LocalName == "category").Select(e => e.Value.Trim()).ToList(), null),
                PublishedOn = Date(Local(item, "pubDate") ?? item.Element(DcNs + "date")?.Value),
            }, null);
        })];
    }

    /// <summary>
    /// Atom entries: id → externalId (for arXiv the bare arXiv id without version), title, summary (else content),
    /// author/name, the alternate link (else the first), category/@term (arXiv's primary category first), published (else updated).
    /// </summary>
    public static IReadOnlyList<ImportItem> ReadAtom(XElement root, string source, bool arxiv)
    {
        var entries = root.Elements(AtomNs + "entry").ToList();
        return [.. entries.Select((entry, i) =>
        {
            var id = entry.Element(AtomNs + "id")?.Value.Trim();
            var links = entry.Elements(AtomNs + "link").ToList();
            var link = links.FirstOrDefault(l => (string?)l.Attribute("rel") is null or "alternate" && (string?)l.Attribute("type") is null or "text/html")
                ?? links.FirstOrDefault();
            var primary = (string?)entry.Element(ArxivNs + "primary_category")?.Attribute("term");
            var categories = entry.Elements(AtomNs + "category").Select(c => (string?)c.Attribute("term") ?? c.Value).ToList();
            var externalId = arxiv && id is not null ? ArxivIdFromUrl(id) ?? id : id;
            var authors = entry.Elements(AtomNs + "author").Select(a => Clean(a.Element(AtomNs + "name")?.Value)).OfType<string>().ToList();
            return new ImportItem(i + 1, new ListingRequest
            {
                Source = source,
                ExternalId = externalId,
                Title = Clean(Html(entry.Element(AtomNs + "title")?.Value)),
                Abstract = Clean(Html(entry.Element(AtomNs + "summary")?.Value ?? entry.Element(AtomNs + "content")?.Value)),
                Authors = authors.Count > 0 ? authors : null,
                Url = ((string?)link?.Attribute("href"))?.Trim() ?? (id is not null && id.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? id : null),
                Tags = Merge(primary is null ? null : [primary], categories),
                PublishedOn = Date(entry.Element(AtomNs + "published")?.Value ?? entry.Element(AtomNs + "updated")?.Value),
            }, null);
        })];
    }

    // ------------------------------------------------------------------ helpers

    private static string? Local(XElement? parent, string name) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name && e.Name.Namespace == parent.Name.Namespace)?.Value.Trim() is { Length: > 0 } v
            ? v
            : parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() is { Length: > 0 } w ? w : null;

    private static string? Host(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : null;

    /// <summary>RSS author is "email (Name)" by the spec; keep the name when there is one.</summary>
    private static string AuthorName(string value)
    {
        var m = Regex.Match(value, @"\(([^)]+)\)\s*$");
        return m.Success ? m.Groups[1].Value : value;
    }

    public static bool IsArxivId(string id) => ArxivIdPattern().IsMatch(id);

    private static string StripVersion(string id) => VersionSuffix().Replace(id, "");

    /// <summary>http://arxiv.org/abs/2508.13169v2 → 2508.13169 (old style too: hep-th/9901001v1 → hep-th/9901001).</summary>
    public static string? ArxivIdFromUrl(string id)
    {
        var m = ArxivAbsUrl().Match(id);
        return m.Success ? StripVersion(m.Groups[1].Value) : IsArxivId(id) ? StripVersion(id) : null;
    }

    private static IReadOnlyList<string>? Merge(IReadOnlyList<string>? first, IReadOnlyList<string>? second)
    {
        var all = (first ?? []).Concat(second ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim())
            .Distinct(StringComparer.Ordinal).ToList();
        return all.Count > 0 ? all : null;
    }

    /// <summary>Collapses the line breaks and runs of spaces feeds put in titles and abstracts.</summary>
    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return Whitespace().Replace(text, " ").Trim();
    }

    private static string? Html(string? text) =>
        text is null ? null : SpaceBeforePunctuation().Replace(Whitespace().Replace(WebUtility.HtmlDecode(Tags().Replace(text, " ")), " "), "$1");

    /// <summary>yyyy-MM-dd from an ISO 8601 date or timestamp, or an RFC 822 date (RSS); null when it is neither.</summary>
    public static string? Date(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp))
            return stamp.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // RFC 822 with a zone name (e.g. "Tue, 10 Jun 2003 04:00:00 GMT" or "... EST"): the date part is enough.
        var m = Rfc822Date().Match(text);
        if (m.Success && DateTime.TryParseExact($"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}", ["d MMM yyyy", "d MMM yy"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return null;
    }

    [GeneratedRegex(@"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")]
    private static partial Regex ArxivIdPattern();

    [GeneratedRegex(@"v\d+$")]
    private static partial Regex VersionSuffix();

    [GeneratedRegex(@"arxiv\.org/abs/(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ArxivAbsUrl();

    [GeneratedRegex(@",|\band\b")]
    private static partial Regex AuthorList();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\s+([.,;:!?])")]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})")]
    private static partial Regex Rfc822Date();
}
