using System.Text.RegularExpressions;
using MassTransit;
using MimeKit;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>Reading what arrived by email: the links in the plain-text part, and accepted listings for the catalogue.</summary>
internal static partial class Mail
{
    public sealed record ListingLinks(Uri Like, Uri Dismiss);

    /// <summary>The like and dismiss links of each listing in the email, in order.</summary>
    public static IReadOnlyList<ListingLinks> FeedbackLinks(MimeMessage message)
    {
        var text = message.TextBody ?? "";
        var likes = LikeLine().Matches(text).Select(m => new Uri(m.Groups[1].Value)).ToList();
        var dismisses = DismissLine().Matches(text).Select(m => new Uri(m.Groups[1].Value)).ToList();
        Assert.Equal(likes.Count, dismisses.Count);
        return [.. likes.Zip(dismisses, (l, d) => new ListingLinks(l, d))];
    }

    public static Uri UnsubscribeLink(MimeMessage message) => new(Assert.Single(UnsubscribeLine().Matches(message.TextBody ?? "")).Groups[1].Value);

    /// <summary>The URL in the <c>List-Unsubscribe</c> header (<c>&lt;url&gt;</c>).</summary>
    public static Uri ListUnsubscribe(MimeMessage message) => new((message.Headers["List-Unsubscribe"] ?? "").Trim().TrimStart('<').TrimEnd('>'));

    /// <summary>
    /// Publishes a listing-accepted, as ingestion would, so the notification catalogue knows its abstract and tags, and
    /// waits until the catalogue has stored it (in the pipeline listing-accepted comes well before listing-scored).
    /// </summary>
    public static async Task AcceptAsync(this TestServiceHost host, ListingScored scored, string? @abstract, CancellationToken ct, params string[] tags)
    {
        await host.GetRequiredService<IBus>().Publish(new ListingAccepted
        {
            ListingId = scored.ListingId, Source = "test", ExternalId = scored.ListingId.ToString("N"), Title = scored.Title,
            Abstract = @abstract, Url = scored.Url, Tags = tags, AcceptedAt = DateTimeOffset.UtcNow,
        }, ct);
        await host.GetRequiredService<BusActivity>().WaitUntilConsumedAsync(TimeSpan.FromSeconds(30), ct, typeof(ListingAccepted));
    }

    [GeneratedRegex(@"^More like this: (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex LikeLine();

    [GeneratedRegex(@"^Not for me: (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex DismissLine();

    [GeneratedRegex(@"^Unsubscribe: (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex UnsubscribeLine();
}
