using System.Reflection;
using TorchSharp;

namespace Platform.Scoring.Torch;

/// <summary>
/// Where TorchSharp 0.107.0 loads <c>libLibTorchSharp.so</c> from. Its loader first calls
/// <c>NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null)</c>, which probes the host's native search
/// directories (the output's <c>runtimes/linux-x64/native/</c>, or the app folder itself for a RID-specific publish)
/// and TorchSharp.dll's folder. Only when that fails does it copy the NuGet cache's natives into
/// <c>&lt;TorchSharp.dll folder&gt;/cpu/</c> (or <c>cuda-*</c>), skipping files already there, and load from that copy
/// (the cache is found via NUGET_PACKAGES or ~/.nuget/packages).
/// </summary>
/// <remarks>Nothing here touches <c>torch</c>'s members: its type initializer loads the natives, and a failure there is final.</remarks>
internal static class TorchNativeLocations
{
    private const string NativeRid = "linux-x64";

    /// <summary>The existing copies of the native library that this app may load, excluding the NuGet cache's.</summary>
    public static IReadOnlyList<string> AppCopies()
    {
        var baseDir = AppContext.BaseDirectory;
        var dirs = new List<string> { baseDir, Path.Combine(baseDir, "runtimes", NativeRid, "native") };
        if (TorchSharpDirectory() is { } torchDir)
        {
            dirs.Add(torchDir);
            dirs.Add(Path.Combine(torchDir, "cpu"));
            if (Directory.Exists(torchDir))
            {
                dirs.AddRange(Directory.EnumerateDirectories(torchDir, "cuda-*"));
            }
        }

        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
        {
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var cache = NuGetPackagesRoot();
        return dirs
            .Select(dir => Path.GetFullPath(Path.Combine(dir, TorchRuntime.NativeLibraryFileName)))
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists)
            .Where(path => !IsUnder(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path, cache))
            .ToList();
    }

    /// <summary>
    /// Puts the NuGet cache's native library into TorchSharp's fallback folder (<c>cpu/</c>) when it is not there yet,
    /// so that it can be patched before TorchSharp copies the rest and loads it. Returns the copy, or null.
    /// </summary>
    public static string? SeedFallbackCopy()
    {
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        if (TorchSharpDirectory() is not { } torchDir || version is null)
        {
            return null;
        }

        var source = Path.Combine(NuGetPackagesRoot(), "torchsharp", version, "runtimes", NativeRid, "native", TorchRuntime.NativeLibraryFileName);
        var target = Path.Combine(torchDir, "cpu", TorchRuntime.NativeLibraryFileName);
        if (!File.Exists(source) || File.Exists(target) || IsUnder(target, NuGetPackagesRoot()))
        {
            return null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target);
        return target;
    }

    private static string? TorchSharpDirectory() => Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } dir ? dir : null;

    private static string NuGetPackagesRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static bool IsUnder(string path, string root) =>
        Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
