using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Platform.Notification.Catalogue;
using Platform.Notification.Deliveries;
using Platform.Notification.Digests;
using Platform.Notification.Email;
using Platform.Notification.Links;
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
        if (builder.Services.All(d => d.ServiceType != typeof(TimeProvider)))
            builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookTargetPolicy>();
        builder.Services.AddSingleton<SubscriberValidator>();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<ListingCatalogue>();
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<LinkTokens>();
        builder.Services.AddSingleton<PublicLinks>();
        builder.Services.AddSingleton<FeedbackStore>();
        builder.Services.AddHttpClient(WebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookConnector.CreateHandler(sp.GetRequiredService<WebhookTargetPolicy>()));
        builder.Services.AddSingleton<INotificationSender, WebhookSender>();
        builder.Services.AddSingleton<SmtpMailer>();
        builder.Services.AddSingleton<EmailComposer>();
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<EmailSender>());
        builder.Services.AddSingleton<NotificationTelemetry>();
        builder.Services.AddHostedService<DeliveryDispatcher>();
        builder.Services.AddHostedService<DigestScheduler>();
        return builder;
    }

    public static void AddNotificationConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<NotifySubscribersConsumer>();
        bus.AddConsumer<CatalogueListingConsumer>();
    }

    public static IEndpointRouteBuilder MapNotification(this IEndpointRouteBuilder app)
    {
        var services = app.ServiceProvider;
        services.GetRequiredService<LinkTokens>(); // logs its warning about a missing signing key at start, not at the first email
        app.MapSubscribersApi();
        app.MapLinkPages();
        app.MapSignupPage();
        app.MapDeliveriesApi();
        app.MapDatabaseBackup<NotificationDatabase>();
        return app;
    }
}
