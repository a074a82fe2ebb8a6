using System.Text.Json;

namespace Notification.Tests;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_OpenAPI_document_describes_the_subscribers_API_but_not_the_link_pages()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder());

        var document = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json", ct)).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Contains("/subscribers", paths);
        Assert.Contains("/subscribers/{id}", paths);
        Assert.Contains("/subscribers/{id}/deliveries", paths);
        var subscriber = document.GetProperty("paths").GetProperty("/subscribers/{id}");
        Assert.True(subscriber.TryGetProperty("put", out _) && subscriber.TryGetProperty("patch", out _) && subscriber.TryGetProperty("delete", out _));
        Assert.DoesNotContain(paths, p => p.StartsWith("/links", StringComparison.Ordinal));
    }
}
