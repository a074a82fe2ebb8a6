using Platform.Data;

namespace Platform.Messaging;

/// <summary>The outbox and inbox tables; every service database that publishes or consumes includes this source.</summary>
public static class MessagingMigrations
{
    public static MigrationSource Source { get; } = MigrationSource.FromAssemblyOf<OutboxMessage>("messaging");
}
