using MassTransit;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Platform.Scoring.Feedback;
using Platform.Scoring.Registry;
using Platform.Scoring.Results;
using Platform.Scoring.Rewards;
using Platform.Scoring.Subscribers;

namespace Platform.Scoring;

/// <summary>The scoring service as a module, composed by its own host and by the embedded all-in-one host.</summary>
public static class ScoringModule
{
    public const string Section = "Scoring";

    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ScoringOptions>().BindConfiguration(Section);
        builder.Services.AddOptions<ScoringBatchOptions>().BindConfiguration($"{Section}:Batch");
        builder.Services.AddSingleton<ScoringMetrics>();
        builder.AddSqliteDatabase<ScoringDatabase>(Section);
        builder.AddOutbox<ScoringDatabase>();
        builder.Services.AddSingleton<SubscriberIndex>();
        builder.Services.AddSingleton<ScoredListingStore>();
        builder.Services.AddSingleton<Rescoring>();
        builder.Services.AddSingleton<RewardModels>();
        builder.Services.AddSingleton<ModelRegistry>();
        builder.Services.AddSingleton<FeedbackTrainer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedbackTrainer>());
        return builder;
    }

    public static void AddScoringConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<StoreInterestsConsumer>();
        bus.AddConsumer<ScoreListingConsumer, ScoreListingConsumerDefinition>();
        bus.AddConsumer<FeedbackConsumer>();
    }

    public static IEndpointRouteBuilder MapScoring(this IEndpointRouteBuilder app) =>
        app.MapScoresApi().MapSubscriberVectorsApi().MapRewardModelsApi().MapDatabaseBackup<ScoringDatabase>();
}
