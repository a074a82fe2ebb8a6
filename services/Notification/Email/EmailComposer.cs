using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Platform.Notification.Deliveries;
using Platform.Notification.Links;

namespace Platform.Notification.Email;

/// <summary>
/// Builds the emails: an instant alert for one listing or a digest of several, each listing with its title (linked),
/// a short abstract, its score and why (the rewards that drove it), and signed like / dismiss links; every email has
/// an unsubscribe link and RFC 8058 <c>List-Unsubscribe</c> / <c>List-Unsubscribe-Post</c> headers. HTML and plain text.
/// </summary>
public sealed class EmailComposer(IOptions<NotificationOptions> options, PublicLinks links, TimeProvider clock)
{
    public const int AbstractLength = 300;

    public MimeMessage Alert(Delivery delivery) =>
        Compose(delivery.SubscriberId, delivery.Email!, OneLine(delivery.Title), $"{delivery.Id:N}@platform", [delivery], intro: null);

    public MimeMessage Digest(Guid subscriberId, string email, string period, Guid digestId, IReadOnlyList<Delivery> deliveries) =>
        Compose(subscriberId, email, $"Your {period} digest: {deliveries.Count} new paper{(deliveries.Count == 1 ? "" : "s")}", $"{digestId:N}@platform",
            deliveries, intro: $"The best new papers for you since your last {period} digest, best first.");

    private MimeMessage Compose(Guid subscriberId, string to, string subject, string messageId, IReadOnlyList<Delivery> items, string? intro)
    {
        var unsubscribe = links.For(LinkAction.Unsubscribe, subscriberId);
        var preferences = links.For(LinkAction.Preferences, subscriberId);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.Value.Smtp.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = messageId;
        message.Date = clock.GetUtcNow();
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribe.AbsoluteUri}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = new StringBuilder();
        var html = new StringBuilder("<!doctype html><html><body style=\"font-family:system-ui,sans-serif;max-width:40rem\">");
        if (intro is not null)
        {
            text.Append(intro).Append("\r\n\r\n");
            html.Append("<p>").Append(Html(intro)).Append("</p>");
        }
        foreach (var item in items)
        {
            var like = links.For(LinkAction.Like, subscriberId, item.ListingId).AbsoluteUri;
            var dismiss = links.For(LinkAction.Dismiss, subscriberId, item.ListingId).AbsoluteUri;
            var url = item.ListingUrl ?? item.Url;
            var summary = Shorten(item.Abstract);
            var score = item.Score.ToString("0.000", CultureInfo.InvariantCulture);
            var why = Why(item.Rewards);

            text.Append(OneLine(item.Title)).Append("\r\n");
            if (url is not null)
                text.Append(url).Append("\r\n");
            if (summary is not null)
                text.Append(summary).Append("\r\n");
            text.Append("Score: ").Append(score).Append(" (why: ").Append(why).Append(")\r\n")
                .Append("More like this: ").Append(like).Append("\r\n")
                .Append("Not for me: ").Append(dismiss).Append("\r\n\r\n");

            html.Append("<div style=\"margin:1.5rem 0\"><h2 style=\"font-size:1.1rem;margin:0\">")
                .Append(url is null ? Html(item.Title) : $"<a href=\"{Html(url)}\">{Html(item.Title)}</a>").Append("</h2>");
            if (summary is not null)
                html.Append("<p style=\"margin:.4rem 0\">").Append(Html(summary)).Append("</p>");
            html.Append("<p style=\"margin:.4rem 0;color:#555\">Score <strong>").Append(score).Append("</strong> · why: ").Append(Html(why)).Append("</p>")
                .Append("<p style=\"margin:.4rem 0\"><a href=\"").Append(Html(like)).Append("\">More like this</a> · <a href=\"")
                .Append(Html(dismiss)).Append("\">Not for me</a></p></div>");
        }
        text.Append("Preferences: ").Append(preferences.AbsoluteUri).Append("\r\n")
            .Append("Unsubscribe: ").Append(unsubscribe.AbsoluteUri).Append("\r\n");
        html.Append("<p style=\"color:#777;font-size:.85rem\">You get this because you subscribed to Platform. <a href=\"")
            .Append(Html(preferences.AbsoluteUri)).Append("\">Preferences</a> · <a href=\"")
            .Append(Html(unsubscribe.AbsoluteUri)).Append("\">Unsubscribe</a></p></body></html>");

        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    /// <summary>The rewards behind a score, strongest first, e.g. <c>relevance 0.81, quality 0.70</c>.</summary>
    public static string Why(string rewardsJson)
    {
        var rewards = JsonSerializer.Deserialize<Dictionary<string, double>>(rewardsJson) ?? [];
        return rewards.Count == 0
            ? "overall score"
            : string.Join(", ", rewards.OrderByDescending(r => Math.Abs(r.Value)).Select(r => $"{r.Key} {r.Value.ToString("0.00", CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The abstract cut at a word boundary near <see cref="AbstractLength"/> characters.</summary>
    public static string? Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= AbstractLength)
            return text;
        var cut = text.LastIndexOf(' ', AbstractLength);
        return text[..(cut > AbstractLength / 2 ? cut : AbstractLength)] + "…";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Html(string text) => WebUtility.HtmlEncode(text);
}
