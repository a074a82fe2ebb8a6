using Xunit;

namespace Platform.Testing;

/// <summary>
/// Locates the repository and the shared data folder (<c>../shared/data</c> next to the repository, not committed).
/// </summary>
public static class SharedData
{
    /// <summary>Overrides the data folder (absolute path).</summary>
    public const string DataDirectoryVariable = "PLATFORM_SHARED_DATA";

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder that contains <c>Platform.sln</c> (found by walking up from the test binaries).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// <c>&lt;RepositoryRoot&gt;/../shared/data</c> (or <c>$PLATFORM_SHARED_DATA</c> when set); it may not exist.
    /// </summary>
    public static string DataDirectory
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(DataDirectoryVariable);
            return !string.IsNullOrWhiteSpace(overridden)
                ? Path.GetFullPath(overridden)
                : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
        }
    }

    /// <summary>Full path of <paramref name="name"/> in the data folder, or null when it is absent.</summary>
    public static string? TryGetFile(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = Path.Combine(DataDirectory, name);
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// Full path of <paramref name="name"/> in the data folder; skips the calling test when the file is absent
    /// (the data is not part of the repository).
    /// </summary>
    public static string RequireFile(string name)
    {
        var path = TryGetFile(name);
        if (path is null)
        {
            Assert.Skip(
                $"../shared/data/{name} is absent: expected at {Path.Combine(DataDirectory, name)} " +
                $"(the shared data folder next to the repository, or ${DataDirectoryVariable}).");
        }

        return path;
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"Platform.sln not found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }
}
