using System.Reflection;
using System.Text;
using Platform.Data;

namespace Shared.Tests.Support;

/// <summary>
/// An assembly whose only content is a set of manifest resources held in memory, so that tests can give
/// <see cref="MigrationSource"/> their own <c>*.Migrations.NNNN_name.sql</c> files without embedding them in the test project.
/// <see cref="MigrationSource"/> only reads <see cref="Assembly.GetManifestResourceNames"/> and
/// <see cref="Assembly.GetManifestResourceStream(string)"/>, exactly as it does for a compiled assembly.
/// </summary>
public sealed class ResourceAssembly(string name, IReadOnlyDictionary<string, string> resources) : Assembly
{
    public override string FullName => name;

    public override string[] GetManifestResourceNames() => [.. resources.Keys];

    public override Stream? GetManifestResourceStream(string name) =>
        resources.TryGetValue(name, out var text) ? new MemoryStream(Encoding.UTF8.GetBytes(text)) : null;

    /// <summary>A migration source of <paramref name="scope"/> whose migrations are named <c>{Scope}.Migrations.{file}</c>.</summary>
    public static MigrationSource Migrations(string scope, params (string File, string Sql)[] files) =>
        new(scope, new ResourceAssembly($"Fake.{scope}", files.ToDictionary(f => $"Fake.{scope}.Migrations.{f.File}", f => f.Sql)));
}
