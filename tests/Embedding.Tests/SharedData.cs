namespace Embedding.Tests;

/// <summary>Finds <c>../shared/data</c> next to the repository (the folder holding Platform.sln).</summary>
internal static class SharedData
{
    public static string? Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                return System.IO.Directory.Exists(data) ? data : null;
            }
        }
        return null;
    }
}
