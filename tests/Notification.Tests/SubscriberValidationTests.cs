using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>A notification host configured as in production: private and loopback webhook targets are refused.</summary>
public sealed class ProductionNotificationHostFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("notification");

    public TestServiceHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Host = await NotificationHost.StartAsync(_temp, new MessageRecorder(), ("Notification:AllowPrivateWebhookTargets", "false"));

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}

/// <summary>Bad registrations are a 400 with problem details whose <c>errors</c> name the field.</summary>
public sealed class SubscriberValidationTests(ProductionNotificationHostFixture fixture) : IClassFixture<ProductionNotificationHostFixture>
{
    private const string Interests = "Compilers and program analysis";

    [Fact]
    public Task No_channel_is_refused() => AssertRefusedAsync(new { interests = Interests }, "channels");

    [Fact]
    public Task Blank_channels_are_refused() => AssertRefusedAsync(new { email = "  ", webhookUrl = "", interests = Interests }, "channels");

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("two@example.com, three@example.com")]
    [InlineData("Name <name@example.com>")]
    [InlineData("@example.com")]
    [InlineData("a@example.com\r\nBcc: evil@example.com")]
    [InlineData("\"x\r\nBcc: evil@example.com\"@example.com")]
    public Task Invalid_email_is_refused(string email) => AssertRefusedAsync(new { email, interests = Interests }, "email");

    [Theory]
    [InlineData("ftp://hooks.example.com/x")]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/hook")]
    public Task Non_http_webhook_is_refused(string webhookUrl) => AssertRefusedAsync(new { webhookUrl, interests = Interests }, "webhookUrl");

    [Fact]
    public Task Missing_interests_are_refused() => AssertRefusedAsync(new { email = "a@example.com" }, "interests");

    [Fact]
    public Task Whitespace_interests_are_refused() => AssertRefusedAsync(new { email = "a@example.com", interests = " \t " }, "interests");

    [Fact]
    public Task Overlong_interests_are_refused() => AssertRefusedAsync(new { email = "a@example.com", interests = new string('x', 2_001) }, "interests");

    [Theory]
    [InlineData(1.5)]
    [InlineData(-1.01)]
    [InlineData(100)]
    public Task Threshold_out_of_range_is_refused(double threshold) =>
        AssertRefusedAsync(new { email = "a@example.com", interests = Interests, threshold }, "threshold");

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://127.5.6.7:8080/hook")]
    [InlineData("http://10.0.0.5/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://192.168.1.10/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://localhost/")]
    [InlineData("https://LOCALHOST:8443/hook")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd00::1]/")]
    public Task Private_and_loopback_webhook_targets_are_refused(string webhookUrl) =>
        AssertRefusedAsync(new { webhookUrl, interests = Interests }, "webhookUrl");

    /// <remarks>
    /// <c>[::]</c> is the IPv6 twin of 0.0.0.0 (which is refused) and connects to the local host on Linux;
    /// <c>localhost.</c> and <c>*.localhost</c> name the loopback (RFC 6761).
    /// </remarks>
    [Theory]
    [InlineData("http://[::]/")]
    [InlineData("http://[::]:8080/hook")]
    [InlineData("http://localhost./")]
    [InlineData("http://api.localhost/")]
    public Task Other_spellings_of_the_local_host_are_refused(string webhookUrl) =>
        AssertRefusedAsync(new { webhookUrl, interests = Interests }, "webhookUrl");

    [Theory]
    [InlineData("https://hooks.example.com/platform")]
    [InlineData("http://203.0.113.7:8080/hook")]
    [InlineData("http://172.32.0.1/")]
    public async Task Public_webhook_targets_are_accepted(string webhookUrl)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await fixture.Host.Client.PostAsJsonAsync("/subscribers", new { webhookUrl, interests = Interests }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var errors = await AssertRefusedAsync(new { email = "nope", webhookUrl = "ftp://x", threshold = 2.0 }, "email", "webhookUrl", "interests", "threshold");
        Assert.Equal(4, errors.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("{\"email\": ")]
    [InlineData("{\"email\": \"a@example.com\", \"interests\": \"x\", \"threshold\": \"high\"}")]
    [InlineData("")]
    public async Task Malformed_json_body_is_a_400_problem(string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await fixture.Host.Client.PostAsync("/subscribers", content, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> AssertRefusedAsync(object request, params string[] fields)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await fixture.Host.Client.PostAsJsonAsync("/subscribers", request, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync(ct);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        foreach (var field in fields)
            Assert.True(errors.TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0, $"errors should name '{field}': {errors}");
        return errors;
    }
}
