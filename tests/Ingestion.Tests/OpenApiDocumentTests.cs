using System.Text.Json;

namespace Ingestion.Tests;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_OpenAPI_document_describes_the_listings_API()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());

        var paths = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json", ct)).RootElement.GetProperty("paths");

        Assert.True(paths.GetProperty("/listings").TryGetProperty("post", out var post));
        Assert.True(post.GetProperty("responses").TryGetProperty("400", out _), "bad input is documented as a 400 problem");
        Assert.True(paths.GetProperty("/listings/{id}").TryGetProperty("get", out _));
    }
}
