using System.Reflection;
using System.Text.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Interop.Tests;

/// <summary>
/// docs/asyncapi.yaml is read by other teams' tools, so it must be valid for the AsyncAPI Initiative's own parser
/// (schema and semantic rules, with the JSON Schema files it references resolved), not just parse as YAML.
/// </summary>
public sealed class AsyncApiDocumentTests
{
    [Fact]
    public async Task The_AsyncAPI_document_is_valid_for_the_official_parser_and_has_a_channel_per_contract()
    {
        var ct = TestContext.Current.CancellationToken;
        var validator = NodeScript.Require("Interop.Tests", "node", "validate-asyncapi.mjs", "@asyncapi/parser", "The AsyncAPI validation");

        var output = await validator.RunAsync(TimeSpan.FromMinutes(2), ct, null, Path.Combine(RepositoryRoot(), "docs", "asyncapi.yaml"));

        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(result.GetProperty("valid").GetBoolean(), "docs/asyncapi.yaml is not valid AsyncAPI:\n" + result.GetProperty("errors"));
        var contracts = typeof(ListingAccepted).Assembly.GetTypes().Count(t => t.GetCustomAttribute<ExchangeNameAttribute>() is not null);
        Assert.Equal(contracts, result.GetProperty("channels").GetInt32());
        Assert.Equal(contracts, result.GetProperty("messages").GetInt32());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
