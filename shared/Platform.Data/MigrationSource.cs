using System.Reflection;
using System.Text.RegularExpressions;

namespace Platform.Data;

/// <summary>
/// Ordered schema migrations embedded as <c>Migrations/NNNN_name.sql</c> resources in one assembly.
/// The scope keeps the version numbers of different owners (a service, the messaging tables) apart.
/// </summary>
public sealed partial record MigrationSource(string Scope, Assembly Assembly)
{
    public static MigrationSource FromAssemblyOf<T>(string scope) => new(scope, typeof(T).Assembly);

    public IReadOnlyList<Migration> Load()
    {
        var migrations = new List<Migration>();
        foreach (var resource in Assembly.GetManifestResourceNames())
        {
            var match = MigrationName().Match(resource);
            if (!match.Success)
                continue;
            using var stream = Assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Migration scope '{Scope}' has two migrations numbered {duplicate.Key}.");
        return [.. migrations.OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d+)_(?<name>[\w-]+)\.sql$")]
    private static partial Regex MigrationName();
}

public sealed record Migration(int Version, string Name, string Sql);
