using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>The email channel writes an RFC 5322 .eml file to the pickup directory.</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task Email_subscriber_gets_an_eml_file_with_To_and_Subject()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Long-context retrieval", threshold = 0.3 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));

        await host.PublishAsync(scored, ct);

        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(NotificationChannel.Email, delivered.Channel);
        var entry = Assert.Single((await host.DeliveriesAsync(subscriber.Id, ct)).EnumerateArray());
        Assert.Equal("delivered", entry.GetProperty("status").GetString());
        Assert.Equal("Email", entry.GetProperty("channel").GetString());

        var file = Assert.Single(Directory.GetFiles(temp.File("mail")));
        Assert.Equal($"{entry.GetProperty("id").GetGuid():N}.eml", Path.GetFileName(file));
        var (headers, body) = ReadEml(await File.ReadAllTextAsync(file, ct));
        Assert.Equal("reader@example.com", headers["To"]);
        Assert.Equal(scored.Title, headers["Subject"]);
        Assert.Contains(scored.Url!, body);
        Assert.Contains("0.800", body);
    }

    [Fact]
    public async Task Subscriber_with_both_channels_gets_a_webhook_and_an_email()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new
        {
            email = "both@example.com", webhookUrl = receiver.Url().ToString(), interests = "Long-context retrieval", threshold = 0.3,
        }, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.8)), ct);

        await recorder.WaitForAsync<NotificationDelivered>(e => e.Channel == NotificationChannel.Email, TimeSpan.FromSeconds(10), ct);
        await recorder.WaitForAsync<NotificationDelivered>(e => e.Channel == NotificationChannel.Webhook, TimeSpan.FromSeconds(10), ct);
        Assert.Single(receiver.Received);
        Assert.Single(Directory.GetFiles(temp.File("mail"), "*.eml"));
        Assert.Equal(2, (await host.DeliveriesAsync(subscriber.Id, ct)).GetArrayLength());
    }

    [Fact]
    public async Task Line_breaks_in_a_title_cannot_inject_headers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8)) with { Title = "Innocent title\r\nBcc: attacker@example.com\nX-Evil: 1" };

        await host.PublishAsync(scored, ct);

        await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        var (headers, _) = ReadEml(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(temp.File("mail"))), ct));
        Assert.False(headers.ContainsKey("Bcc"));
        Assert.False(headers.ContainsKey("X-Evil"));
        Assert.Equal("Innocent title Bcc: attacker@example.com X-Evil: 1", headers["Subject"]);
    }

    /// <summary>Header fields (up to the first empty line) and the body of an .eml file.</summary>
    private static (Dictionary<string, string> Headers, string Body) ReadEml(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "an .eml file has headers, an empty line and a body");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in text[..split].Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            Assert.True(colon > 0, $"not a header line: '{line}'");
            headers.Add(line[..colon], line[(colon + 1)..].Trim());
        }
        return (headers, text[(split + 4)..]);
    }
}
