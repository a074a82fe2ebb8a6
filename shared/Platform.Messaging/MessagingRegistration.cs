using Microsoft.Extensions.Configuration;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Data;

namespace Platform.Messaging;

public static class MessagingRegistration
{
    /// <summary>
    /// One MassTransit bus for the process, on RabbitMQ or in memory (<c>Messaging:Transport</c>), with kebab-case
    /// endpoints, retries and error queues. <paramref name="consumers"/> registers each service's consumers.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> consumers)
    {
        var options = builder.Configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration("Messaging");
        builder.Services.TryAddTimeProvider();
        builder.Services.AddSingleton<QueueAddresses>();
        builder.Services.AddSingleton<BatchFaults>();

        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            consumers(x);
            x.AddConfigureEndpointsCallback((_, name, endpoint) =>
            {
                // Outer: a store locked past its busy timeout is waited out with backoff. Inner: everything else
                // transient gets a few quick retries; invalid messages and contention pass straight through it.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(StoreContention.IsContention);
                    r.Exponential(options.ContentionRetryLimit, options.ContentionRetryFirst, options.ContentionRetryMax,
                        options.ContentionRetryFirst);
                });
                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<InvalidMessageException>();
                    r.Ignore<Exception>(StoreContention.IsContention);
                    r.Interval(options.RetryLimit, options.RetryInterval);
                });
                // Durable (MassTransit's default); quorum with a delivery limit unless configured classic.
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    ConsumerQueues.Configure(rabbit, name, options.RabbitMq);
            });

            if (options.Transport == MessagingTransport.InMemory)
            {
                x.UsingInMemory((context, cfg) =>
                {
                    ConfigureBus(context, cfg);
                });
            }
            else
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    ConfigureHost(cfg, options.RabbitMq);
                    cfg.PrefetchCount = options.RabbitMq.PrefetchCount;
                    ConfigureBus(context, cfg);
                });
            }
        });
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            builder.Services.AddSingleton<ObservedQueues>();
            builder.Services.AddReceiveEndpointObserver<QueueNameCollector>();
            builder.Services.AddHostedService<QueueDepthMonitor>();
        }
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }

    /// <summary>A transactional outbox on a service's database and the relay that publishes it.</summary>
    public static IHostApplicationBuilder AddOutbox<TDatabase>(this IHostApplicationBuilder builder) where TDatabase : SqliteDatabase
    {
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration("Messaging:Outbox");
        builder.Services.TryAddTimeProvider();
        builder.Services.AddSingleton<OutboxSignal<TDatabase>>();
        builder.Services.AddSingleton<OutboxWriter<TDatabase>>();
        builder.Services.AddHostedService<OutboxRelay<TDatabase>>();
        return builder;
    }

    /// <summary>
    /// Exchange names from the contracts, enums as strings on the wire (readable by any language), endpoints per consumer.
    /// Messages go out as plain JSON (<see cref="WireFormat"/>); every endpoint reads plain JSON and MassTransit's envelope.
    /// </summary>
    private static void ConfigureBus<TEndpoint>(IBusRegistrationContext context, IBusFactoryConfigurator<TEndpoint> cfg)
        where TEndpoint : IReceiveEndpointConfigurator
    {
        cfg.MessageTopology.SetEntityNameFormatter(new ExchangeNameFormatter(cfg.MessageTopology.EntityNameFormatter));
        cfg.ConfigureJsonSerializerOptions(json =>
        {
            json.Converters.Add(new JsonStringEnumConverter());
            return json;
        });
        // Raw JSON is the default for sending and for bodies without a content type; the envelope deserializer stays
        // registered for application/vnd.masstransit+json, so enveloped messages (older publishers, moved _error
        // messages put back) are still consumed.
        cfg.UseRawJsonSerializer(WireFormat.RawOptions, isDefault: true);
        cfg.ConfigureEndpoints(context);
    }

    private static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, RabbitMqOptions rabbit)
    {
        if (!string.IsNullOrWhiteSpace(rabbit.Url))
        {
            cfg.Host(new Uri(rabbit.Url), h => h.PublisherConfirmation = rabbit.PublisherConfirmation);
            return;
        }
        cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
        {
            h.Username(rabbit.Username);
            h.Password(rabbit.Password);
            h.PublisherConfirmation = rabbit.PublisherConfirmation;
        });
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }
}
