using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Platform.Data;
using Platform.ServiceDefaults.Access;

namespace Platform.ServiceDefaults;

public static class DatabaseBackup
{
    public const string ContentType = "application/vnd.sqlite3";

    /// <summary>
    /// <c>GET /admin/backup/{name}</c> (admin key): a consistent copy of the service's SQLite store taken online with
    /// <c>VACUUM INTO</c> (a read transaction: writers carry on, the copy is one point in time and compacted), streamed
    /// back and deleted. The database's own name in the path keeps the routes apart when one host serves several stores.
    /// </summary>
    public static IEndpointRouteBuilder MapDatabaseBackup<TDatabase>(this IEndpointRouteBuilder app) where TDatabase : SqliteDatabase
    {
        var name = app.ServiceProvider.GetRequiredService<TDatabase>().Name;
        app.MapGet($"/admin/backup/{name}", async (TDatabase database, TimeProvider clock, CancellationToken ct) =>
            {
                var copy = Path.Combine(Path.GetTempPath(), $"platform-backup-{Guid.NewGuid():N}.db");
                await using (var connection = await database.OpenAsync(ct))
                await using (var vacuum = connection.CreateCommand())
                {
                    vacuum.CommandText = "VACUUM INTO @Path";
                    vacuum.Parameters.AddWithValue("@Path", copy);
                    await vacuum.ExecuteNonQueryAsync(ct);
                }
                var stream = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920,
                    FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                return Results.File(stream, ContentType, $"{name}-{clock.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}.db");
            })
            .RequireAuthorization(AccessRoles.Admin)
            .WithTags("Administration")
            .WithName($"Backup{char.ToUpperInvariant(name[0])}{name[1..]}Database")
            .Produces(StatusCodes.Status200OK, contentType: ContentType);
        return app;
    }
}
