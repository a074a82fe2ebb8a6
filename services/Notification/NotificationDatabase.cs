using Microsoft.Extensions.Options;
using Platform.Data;
using Platform.Messaging;

namespace Platform.Notification;

public sealed class NotificationDatabase(IOptionsMonitor<DatabaseOptions> options, ILogger<NotificationDatabase> logger)
    : SqliteDatabase("notification", options.Get(NotificationModule.Section), logger,
        MessagingMigrations.Source, MigrationSource.FromAssemblyOf<NotificationDatabase>("notification"));
