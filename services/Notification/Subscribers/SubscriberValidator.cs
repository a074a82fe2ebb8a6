using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Subscribers;

public sealed class SubscriberValidator(IOptions<NotificationOptions> options, WebhookTargetPolicy webhooks)
{
    public ValidatedSubscriber? Validate(SubscriberRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var settings = options.Value;
        var email = Clean(request.Email);
        var webhook = Clean(request.WebhookUrl);
        var interests = Clean(request.Interests);

        if (email is null && webhook is null)
            errors["channels"] = ["Give an email address, a webhook URL, or both."];
        if (email is not null && (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
            errors["email"] = ["Must be a single valid email address."];
        if (webhook is not null && (webhook.Length > 2048 ? "Must be at most 2048 characters." : webhooks.Check(webhook)) is { } problem)
            errors["webhookUrl"] = [problem];
        if (interests is null)
            errors["interests"] = ["Is required: describe in plain words what you want to read about."];
        else if (interests.Length > settings.MaxInterestsLength)
            errors["interests"] = [$"Must be at most {settings.MaxInterestsLength} characters (got {interests.Length})."];
        var threshold = request.Threshold ?? settings.DefaultThreshold;
        if (double.IsNaN(threshold) || threshold is < -1 or > 1)
            errors["threshold"] = ["Must be between -1 and 1."];

        return errors.Count > 0 ? null : new ValidatedSubscriber(email, webhook, interests!, threshold);
    }

    private static string? Clean(string? value)
    {
        var text = value?.Replace("\0", "", StringComparison.Ordinal).Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }
}

public sealed record ValidatedSubscriber(string? Email, string? WebhookUrl, string Interests, double Threshold);
