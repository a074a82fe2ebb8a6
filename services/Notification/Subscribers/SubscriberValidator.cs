using Platform.ServiceDefaults;
using System.Globalization;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Subscribers;

public sealed class SubscriberValidator(IOptions<NotificationOptions> options, WebhookTargetPolicy webhooks)
{
    public const int MaxTopics = 50;
    public const int MaxTopicLength = 100;

    public ValidatedSubscriber? Validate(SubscriberRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var settings = options.Value;
        var email = InputText.Clean(request.Email);
        var webhook = InputText.Clean(request.WebhookUrl);
        var interests = InputText.Clean(request.Interests);

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

        var mode = InputText.Clean(request.Mode)?.ToLowerInvariant() ?? DeliveryModes.Instant;
        if (!DeliveryModes.All.Contains(mode))
            errors["mode"] = ["Must be instant, daily or weekly."];
        var timeZone = InputText.Clean(request.TimeZone) ?? "UTC";
        if (timeZone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            errors["timeZone"] = ["Must be an IANA time zone id, e.g. Europe/Berlin."];
        var digestTime = InputText.Clean(request.DigestTime) ?? "08:00";
        if (!IsTime(digestTime))
            errors["digestTime"] = ["Must be a local time as HH:mm."];
        var digestDay = InputText.Clean(request.DigestDay) ?? nameof(DayOfWeek.Monday);
        if (!Enum.TryParse<DayOfWeek>(digestDay, ignoreCase: true, out var day) || int.TryParse(digestDay, out _))
            errors["digestDay"] = ["Must be a day of the week, e.g. Monday."];
        else
            digestDay = day.ToString();
        var quietStart = InputText.Clean(request.QuietHoursStart);
        var quietEnd = InputText.Clean(request.QuietHoursEnd);
        if ((quietStart is null) != (quietEnd is null))
            errors["quietHours"] = ["Give both quietHoursStart and quietHoursEnd, or neither."];
        else if (quietStart is not null && (!IsTime(quietStart) || !IsTime(quietEnd!) || quietStart == quietEnd))
            errors["quietHours"] = ["Must be two different local times as HH:mm."];
        if (request.MaxMessagesPerDay is < 1 or > 1000)
            errors["maxMessagesPerDay"] = ["Must be between 1 and 1000."];
        var topics = (request.ExcludedTopics ?? []).Select(InputText.Clean).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (topics.Count > MaxTopics || topics.Any(t => t.Length > MaxTopicLength))
            errors["excludedTopics"] = [$"At most {MaxTopics} topics of at most {MaxTopicLength} characters each."];

        return errors.Count > 0
            ? null
            : new ValidatedSubscriber(email, webhook, interests!, threshold)
            {
                Mode = mode, TimeZone = timeZone, DigestTime = digestTime, DigestDay = digestDay,
                QuietStart = quietStart, QuietEnd = quietEnd, MaxPerDay = request.MaxMessagesPerDay, ExcludedTopics = topics,
            };
    }

    private static bool IsTime(string text) => TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

}

public sealed record ValidatedSubscriber(string? Email, string? WebhookUrl, string Interests, double Threshold)
{
    public string Mode { get; init; } = DeliveryModes.Instant;
    public string TimeZone { get; init; } = "UTC";
    public string DigestTime { get; init; } = "08:00";
    public string DigestDay { get; init; } = nameof(DayOfWeek.Monday);
    public string? QuietStart { get; init; }
    public string? QuietEnd { get; init; }
    public int? MaxPerDay { get; init; }
    public IReadOnlyList<string> ExcludedTopics { get; init; } = [];
}
