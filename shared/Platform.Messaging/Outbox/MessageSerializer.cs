using System.Text.Json;

namespace Platform.Messaging;

/// <summary>How outbox rows store messages: the contract's type name and its JSON.</summary>
public static class MessageSerializer
{
    private static readonly JsonSerializerOptions Json = WireFormat.ContractOptions;

    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static string Serialize(object message, Type type) => JsonSerializer.Serialize(message, type, Json);

    public static (object Message, Type Type) Deserialize(string typeName, string body)
    {
        var type = Type.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"Outbox message type '{typeName}' is not known to this service.");
        return (JsonSerializer.Deserialize(body, type, Json)!, type);
    }
}
