using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Platform.Contracts;
using Platform.Notification.Links;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>Signed, expiring links in emails: feedback, one-click unsubscribe, and what forged or expired tokens do (nothing).</summary>
public sealed class LinkTests
{
    [Fact]
    public async Task One_click_unsubscribe_from_the_List_Unsubscribe_header_stops_everything()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new
        {
            email = "reader@example.com", webhookUrl = receiver.Url().ToString(), interests = "Anything", threshold = 0.1,
        }, ct);
        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.8)), ct);
        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);

        // What a mail client does for RFC 8058: POST "List-Unsubscribe=One-Click" to the header's URL.
        var response = await host.Client.PostAsync(Mail.ListUnsubscribe(message),
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("unsubscribed", await response.Content.ReadAsStringAsync(ct));
        var (removed, _) = await recorder.WaitForAsync<SubscriberRemoved>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(subscriber.Id, removed.SubscriberId);
        var status = (await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/subscribers/{subscriber.Id}", ct)).GetProperty("status").GetString();
        Assert.Equal("unsubscribed", status);

        // Nothing more arrives, by either channel; and feedback links of old emails no longer do anything.
        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.95)), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Single(smtp.Messages);
        Assert.Single(receiver.Received);
        Assert.Equal(2, (await host.DeliveriesAsync(subscriber.Id, ct)).GetArrayLength()); // the first listing's email and webhook only
        await host.Client.PostAsync(Mail.FeedbackLinks(message)[0].Like, null, ct);
        await host.SettledAsync(recorder, ct);
        Assert.Empty(recorder.All<FeedbackSubmitted>());
        // Unsubscribing again is harmless: one event.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(Mail.UnsubscribeLink(message), null, ct)).StatusCode);
        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<SubscriberRemoved>());
    }

    [Fact]
    public async Task The_unsubscribe_link_shows_a_confirm_page_first()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var link = host.GetRequiredService<PublicLinks>().For(LinkAction.Unsubscribe, subscriber.Id);

        var page = await host.Client.GetAsync(link, ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<button type=\"submit\">Unsubscribe</button>", await page.Content.ReadAsStringAsync(ct));
        await host.SettledAsync(recorder, ct);
        Assert.Empty(recorder.All<SubscriberRemoved>());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(link, null, ct)).StatusCode);
        await recorder.WaitForAsync<SubscriberRemoved>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
    }

    public static TheoryData<string> Forgeries => new()
    {
        "flip-mac", "flip-payload", "other-key", "truncated", "garbage", "like-as-unsubscribe",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Forged_tokens_get_a_clear_page_and_change_nothing(string forgery)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var tokens = host.GetRequiredService<LinkTokens>();
        var good = tokens.Create(LinkAction.Like, subscriber.Id, Guid.NewGuid());
        var (payload, mac) = (good.Split('.')[0], good.Split('.')[1]);
        var token = forgery switch
        {
            "flip-mac" => payload + "." + Flip(mac),
            "flip-payload" => Flip(payload) + "." + mac,
            "other-key" => OtherKeyToken(subscriber.Id),
            "truncated" => good[..^5],
            "garbage" => "not-a-token",
            _ => Retarget(payload, mac),
        };

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            var response = await host.Client.SendAsync(new HttpRequestMessage(method, $"/links/{token}"), ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync(ct);
            Assert.Contains("This link is not valid", html);
            Assert.Contains("Nothing was done", html);
        }
        await host.SettledAsync(recorder, ct);
        Assert.Empty(recorder.All<FeedbackSubmitted>());
        Assert.Empty(recorder.All<SubscriberRemoved>());
        Assert.Equal("active", (await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/subscribers/{subscriber.Id}", ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Expired_tokens_get_a_clear_page_and_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        var clock = new ShiftableClock();
        await using var host = await NotificationHost.StartAsync(temp, recorder, clock,
            ("Notification:Links:TokenLifetime", "7.00:00:00"), ("Notification:Links:UnsubscribeTokenLifetime", "90.00:00:00"));
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var links = host.GetRequiredService<PublicLinks>();
        var unsubscribe = links.For(LinkAction.Unsubscribe, subscriber.Id);
        var like = links.For(LinkAction.Like, subscriber.Id, Guid.NewGuid());
        var preferences = links.For(LinkAction.Preferences, subscriber.Id);

        // After a week feedback and preferences links have expired; unsubscribe links last longer.
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await AssertExpiredAsync(like);
        await AssertExpiredAsync(preferences);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(unsubscribe, ct)).StatusCode);

        clock.Advance(TimeSpan.FromDays(90));
        await AssertExpiredAsync(unsubscribe);

        await host.SettledAsync(recorder, ct);
        Assert.Empty(recorder.All<FeedbackSubmitted>());
        Assert.Empty(recorder.All<SubscriberRemoved>());
        Assert.Empty(recorder.All<SubscriberUpdated>());
        Assert.Equal("active", (await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/subscribers/{subscriber.Id}", ct)).GetProperty("status").GetString());

        async Task AssertExpiredAsync(Uri link)
        {
            var page = await host.Client.GetAsync(link, ct);
            Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
            Assert.Contains("This link has expired", await page.Content.ReadAsStringAsync(ct));
            var post = await host.Client.PostAsync(link, new FormUrlEncodedContent([new("interests", "Changed"), new("mode", "daily")]), ct);
            Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        }
    }

    [Fact]
    public async Task The_preferences_link_edits_interests_mode_and_threshold()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Graph neural networks", threshold = 0.3 }, ct);
        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.8)), ct);
        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        var link = new Uri(Assert.Single(System.Text.RegularExpressions.Regex.Matches(message.TextBody!, @"^Preferences: (\S+)\r?$",
            System.Text.RegularExpressions.RegexOptions.Multiline)).Groups[1].Value);

        var form = await (await host.Client.GetAsync(link, ct)).Content.ReadAsStringAsync(ct);
        Assert.Contains("Graph neural networks</textarea>", form);
        Assert.Contains("value=\"0.3\"", form);

        var invalid = await host.Client.PostAsync(link, new FormUrlEncodedContent([new("interests", "Proteins"), new("threshold", "7")]), ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("Must be between -1 and 1.", await invalid.Content.ReadAsStringAsync(ct));

        var saved = await host.Client.PostAsync(link, new FormUrlEncodedContent(
            [new("interests", "Protein structure prediction"), new("mode", "weekly"), new("threshold", "0.45")]), ct);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("Saved.", await saved.Content.ReadAsStringAsync(ct));
        var (updated, _) = await recorder.WaitForAsync<SubscriberUpdated>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(("Protein structure prediction", 0.45), (updated.Interests, updated.Threshold));
        var now = await host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/subscribers/{subscriber.Id}", ct);
        Assert.Equal("weekly", now.GetProperty("mode").GetString());
        Assert.Equal("reader@example.com", now.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Links_use_the_configured_public_base_url()
    {
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder(), ("Notification:PublicBaseUrl", "https://notify.example.org/platform"));

        var link = host.GetRequiredService<PublicLinks>().For(LinkAction.Like, Guid.NewGuid(), Guid.NewGuid());

        Assert.StartsWith("https://notify.example.org/platform/links/", link.AbsoluteUri);
    }

    private static string Flip(string base64Url)
    {
        var chars = base64Url.ToCharArray();
        chars[chars.Length / 2] = chars[chars.Length / 2] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    /// <summary>A well-formed token for the same subscriber, signed with a key the service does not have.</summary>
    private static string OtherKeyToken(Guid subscriberId)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new Platform.Notification.NotificationOptions
        {
            Links = new Platform.Notification.LinkOptions { SigningKey = "an-attackers-guess-of-the-key-0123456789" },
        });
        return new LinkTokens(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<LinkTokens>.Instance)
            .Create(LinkAction.Unsubscribe, subscriberId);
    }

    /// <summary>A like token whose action byte was changed to unsubscribe, keeping the original signature.</summary>
    private static string Retarget(string payload, string mac)
    {
        var bytes = WebEncoders.Base64UrlDecode(payload);
        bytes[1] = (byte)LinkAction.Unsubscribe;
        return WebEncoders.Base64UrlEncode(bytes) + "." + mac;
    }
}
