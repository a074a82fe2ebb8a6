using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;

namespace Shared.Tests.Support;

/// <summary>The schema of the test service: its own table next to the messaging tables, as a real service has.</summary>
public static class TestMigrations
{
    public static MigrationSource Source { get; } = ResourceAssembly.Migrations("test",
        ("0001_effects.sql", """
            -- What a consumer did: one row per effect, so that duplicates show up as extra rows.
            CREATE TABLE effects (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT NOT NULL,
                consumer   TEXT NOT NULL,
                note       TEXT NULL
            );
            """));
}

/// <summary>A service database as a service declares one: resolved from DI, options named after its section.</summary>
public sealed class TestDatabase(IOptionsMonitor<DatabaseOptions> options, ILogger<TestDatabase> logger)
    : SqliteDatabase("test", options.Get(Section), logger, MessagingMigrations.Source, TestMigrations.Source)
{
    public const string Section = "Test";
}

/// <summary>A database built directly by a test, with whatever migrations it needs.</summary>
public sealed class ScratchDatabase(DatabaseOptions options, params MigrationSource[] migrations)
    : SqliteDatabase("scratch", options, NullLogger.Instance, migrations)
{
    public ScratchDatabase(string path, params MigrationSource[] migrations)
        : this(new DatabaseOptions { Path = path }, migrations)
    {
    }

    /// <summary>The same schema as <see cref="TestDatabase"/>, e.g. to prepare its file before a host starts.</summary>
    public static ScratchDatabase LikeTestDatabase(string path) => new(path, MessagingMigrations.Source, TestMigrations.Source);
}
