using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;

namespace Platform.Ingestion;

public sealed class IngestionDatabase(IOptionsMonitor<DatabaseOptions> options, ILogger<IngestionDatabase> logger)
    : SqliteDatabase("ingestion", options.Get(IngestionModule.Section), logger,
        MessagingMigrations.Source, MigrationSource.FromAssemblyOf<IngestionDatabase>("ingestion"));
