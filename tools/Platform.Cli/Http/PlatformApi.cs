using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Cli.Http;

/// <summary>The services' HTTP APIs as the CLI uses them: absolute URLs, the API key header, problem details as errors.</summary>
public sealed class PlatformApi : IDisposable
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly HttpClient _http;

    public PlatformApi(Settings settings, Func<HttpMessageHandler>? handler = null)
    {
        Settings = settings;
        _http = new HttpClient(handler?.Invoke() ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("platform-cli/1.0");
        if (settings.ApiKey is not null)
            _http.DefaultRequestHeaders.TryAddWithoutValidation(ApiKeyHeader, settings.ApiKey);
    }

    public Settings Settings { get; }

    /// <summary>Per-request time limit (the backup download has none of its own: it streams).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public static Uri Combine(Uri baseUrl, string relative) =>
        new(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), relative.TrimStart('/'));

    /// <summary>Sends a request; connection failures become a <see cref="CliException"/> naming the service. The caller owns the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, object? body, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? RequestTimeout);
        try
        {
            return await _http.SendAsync(request, completion, limit.Token);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(url, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"{method} {url} timed out.", $"No answer within {(timeout ?? RequestTimeout).TotalSeconds:0} s.", inner: ex);
        }
    }

    public static CliException Unreachable(Uri url, Exception ex) =>
        new($"Cannot reach {url.GetLeftPart(UriPartial.Authority)}.",
            $"{ex.Message} Is Platform running there? The embedded default is `dotnet run --project services/AllInOne` on {Settings.DefaultUrl}; " +
            "point the CLI elsewhere with --url or --ingestion-url/--embedding-url/--scoring-url/--notification-url.", inner: ex);

    /// <summary>GET and read JSON; 404 gives null when <paramref name="notFoundIsNull"/>, every other error status throws <see cref="ApiException"/>.</summary>
    public async Task<T?> GetAsync<T>(Uri url, string what, CancellationToken ct, bool notFoundIsNull = false) where T : class
    {
        using var response = await SendAsync(HttpMethod.Get, url, null, ct);
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            return null;
        if (!response.IsSuccessStatusCode)
            throw await ApiException.FromAsync(response, what, ct);
        return await response.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new CliException($"{what}: the answer of {url} was empty.");
    }

    /// <summary>POST JSON and read JSON back; every error status throws <see cref="ApiException"/>.</summary>
    public async Task<T> PostAsync<T>(Uri url, object body, string what, CancellationToken ct) where T : class
    {
        using var response = await SendAsync(HttpMethod.Post, url, body, ct);
        if (!response.IsSuccessStatusCode)
            throw await ApiException.FromAsync(response, what, ct);
        return await response.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new CliException($"{what}: the answer of {url} was empty.");
    }

    public void Dispose() => _http.Dispose();
}
