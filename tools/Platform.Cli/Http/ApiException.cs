using System.Net;
using System.Text.Json;

namespace Platform.Cli.Http;

/// <summary>An HTTP call answered with an error status: the RFC 9457 problem details' title and detail when there are any.</summary>
public sealed class ApiException(HttpStatusCode status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : CliException(title, detail)
{
    public HttpStatusCode Status { get; } = status;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The reason in one line: <c>title: detail (field: error; ...)</c>.</summary>
    public string Summary =>
        string.Join(" ", new[] { Title, Detail, Errors.Count == 0 ? null : string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) }
            .Where(s => !string.IsNullOrWhiteSpace(s)));

    public static async Task<ApiException> FromAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var status = response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException)
        {
            body = "";
        }

        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>();
        if (body.Length > 0 && body.TrimStart().StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                title = Text(root, "title");
                detail = Text(root, "detail");
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Select(v => v.ToString())]
                            : [field.Value.ToString()];
                    }
                }
            }
            catch (JsonException)
            {
            }
        }

        title ??= $"{what}: HTTP {(int)status} {response.ReasonPhrase ?? status.ToString()}";
        detail ??= status switch
        {
            HttpStatusCode.Unauthorized => "The API key is missing or not valid: pass --api-key or set PLATFORM_API_KEY.",
            HttpStatusCode.Forbidden => "The API key does not have the role this needs (publisher for import, admin for the admin endpoints).",
            HttpStatusCode.NotFound => $"{response.RequestMessage?.RequestUri} does not exist (an older service version, or the wrong URL?).",
            _ when body.Length > 0 && !body.TrimStart().StartsWith('{') => Excerpt(body, 300),
            _ => null,
        };
        return new ApiException(status, title, detail, errors);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string Excerpt(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
