using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Platform.Scoring.Torch;

/// <summary>
/// Loads TorchSharp's native runtime once per process. On Linux distributions whose libstdc++ predates
/// <see cref="RequiredLibStdCxxVersion"/> (Debian 12) it first marks that requirement weak in the copies of
/// <see cref="NativeLibraryFileName"/> the app loads; the one symbol behind it is not needed at run time.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Needed by libLibTorchSharp.so 0.107.0 for <c>std::ios_base_library_init()</c> only (GCC 13); Debian 12 stops at 3.4.30.</summary>
    public const string RequiredLibStdCxxVersion = "GLIBCXX_3.4.32";
    public const string NativeLibraryFileName = "libLibTorchSharp.so";

    private static readonly Lock Gate = new();
    private static volatile bool _loaded;

    /// <summary>Makes TorchSharp loadable (patching where needed), loads it and runs a tiny computation.</summary>
    /// <exception cref="InvalidOperationException">The native runtime still fails to load; the message says why.</exception>
    public static void EnsureLoaded(ILogger? logger = null)
    {
        if (_loaded)
        {
            return;
        }

        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }

            logger ??= NullLogger.Instance;
            if (OperatingSystem.IsLinux())
            {
                MakeLoadableOnLinux(logger);
            }

            Load();
            _loaded = true;
            logger.LogInformation("TorchSharp loaded (libtorch {LibTorchVersion})", __version__);
        }
    }

    /// <summary>
    /// "cuda", "cuda:N" or "auto" give a CUDA device when <c>torch.cuda.is_available()</c>; otherwise, and for "cpu", the CPU.
    /// </summary>
    public static Device SelectDevice(string preference, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(preference);
        var wanted = preference.Trim().ToLowerInvariant();
        var wantsCuda = wanted is "cuda" or "auto" || wanted.StartsWith("cuda:", StringComparison.Ordinal);
        if (!wantsCuda && wanted != "cpu")
        {
            throw new ArgumentException($"Unknown device '{preference}'; expected 'cpu', 'cuda', 'cuda:N' or 'auto'.", nameof(preference));
        }

        EnsureLoaded(logger);
        logger ??= NullLogger.Instance;
        if (wantsCuda && IsCudaAvailable())
        {
            var device = wanted == "auto" ? CUDA : torch.device(wanted);
            logger.LogInformation("Torch device: {Device} (requested '{Preference}')", device, preference);
            return device;
        }

        if (wantsCuda && wanted != "auto")
        {
            logger.LogWarning("Torch device: CPU, because CUDA was requested ('{Preference}') but is not available", preference);
        }
        else
        {
            logger.LogInformation("Torch device: CPU (requested '{Preference}')", preference);
        }

        return CPU;
    }

    private static void MakeLoadableOnLinux(ILogger logger)
    {
        string? libStdCxx = null;
        try
        {
            libStdCxx = LibStdCxx.Locate();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not look up the system libstdc++; patching anyway");
        }

        if (libStdCxx is not null && Defines(libStdCxx, logger))
        {
            logger.LogDebug("{LibStdCxx} defines {Version}; {NativeLibrary} needs no patch", libStdCxx, RequiredLibStdCxxVersion, NativeLibraryFileName);
            return;
        }

        logger.LogInformation(
            "{LibStdCxx} lacks {Version}; marking that requirement weak in the app's copies of {NativeLibrary}",
            libStdCxx ?? "No libstdc++ found", RequiredLibStdCxxVersion, NativeLibraryFileName);
        foreach (var candidate in TorchNativeLocations.AppCopies())
        {
            Patch(candidate, logger);
        }

        // A failed TorchSharp load cannot be retried (torch's type initializer fails for good), so try TorchSharp's
        // regular load here first; if it fails, TorchSharp would load an unpatched copy into cpu/, so put a patched one there.
        if (!NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out _))
        {
            SeedFallbackCopy(logger);
        }
    }

    private static bool Defines(string libStdCxx, ILogger logger)
    {
        try
        {
            return LibStdCxx.Defines(libStdCxx, RequiredLibStdCxxVersion);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogWarning(ex, "Could not read the versions {LibStdCxx} defines; patching anyway", libStdCxx);
            return false;
        }
    }

    private static void SeedFallbackCopy(ILogger logger)
    {
        try
        {
            if (TorchNativeLocations.SeedFallbackCopy() is { } seeded)
            {
                logger.LogInformation("Regular load of {NativeLibrary} failed; seeded TorchSharp's fallback copy {Path}", NativeLibraryFileName, seeded);
                Patch(seeded, logger);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not seed TorchSharp's fallback copy of {NativeLibrary}", NativeLibraryFileName);
        }
    }

    private static void Patch(string path, ILogger logger)
    {
        try
        {
            var result = ElfVersionPatcher.MarkVersionWeak(path, RequiredLibStdCxxVersion);
            logger.Log(result == VersionPatchResult.Patched ? LogLevel.Information : LogLevel.Debug, "{Path}: {Result}", path, result);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogWarning(ex, "Could not patch {Path}; TorchSharp may fail to load from it", path);
        }
    }

    private static void Load()
    {
        try
        {
            InitializeDeviceType(DeviceType.CPU);
            using var scope = NewDisposeScope();
            var check = ones(2, 3).matmul(ones(3, 2)).sum().item<float>();
            if (check != 12f)
            {
                throw new InvalidOperationException($"A 2x3 by 3x2 product of ones summed to {check} instead of 12.");
            }
        }
        catch (Exception ex)
        {
            // TorchSharp's own message blames a missing package whatever the cause; the loader's message names the real one.
            var torchSharpSays = ex.GetBaseException().Message.Split('\n')[0];
            throw new InvalidOperationException(
                $"TorchSharp's native runtime could not be loaded or used. Dynamic loader: {LoaderError() ?? "loads it"}. " +
                $"TorchSharp: {torchSharpSays} On Linux with a libstdc++ older than {RequiredLibStdCxxVersion}, {nameof(TorchRuntime)} " +
                $"must be able to write to the app's copies of {NativeLibraryFileName} (see the warnings logged before). " +
                "TorchSharp cannot be retried in this process.",
                ex);
        }
    }

    private static string? LoaderError()
    {
        try
        {
            NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
            return null;
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message.Trim();
        }
    }

    private static bool IsCudaAvailable()
    {
        try
        {
            return cuda.is_available();
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or DllNotFoundException or ExternalException)
        {
            return false;
        }
    }
}
