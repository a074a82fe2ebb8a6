using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>POST /subscribers registers a subscriber, shows the webhook secret once, and announces SubscriberRegistered.</summary>
public sealed class SubscriberRegistrationTests
{
    [Fact]
    public async Task Webhook_and_email_subscriber_is_created_with_a_secret_and_announced()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);

        var response = await host.Client.PostAsJsonAsync("/subscribers", new
        {
            email = "reader@example.com",
            webhookUrl = "http://127.0.0.1:9/hook",
            interests = "  Graph neural networks for chemistry  ",
            threshold = 0.42,
        }, ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync(ct);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/subscribers/{id}", response.Headers.Location?.OriginalString);
        var secret = created.GetProperty("webhookSecret").GetString();
        Assert.NotNull(secret);
        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.Equal("reader@example.com", created.GetProperty("email").GetString());
        Assert.Equal("http://127.0.0.1:9/hook", created.GetProperty("webhookUrl").GetString());
        Assert.Equal("Graph neural networks for chemistry", created.GetProperty("interests").GetString());
        Assert.Equal(0.42, created.GetProperty("threshold").GetDouble());
        Assert.Equal("active", created.GetProperty("status").GetString());

        var (registered, _) = await recorder.WaitForAsync<SubscriberRegistered>(e => e.SubscriberId == id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal("Graph neural networks for chemistry", registered.Interests);
        Assert.Equal(0.42, registered.Threshold);

        var fetched = await host.Client.GetAsync($"/subscribers/{id}", ct);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        var raw = await fetched.Content.ReadAsStringAsync(ct);
        Assert.DoesNotContain(secret, raw);
        var body = JsonDocument.Parse(raw).RootElement;
        Assert.True(!body.TryGetProperty("webhookSecret", out var hidden) || hidden.ValueKind == JsonValueKind.Null, raw);
        Assert.Equal(id, body.GetProperty("id").GetGuid());
        Assert.Equal("reader@example.com", body.GetProperty("email").GetString());
        Assert.Equal(0.42, body.GetProperty("threshold").GetDouble());
    }

    [Fact]
    public async Task Email_only_subscriber_gets_the_default_threshold()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);

        var response = await host.Client.PostAsJsonAsync("/subscribers", new { email = "only@example.com", interests = "Protein folding" }, ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync(ct);
        Assert.Equal(0.35, created.GetProperty("threshold").GetDouble());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("webhookUrl").ValueKind);
        var id = created.GetProperty("id").GetGuid();
        await recorder.WaitForAsync<SubscriberRegistered>(e => e.SubscriberId == id && e.Threshold == 0.35, TimeSpan.FromSeconds(10), ct);
    }

    [Fact]
    public async Task Each_subscriber_gets_its_own_secret()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder());

        var a = await host.RegisterWebhookAsync(new Uri("http://127.0.0.1:9/a"), 0.3, ct);
        var b = await host.RegisterWebhookAsync(new Uri("http://127.0.0.1:9/b"), 0.3, ct);

        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Secret, b.Secret);
    }

    [Fact]
    public async Task Unknown_subscriber_and_its_deliveries_are_404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder());

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/subscribers/{Guid.NewGuid()}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/subscribers/{Guid.NewGuid()}/deliveries", ct)).StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder());

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(path, ct)).StatusCode);
    }
}
