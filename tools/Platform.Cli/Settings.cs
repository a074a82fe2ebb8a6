using System.CommandLine;

namespace Platform.Cli;

/// <summary>Where the services and the broker are, resolved from the global options, then the environment, then the defaults.</summary>
public sealed record Settings(Uri Ingestion, Uri Embedding, Uri Scoring, Uri Notification, string? ApiKey, Uri Amqp, bool AmqpGiven)
{
    public const string DefaultUrl = "http://localhost:5080";
    public const string DefaultAmqp = "amqp://guest:guest@localhost:5672/";

    public Uri For(string service) => service switch
    {
        "ingestion" => Ingestion,
        "embedding" => Embedding,
        "scoring" => Scoring,
        "notification" => Notification,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };
}

/// <summary>The options every command takes (recursive, so they may stand before or after the command).</summary>
public sealed class GlobalOptions
{
    public Option<string?> IngestionUrl { get; } = Url("--ingestion-url", "PLATFORM_INGESTION_URL", "ingestion");
    public Option<string?> EmbeddingUrl { get; } = Url("--embedding-url", "PLATFORM_EMBEDDING_URL", "embedding");
    public Option<string?> ScoringUrl { get; } = Url("--scoring-url", "PLATFORM_SCORING_URL", "scoring");
    public Option<string?> NotificationUrl { get; } = Url("--notification-url", "PLATFORM_NOTIFICATION_URL", "notification");

    public Option<string?> Url_ { get; } = new("--url")
    {
        Description = $"Base URL of all four services at once (env PLATFORM_URL; default {Settings.DefaultUrl}, the all-in-one host); the per-service options win",
        Recursive = true,
        HelpName = "url",
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "API key sent as X-Api-Key: a publisher key for import, an admin key for the admin endpoints (env PLATFORM_API_KEY)",
        Recursive = true,
        HelpName = "key",
    };

    public Option<string?> Amqp { get; } = new("--amqp")
    {
        Description = $"RabbitMQ URL for the errors commands (env PLATFORM_AMQP_URL; default {Settings.DefaultAmqp})",
        Recursive = true,
        HelpName = "url",
    };

    public IEnumerable<Option> All => [IngestionUrl, EmbeddingUrl, ScoringUrl, NotificationUrl, Url_, ApiKey, Amqp];

    private static Option<string?> Url(string name, string variable, string service) => new(name)
    {
        Description = $"Base URL of the {service} service (env {variable}; default --url, then {Settings.DefaultUrl})",
        Recursive = true,
        HelpName = "url",
    };

    public Settings Resolve(ParseResult parse, Func<string, string?> env)
    {
        string? Value(Option<string?> option, string variable) =>
            NotEmpty(parse.GetValue(option)) ?? NotEmpty(env(variable));

        var common = Value(Url_, "PLATFORM_URL") ?? Settings.DefaultUrl;
        Uri Service(Option<string?> option, string variable) => ParseUrl(Value(option, variable) ?? common, option.Name, "http", "https");

        var amqpText = Value(Amqp, "PLATFORM_AMQP_URL");
        return new Settings(
            Service(IngestionUrl, "PLATFORM_INGESTION_URL"),
            Service(EmbeddingUrl, "PLATFORM_EMBEDDING_URL"),
            Service(ScoringUrl, "PLATFORM_SCORING_URL"),
            Service(NotificationUrl, "PLATFORM_NOTIFICATION_URL"),
            Value(ApiKey, "PLATFORM_API_KEY"),
            ParseUrl(amqpText ?? Settings.DefaultAmqp, Amqp.Name, "amqp", "amqps"),
            amqpText is not null);
    }

    private static string? NotEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri ParseUrl(string text, string option, params string[] schemes)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase))
            return uri;
        throw new CliException($"{option}: '{text}' is not an absolute {string.Join(" or ", schemes)} URL.");
    }
}
