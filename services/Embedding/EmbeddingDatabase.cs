using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;

namespace Platform.Embedding;

public sealed class EmbeddingDatabase(IOptionsMonitor<DatabaseOptions> options, ILogger<EmbeddingDatabase> logger)
    : SqliteDatabase("embedding", options.Get(EmbeddingModule.Section), logger,
        MessagingMigrations.Source, MigrationSource.FromAssemblyOf<EmbeddingDatabase>("embedding"));
