using System.Reflection;
using TorchSharp;

namespace Scoring.Tests.Torch;

/// <summary>The pristine (never patched) native library in the NuGet cache, which TorchRuntime never writes to.</summary>
internal static class TorchNativePackage
{
    public static string PristineLibraryPath()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "libLibTorchSharp.so is the Linux native library.");
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.SkipUnless(File.Exists(path), $"{path} is absent (restore the solution first).");
        return path;
    }
}
