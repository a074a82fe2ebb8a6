using System.Net;

namespace Notification.Tests;

public sealed class PublicRateLimitTests
{
    [Fact]
    public async Task Public_pages_answer_429_with_problem_details_past_the_limit_while_admin_endpoints_are_not_limited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder(),
            ("RateLimiting:Public:PermitLimit", "3"), ("RateLimiting:Public:Window", "00:10:00"));

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/subscribe", ct)).StatusCode);
        var rejected = await host.Client.GetAsync("/subscribe", ct);
        var link = await host.Client.GetAsync("/links/not-a-token", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        Assert.True(rejected.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a Retry-After header says when to come back");
        Assert.Equal(HttpStatusCode.TooManyRequests, link.StatusCode); // one budget per client address across the public pages

        // Endpoints that are not public (no keys configured here, so open) are outside the limit.
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/subscribers/{Guid.NewGuid()}", ct)).StatusCode);
    }
}
