using Platform.ServiceDefaults.Access;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Links;

/// <summary>
/// A minimal server-rendered sign-up form (<c>GET /subscribe</c>, <c>POST /subscribe</c>) for people without an API
/// client: email, interests and mode, validated exactly like <c>POST /subscribers</c>.
/// </summary>
public static class SignupPage
{
    public static IEndpointRouteBuilder MapSignupPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subscribe", () => Form(new Dictionary<string, string>(), null)).ExcludeFromDescription().RequireRateLimiting(PublicRateLimit.Policy);
        app.MapPost("/subscribe", SubmitAsync).ExcludeFromDescription().DisableAntiforgery().RequireRateLimiting(PublicRateLimit.Policy);
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, SubscriberValidator validator, SubscriberStore store, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            return LinkPages.Page("Sign up", "<p>Please use the form.</p>", 400);
        var form = await request.ReadFormAsync(ct);
        var values = new Dictionary<string, string> { ["email"] = form["email"].ToString(), ["interests"] = form["interests"].ToString(), ["mode"] = form["mode"].ToString() };
        var valid = validator.Validate(new SubscriberRequest
        {
            Email = values["email"], Interests = values["interests"], Mode = string.IsNullOrEmpty(values["mode"]) ? null : values["mode"],
        }, out var errors);
        if (valid is null)
            return Form(values, errors, 400);
        if (valid.Email is null)
            return Form(values, new() { ["email"] = ["Give your email address."] }, 400);
        await store.RegisterAsync(valid, ct);
        return LinkPages.Page("You are subscribed",
            $"<p>We will email <strong>{LinkPages.Html(valid.Email)}</strong> papers about <em>{LinkPages.Html(valid.Interests)}</em>" +
            (valid.Mode == DeliveryModes.Instant ? " as they appear.</p>" : $" in a {valid.Mode} digest.</p>") +
            "<p>Every email has links to tell us what you liked and to unsubscribe.</p>");
    }

    private static IResult Form(Dictionary<string, string> values, Dictionary<string, string[]>? errors, int status = 200)
    {
        string Value(string key) => LinkPages.Html(values.GetValueOrDefault(key, ""));
        string Error(string key) => errors?.GetValueOrDefault(key) is { } messages
            ? $"""<p class="error" role="alert" style="color:#b00">{LinkPages.Html(string.Join(" ", messages))}</p>"""
            : "";
        string Option(string mode) => $"""<option value="{mode}"{(values.GetValueOrDefault("mode") == mode ? " selected" : "")}>{mode}</option>""";
        return LinkPages.Page("Sign up for papers that matter to you",
            $"""
            <form method="post" action="/subscribe">
            <p><label>Email<br><input type="email" name="email" value="{Value("email")}" required></label></p>{Error("email")}{Error("channels")}
            <p><label>What do you want to read about?<br><textarea name="interests" rows="3" cols="50" required>{Value("interests")}</textarea></label></p>{Error("interests")}
            <p><label>How often<br><select name="mode">{Option("instant")}{Option("daily")}{Option("weekly")}</select></label></p>{Error("mode")}
            <p><button type="submit">Subscribe</button></p>
            </form>
            """, status);
    }
}
