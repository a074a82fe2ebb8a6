using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace Platform.Messaging;

/// <summary>
/// How Platform's events travel, for any language: the body is the event itself as plain JSON
/// (<c>content-type: application/json</c>, camelCase, enums as strings, nulls left out), and MassTransit's metadata
/// rides in AMQP properties and headers (<c>message-id</c>, <c>MessageId</c>, <c>MT-MessageType</c>, ...).
/// </summary>
public static class WireFormat
{
    /// <summary>The content type of a plain JSON message.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>The content type of a message in MassTransit's envelope (still accepted everywhere).</summary>
    public const string EnvelopeContentType = "application/vnd.masstransit+json";

    /// <summary>
    /// Outbound: message id, type, conversation and host as transport headers. Inbound: a body whose
    /// <c>MT-MessageType</c> header names other types is not dispatched to a consumer of this type; a body without the
    /// header (from a non-.NET publisher) goes to the endpoint's consumers. <see cref="RawSerializerOptions.AnyMessageType"/>
    /// is deliberately off: on an endpoint with several message types it would hand every message to all of them.
    /// </summary>
    public const RawSerializerOptions RawOptions = RawSerializerOptions.AddTransportHeaders | RawSerializerOptions.CopyHeaders;

    /// <summary>
    /// The JSON of a contract's payload as other languages see it: camelCase names, enums as strings, ISO 8601 dates.
    /// The bus (MassTransit's System.Text.Json options plus <see cref="JsonStringEnumConverter"/>) and the outbox write
    /// the same shape; docs/schemas/*.json are generated from these options.
    /// </summary>
    public static JsonSerializerOptions ContractOptions { get; } = CreateContractOptions();

    private static JsonSerializerOptions CreateContractOptions()
    {
        // Web defaults (camelCase, case-insensitive reading) but numbers strictly as JSON numbers: what a publisher must write.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
