using MassTransit;
using Platform.Data;
using Platform.Ingestion.Listings;
using Platform.Messaging;
using Platform.ServiceDefaults;

namespace Platform.Ingestion;

/// <summary>The ingestion service as a module, so that its own host and the embedded all-in-one host compose it the same way.</summary>
public static class IngestionModule
{
    public const string Section = "Ingestion";

    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(Section);
        builder.AddSqliteDatabase<IngestionDatabase>(Section);
        builder.AddOutbox<IngestionDatabase>();
        builder.Services.AddSingleton<ListingValidator>();
        builder.Services.AddSingleton<IngestionMetrics>();
        builder.Services.AddSingleton<ListingStore>();
        builder.Services.AddSingleton<ListingRejections>();
        builder.Services.AddReceiveObserver<SubmissionFaultObserver>();
        return builder;
    }

    public static void AddIngestionConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<SubmitListingConsumer>();

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app) => app.MapListingsApi().MapDatabaseBackup<IngestionDatabase>();
}
