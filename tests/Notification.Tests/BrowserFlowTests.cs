using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// The subscriber's side in a real browser (headless chromium): sign up on the form, follow the links of the email
/// that arrived by SMTP, like a paper, unsubscribe in one click, and find that old links change nothing more.
/// </summary>
public sealed class BrowserFlowTests
{
    [Fact]
    public async Task Sign_up_follow_email_links_give_feedback_and_unsubscribe_in_chromium()
    {
        var ct = TestContext.Current.CancellationToken;
        var flow = BrowserTool.Require();
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);

        var signup = await BrowserTool.RunAsync(flow, ct, "signup", host.BaseAddress.ToString(), "browser@example.com", "Sparse attention for long documents");
        Assert.Equal(200, signup[0].Status);
        Assert.Equal("You are subscribed", signup[^1].Heading);
        Assert.Contains("browser@example.com", signup[^1].Text);
        var (registered, _) = await recorder.WaitForAsync<SubscriberRegistered>(e => e.Interests == "Sparse attention for long documents", TimeSpan.FromSeconds(10), ct);

        var scored = Subscribers.Scored((registered.SubscriberId, 0.8));
        await host.PublishAsync(scored, ct);
        var email = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Equal("browser@example.com", email.To.Mailboxes.Single().Address);
        var html = temp.File("email.html");
        await File.WriteAllTextAsync(html, email.HtmlBody, ct);

        var steps = await BrowserTool.RunAsync(flow, ct, "email", html);

        Assert.Equal(
            ["More like this?", "Thanks!", "Unsubscribe?", "You are unsubscribed", "You are unsubscribed"],
            steps.Select(s => s.Heading));
        Assert.All(steps, s => Assert.Equal(200, s.Status));
        Assert.All(steps, s => Assert.StartsWith(host.BaseAddress.ToString(), s.Url));
        Assert.Contains(scored.Title, steps[0].Text);
        var (like, _) = await recorder.WaitForAsync<FeedbackSubmitted>(_ => true, TimeSpan.FromSeconds(10), ct);
        Assert.Equal((registered.SubscriberId, scored.ListingId, FeedbackKind.Like), (like.SubscriberId, like.ListingId, like.Kind));
        await recorder.WaitForAsync<SubscriberRemoved>(e => e.SubscriberId == registered.SubscriberId, TimeSpan.FromSeconds(10), ct);

        // Nothing more arrives, and the dismiss link opened after unsubscribing recorded nothing.
        await host.PublishAsync(Subscribers.Scored((registered.SubscriberId, 0.9)), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Single(smtp.Messages);
        Assert.Single(recorder.All<FeedbackSubmitted>());
    }
}
