using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Platform.Contracts;
using Platform.Messaging;

namespace Shared.Tests.Contracts;

/// <summary>
/// docs/schemas/&lt;exchange&gt;.json (referenced from docs/asyncapi.yaml) must be the JSON Schema of the C# record as it
/// travels: generated with System.Text.Json's <see cref="JsonSchemaExporter"/> and the wire options
/// (<see cref="WireFormat.ContractOptions"/>: camelCase, enums as strings). Change a record, then regenerate with
/// <c>UPDATE_SCHEMAS=1 dotnet test tests/Shared.Tests --filter "FullyQualifiedName~ContractSchemaTests"</c> and review the diff.
/// </summary>
public sealed class ContractSchemaTests
{
    private const string UpdateVariable = "UPDATE_SCHEMAS";

    public static TheoryData<string> Exchanges() => [.. Contracts().Select(c => c.Exchange)];

    private static IEnumerable<(Type Type, string Exchange)> Contracts() =>
        typeof(ListingSubmitted).Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<ExchangeNameAttribute>()))
            .Where(c => c.Attribute is not null)
            .Select(c => (c.Type, c.Attribute!.Name))
            .OrderBy(c => c.Name, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void Documented_schema_matches_the_record(string exchange)
    {
        var type = Contracts().Single(c => c.Exchange == exchange).Type;
        var generated = Generate(type);
        var path = Path.Combine(DocsFolder(), "schemas", $"{exchange}.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            return;
        }

        Assert.True(File.Exists(path), $"docs/schemas/{exchange}.json is missing for {type.Name}. Generate it: {UpdateVariable}=1 dotnet test tests/Shared.Tests --filter \"FullyQualifiedName~ContractSchemaTests\"");
        var documented = JsonNode.Parse(File.ReadAllText(path))!;
        if (!JsonNode.DeepEquals(documented, generated))
        {
            Assert.Fail($"docs/schemas/{exchange}.json no longer describes {type.FullName}:\n" +
                string.Join("\n", Diff(documented, generated)) +
                $"\n(- documented, + generated from the record.) If the record change is intended, regenerate with {UpdateVariable}=1 and update docs/events.md and docs/asyncapi.yaml.");
        }
    }

    [Fact]
    public void Every_contract_has_a_channel_and_a_message_in_the_asyncapi_document()
    {
        var asyncApi = File.ReadAllLines(Path.Combine(DocsFolder(), "asyncapi.yaml"));
        var text = string.Join("\n", asyncApi);
        Assert.StartsWith("asyncapi: 3.", asyncApi.First(l => !l.StartsWith('#') && l.Trim().Length > 0));
        var missing = new List<string>();
        foreach (var (type, exchange) in Contracts())
        {
            if (!asyncApi.Any(l => l.Trim() == $"address: {exchange}"))
                missing.Add($"channel with 'address: {exchange}' ({type.Name})");
            if (!text.Contains($"$ref: './schemas/{exchange}.json'", StringComparison.Ordinal))
                missing.Add($"message payload \"$ref: './schemas/{exchange}.json'\" ({type.Name})");
            if (!text.Contains($"name: {type.Name}", StringComparison.Ordinal))
                missing.Add($"message 'name: {type.Name}'");
        }
        Assert.True(missing.Count == 0, "docs/asyncapi.yaml lacks:\n" + string.Join("\n", missing));

        // And nothing stale: every referenced schema belongs to a contract.
        var known = Contracts().Select(c => c.Exchange).ToHashSet();
        var stale = Directory.GetFiles(Path.Combine(DocsFolder(), "schemas"), "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f)).Where(n => !known.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "docs/schemas has files for no contract: " + string.Join(", ", stale));
    }

    /// <summary>The payload schema of a contract as JSON Schema draft 2020-12, titled with the record's name.</summary>
    internal static JsonNode Generate(Type type)
    {
        var schema = WireFormat.ContractOptions.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = type.Name,
        };
        foreach (var (key, value) in schema.AsObject())
            document[key] = value?.DeepClone();
        return document;
    }

    private static string DocsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
                return Path.Combine(dir.FullName, "docs");
        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A readable diff: one line per JSON path whose value was removed (-), added (+) or changed.</summary>
    internal static IEnumerable<string> Diff(JsonNode documented, JsonNode generated)
    {
        var before = Flatten(documented);
        var after = Flatten(generated);
        foreach (var path in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var had = before.TryGetValue(path, out var old);
            var has = after.TryGetValue(path, out var now);
            if (had && has && old == now)
                continue;
            if (had)
                yield return $"- {path} = {old}";
            if (has)
                yield return $"+ {path} = {now}";
        }
    }

    private static Dictionary<string, string> Flatten(JsonNode? node, string path = "$", Dictionary<string, string>? into = null)
    {
        into ??= new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                foreach (var (key, value) in obj)
                    Flatten(value, $"{path}.{key}", into);
                break;
            case JsonArray array when array.Count > 0 && array.All(i => i is JsonValue):
                into[path] = array.ToJsonString();
                break;
            case JsonArray array when array.Count > 0:
                for (var i = 0; i < array.Count; i++)
                    Flatten(array[i], $"{path}[{i}]", into);
                break;
            default:
                into[path] = node?.ToJsonString() ?? "null";
                break;
        }
        return into;
    }
}
