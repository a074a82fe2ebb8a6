using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;

namespace Platform.Scoring;

public sealed class ScoringDatabase(IOptionsMonitor<DatabaseOptions> options, ILogger<ScoringDatabase> logger)
    : SqliteDatabase("scoring", options.Get(ScoringModule.Section), logger,
        MessagingMigrations.Source, MigrationSource.FromAssemblyOf<ScoringDatabase>("scoring"));
