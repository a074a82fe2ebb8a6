using MassTransit;
using Platform.Data;
using Platform.Messaging;
using Platform.Notification.Deliveries;
using Platform.Notification.Subscribers;

namespace Platform.Notification;

/// <summary>The notification service as a module, composed by its own host and by the embedded all-in-one host.</summary>
public static class NotificationModule
{
    public const string Section = "Notification";

    public static IHostApplicationBuilder AddNotification(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(Section);
        builder.AddSqliteDatabase<NotificationDatabase>(Section);
        builder.AddOutbox<NotificationDatabase>();
        builder.Services.AddSingleton<WebhookTargetPolicy>();
        builder.Services.AddSingleton<SubscriberValidator>();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddHttpClient(WebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookConnector.CreateHandler(sp.GetRequiredService<WebhookTargetPolicy>()));
        builder.Services.AddSingleton<INotificationSender, WebhookSender>();
        builder.Services.AddSingleton<INotificationSender, EmailPickupSender>();
        builder.Services.AddHostedService<DeliveryDispatcher>();
        return builder;
    }

    public static void AddNotificationConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<NotifySubscribersConsumer>();

    public static IEndpointRouteBuilder MapNotification(this IEndpointRouteBuilder app) => app.MapSubscribersApi();
}
