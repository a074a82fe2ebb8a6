using MassTransit;
using Platform.Data;
using Platform.Embedding.Encoding;
using Platform.Embedding.Vectors;
using Platform.Messaging;
using Platform.ServiceDefaults;

namespace Platform.Embedding;

/// <summary>The embedding service as a module, composed by its own host and by the embedded all-in-one host.</summary>
public static class EmbeddingModule
{
    public const string Section = "Embedding";

    public static IHostApplicationBuilder AddEmbedding(this IHostApplicationBuilder builder)
    {
        builder.AddSqliteDatabase<EmbeddingDatabase>(Section);
        builder.AddOutbox<EmbeddingDatabase>();
        builder.Services.AddOptions<MiniLmEncoderOptions>().BindConfiguration($"{Section}:Encoder");
        builder.Services.AddOptions<EmbeddingBatchOptions>().BindConfiguration($"{Section}:Batch");
        builder.Services.AddSingleton<ITextEncoder>(sp => new MiniLmEncoder(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MiniLmEncoderOptions>>().Value,
            sp.GetRequiredService<ILogger<MiniLmEncoder>>()));
        builder.Services.AddSingleton<EmbeddingTelemetry>();
        builder.Services.AddSingleton<VectorStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEmbedding(this IEndpointRouteBuilder app) =>
        app.MapEmbeddingsApi().MapDatabaseBackup<EmbeddingDatabase>();

    public static void AddEmbeddingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<EmbedListingConsumer, EmbedListingConsumerDefinition>();
        bus.AddConsumer<EmbedInterestsConsumer>();
    }
}
