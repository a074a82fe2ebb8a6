using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Notification;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// Starts the notification service as its Program.cs composes it (real Kestrel on loopback, a real SQLite file, real
/// HTTP to webhook receivers), plus recording consumers for the events it publishes.
/// </summary>
public static class NotificationHost
{
    public static Dictionary<string, string?> Settings(TempDirectory temp) => new()
    {
        ["Messaging:Transport"] = "InMemory",
        ["Notification:Database:Path"] = temp.File("notification.db"),
        ["Notification:AllowPrivateWebhookTargets"] = "true",
        ["Notification:Delivery:FirstRetryDelay"] = "00:00:00.200",
        ["Notification:Delivery:PollInterval"] = "00:00:00.100",
        ["Notification:Delivery:WebhookTimeout"] = "00:00:05",
        ["Notification:Digest:PollInterval"] = "00:00:00.100",
        ["Notification:Smtp:Host"] = "127.0.0.1",
        // A port nobody listens on: tests that send email start an SmtpSink and pass its port.
        ["Notification:Smtp:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Notification:Smtp:Security"] = "None",
        ["Notification:Smtp:Timeout"] = "00:00:05",
        ["Notification:Links:SigningKey"] = "test-signing-key-0123456789abcdef0123456789",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static Task<TestServiceHost> StartAsync(TempDirectory temp, MessageRecorder recorder, params (string Key, string? Value)[] extra) =>
        StartAsync(temp, recorder, TimeProvider.System, extra);

    /// <summary>A host whose emails go to <paramref name="smtp"/>.</summary>
    public static Task<TestServiceHost> StartAsync(TempDirectory temp, MessageRecorder recorder, SmtpSink smtp, params (string Key, string? Value)[] extra) =>
        StartAsync(temp, recorder, TimeProvider.System, [("Notification:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. extra]);

    public static async Task<TestServiceHost> StartAsync(TempDirectory temp, MessageRecorder recorder, TimeProvider clock, params (string Key, string? Value)[] extra)
    {
        var settings = Settings(temp);
        foreach (var (key, value) in extra)
            settings[key] = value;
        var host = await TestServiceHost.StartAsync("notification", settings,
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.Services.AddSingleton<BusActivity>(); // what Settling.SettledAsync waits on
                builder.Services.AddSingleton(clock);
                builder.AddServiceDefaults();
                builder.AddNotification();
                builder.AddMessaging(bus =>
                {
                    bus.AddNotificationConsumers();
                    bus.AddRecorder<SubscriberRegistered>("subscriber-registered");
                    bus.AddRecorder<NotificationDelivered>("notification-delivered");
                    bus.AddRecorder<NotificationFailed>("notification-failed");
                    bus.AddRecorder<SubscriberUpdated>("subscriber-updated");
                    bus.AddRecorder<SubscriberRemoved>("subscriber-removed");
                    bus.AddRecorder<FeedbackSubmitted>("feedback-submitted");
                });
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapNotification();
            });
        host.GetRequiredService<BusActivity>().Connect(host.GetRequiredService<IBus>());
        return host;
    }
}
