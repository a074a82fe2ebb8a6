using Platform.ServiceDefaults.Access;
using System.Net;
using Platform.Contracts;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Links;

/// <summary>
/// The small server-rendered pages behind the links in emails. GET shows what the link will do and a one-click
/// confirm button (so mail scanners that prefetch links change nothing); POST applies it. POST is also what mail
/// clients send for RFC 8058 one-click unsubscribe (<c>List-Unsubscribe=One-Click</c>). Forged or expired tokens get a
/// clear page and change nothing.
/// </summary>
public static class LinkPages
{
    public static IEndpointRouteBuilder MapLinkPages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(PublicLinks.Path.TrimEnd('/')).WithTags("Email links").ExcludeFromDescription()
            .RequireRateLimiting(PublicRateLimit.Policy);
        group.MapGet("/{token}", ShowAsync).WithName("ShowLink");
        group.MapPost("/{token}", ApplyAsync).WithName("ApplyLink").DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> ShowAsync(string token, LinkTokens tokens, SubscriberStore subscribers, FeedbackStore feedback, CancellationToken ct)
    {
        var (refused, link) = await CheckAsync(token, tokens, subscribers, ct);
        if (refused is not null)
            return refused;
        var title = await feedback.TitleAsync(link!.SubscriberId, link.ListingId, ct);
        return link.Action switch
        {
            LinkAction.Like => Confirm("More like this?", $"Tell us you want more papers like <strong>{Html(title)}</strong>.", "Yes, more like this"),
            LinkAction.Dismiss => Confirm("Not for you?", $"Tell us <strong>{Html(title)}</strong> was not for you, so we send fewer like it.", "Not for me"),
            LinkAction.Preferences => PreferencesForm((await subscribers.FindAsync(link.SubscriberId, ct))!, null),
            _ => Confirm("Unsubscribe?", "You will get no more emails or webhooks from Platform.", "Unsubscribe"),
        };
    }

    private static async Task<IResult> ApplyAsync(
        string token, HttpRequest request, LinkTokens tokens, SubscriberStore subscribers, SubscriberValidator validator, FeedbackStore feedback, CancellationToken ct)
    {
        var (refused, link) = await CheckAsync(token, tokens, subscribers, ct);
        if (refused is not null)
            return refused;
        switch (link!.Action)
        {
            case LinkAction.Like:
                await feedback.RecordAsync(link.SubscriberId, link.ListingId, FeedbackKind.Like, ct);
                return Page("Thanks!", "<p>Noted: we will send you more like this.</p>");
            case LinkAction.Dismiss:
                await feedback.RecordAsync(link.SubscriberId, link.ListingId, FeedbackKind.Dismiss, ct);
                return Page("Thanks!", "<p>Noted: we will send you fewer like this.</p>");
            case LinkAction.Preferences:
                return await SavePreferencesAsync(link.SubscriberId, request, subscribers, validator, ct);
            default:
                await subscribers.RemoveAsync(link.SubscriberId, Subscriber.Unsubscribed, ct);
                return Page("You are unsubscribed", "<p>You will get nothing more from us.</p>");
        }
    }

    /// <summary>A page refusing the link (forged, expired, unknown or unsubscribed subscriber), or the valid token.</summary>
    private static async Task<(IResult? Refused, LinkToken? Link)> CheckAsync(string token, LinkTokens tokens, SubscriberStore subscribers, CancellationToken ct)
    {
        switch (tokens.Check(token, out var link))
        {
            case TokenCheck.Invalid:
                return (Page("This link is not valid", "<p>The link is incomplete or was changed. Nothing was done. Please use the link from your email as it is.</p>", 400), null);
            case TokenCheck.Expired:
                return (Page("This link has expired", "<p>Links in our emails work for a limited time. Nothing was done. Newer emails have fresh links.</p>", 410), null);
        }
        var subscriber = await subscribers.FindAsync(link!.SubscriberId, ct);
        if (subscriber is null or { Status: Subscriber.Deleted })
            return (Page("Subscription not found", "<p>This subscription no longer exists. Nothing was done.</p>", 404), null);
        if (subscriber.Status == Subscriber.Unsubscribed)
            return (Page("You are unsubscribed", "<p>You are already unsubscribed; you will get nothing more from us.</p>"), null);
        return (null, link);
    }

    /// <summary>Interests, mode and threshold from the preferences form; everything else keeps its value.</summary>
    private static async Task<IResult> SavePreferencesAsync(Guid subscriberId, HttpRequest request, SubscriberStore subscribers, SubscriberValidator validator, CancellationToken ct)
    {
        var current = (await subscribers.FindAsync(subscriberId, ct))!;
        if (!request.HasFormContentType)
            return PreferencesForm(current, new() { ["form"] = ["Please use the form."] }, 400);
        var form = await request.ReadFormAsync(ct);
        string? Field(string key) => string.IsNullOrWhiteSpace(form[key]) ? null : form[key].ToString();
        double? threshold = Field("threshold") is { } text
            ? double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : double.NaN
            : null;
        var patch = new SubscriberRequest { Interests = Field("interests") ?? "", Mode = Field("mode"), Threshold = threshold };
        var valid = validator.Validate(SubscribersApi.Merge(current, patch), out var errors);
        if (string.IsNullOrWhiteSpace(patch.Interests))
            errors["interests"] = ["Is required: describe in plain words what you want to read about."];
        if (valid is null || errors.Count > 0)
            return PreferencesForm(current with { Interests = patch.Interests, Mode = patch.Mode ?? current.Mode }, errors, 400);
        var saved = await subscribers.UpdateAsync(subscriberId, valid, ct);
        return PreferencesForm(saved!, null, saved is null ? 404 : 200, saved is null ? null : "Saved.");
    }

    private static IResult PreferencesForm(Subscriber s, Dictionary<string, string[]>? errors, int status = 200, string? notice = null)
    {
        string Error(string key) => errors?.GetValueOrDefault(key) is { } messages ? $"""<p role="alert" style="color:#b00">{Html(string.Join(" ", messages))}</p>""" : "";
        string Option(string mode) => $"""<option value="{mode}"{(s.Mode == mode ? " selected" : "")}>{mode}</option>""";
        var threshold = s.Threshold.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        return Page("Your preferences",
            (notice is null ? "" : $"""<p role="status"><strong>{Html(notice)}</strong></p>""") + Error("form") +
            $"""
            <form method="post">
            <p><label>What do you want to read about?<br><textarea name="interests" rows="3" cols="50">{Html(s.Interests)}</textarea></label></p>{Error("interests")}
            <p><label>How often<br><select name="mode">{Option(DeliveryModes.Instant)}{Option(DeliveryModes.Daily)}{Option(DeliveryModes.Weekly)}</select></label></p>{Error("mode")}
            <p><label>Minimum relevance (-1 to 1)<br><input type="number" name="threshold" min="-1" max="1" step="0.01" value="{threshold}"></label></p>{Error("threshold")}
            <p><button type="submit">Save</button></p>
            </form>
            """, status);
    }

    private static IResult Confirm(string heading, string text, string button) =>
        Page(heading, $"""<p>{text}</p><form method="post"><button type="submit">{Html(button)}</button></form>""");

    internal static IResult Page(string heading, string body, int status = 200) => Results.Content(
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{Html(heading)} · Platform</title>
        <style>body{"{"}font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem{"}"}button{"{"}font-size:1rem;padding:.5rem 1rem{"}"}</style>
        </head><body><h1>{Html(heading)}</h1>{body}</body></html>
        """, "text/html; charset=utf-8", statusCode: status);

    internal static string Html(string? text) => WebUtility.HtmlEncode(text ?? "this paper");
}
