using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Platform.Scoring.Torch;

/// <summary>Finds the GNU C++ runtime the dynamic loader gives this process and reads which symbol versions it defines.</summary>
public static class LibStdCxx
{
    public const string Soname = "libstdc++.so.6";
    public const uint SectionTypeVersionDefinition = 0x6ffffffd; // SHT_GNU_verdef

    private static readonly string[] WellKnownDirectories =
        ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib"];

    /// <summary>True when the libstdc++ this process would load defines <paramref name="versionName"/>; false off Linux or when none is found.</summary>
    public static bool SystemProvides(string versionName) => Locate() is { } path && Defines(path, versionName);

    /// <summary>Path of the libstdc++ the dynamic loader resolves for this process, or null (not Linux, or not found).</summary>
    public static string? Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // Loading by soname lets the loader apply its own rules (LD_LIBRARY_PATH, ld.so.cache); the mapping names the file it chose.
        if (NativeLibrary.TryLoad(Soname, out _) && FindMapped(Soname) is { } mapped)
        {
            return mapped;
        }

        return WellKnownDirectories.Select(dir => Path.Combine(dir, Soname)).FirstOrDefault(File.Exists);
    }

    /// <summary>True when the ELF file's <c>.gnu.version_d</c> section defines <paramref name="versionName"/>.</summary>
    public static bool Defines(string libraryPath, string versionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        using var elf = ElfImage.Open(libraryPath);
        if (elf.FindSection(SectionTypeVersionDefinition) is not { } section)
        {
            return false;
        }

        var data = elf.ReadSection(section);
        var strings = elf.ReadSection(elf.Section(section.Link));
        var name = Encoding.ASCII.GetBytes(versionName);

        // Elf64_Verdef: vd_aux at 12, vd_next at 16; the first Elf64_Verdaux (vda_name at 0) names the version.
        long offset = 0;
        for (var i = 0; i < section.Info && offset >= 0 && offset + 20 <= data.Length; i++)
        {
            var aux = offset + BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)offset + 12));
            if (aux + 8 <= data.Length && ElfImage.StringEquals(strings, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)aux)), name))
            {
                return true;
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)offset + 16));
            if (next == 0)
            {
                break;
            }

            offset += next;
        }

        return false;
    }

    private static string? FindMapped(string soname)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/');
            if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith(soname, StringComparison.Ordinal))
            {
                return line[slash..];
            }
        }

        return null;
    }
}
