using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Platform.Scoring.Torch;

/// <summary>
/// Marks a symbol-version requirement (an Elf64_Vernaux entry of <c>.gnu.version_r</c>) as weak, so that the
/// dynamic loader accepts a library whose dependency lacks that version instead of refusing to load it.
/// </summary>
public static class ElfVersionPatcher
{
    public const uint SectionTypeVersionNeed = 0x6ffffffe; // SHT_GNU_verneed
    public const ushort WeakFlag = 0x2; // VER_FLG_WEAK

    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VernauxFlagsOffset = 4;

    /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="versionName"/>, in place (2 bytes).</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static VersionPatchResult MarkVersionWeak(string libraryPath, string versionName)
    {
        var requirement = FindRequirement(libraryPath, versionName);
        if (requirement is null)
        {
            return VersionPatchResult.NotReferenced;
        }

        var (flagsOffset, flags) = requirement.Value;

        if ((flags & WeakFlag) != 0)
        {
            return VersionPatchResult.AlreadyWeak;
        }

        Span<byte> patched = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(patched, (ushort)(flags | WeakFlag));
        using (SafeFileHandle file = File.OpenHandle(libraryPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            RandomAccess.Write(file, patched, flagsOffset);
        }

        return VersionPatchResult.Patched;
    }

    /// <summary>The vna_flags of the requirement named <paramref name="versionName"/>, or null when there is none.</summary>
    public static ushort? GetVersionFlags(string libraryPath, string versionName) =>
        FindRequirement(libraryPath, versionName)?.Flags;

    private static (long FlagsOffset, ushort Flags)? FindRequirement(string libraryPath, string versionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        using var elf = ElfImage.Open(libraryPath);
        if (elf.FindSection(SectionTypeVersionNeed) is not { } section)
        {
            return null;
        }

        var data = elf.ReadSection(section);
        var strings = elf.ReadSection(elf.Section(section.Link));
        var name = Encoding.ASCII.GetBytes(versionName);

        long need = 0;
        for (var i = 0; i < section.Info; i++)
        {
            var verneed = Slice(elf, data, need, VerneedSize);
            var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(verneed[2..]);
            var aux = need + BinaryPrimitives.ReadUInt32LittleEndian(verneed[8..]);
            for (var j = 0; j < auxCount; j++)
            {
                var vernaux = Slice(elf, data, aux, VernauxSize);
                if (ElfImage.StringEquals(strings, BinaryPrimitives.ReadUInt32LittleEndian(vernaux[8..]), name))
                {
                    var flags = BinaryPrimitives.ReadUInt16LittleEndian(vernaux[VernauxFlagsOffset..]);
                    return (section.Offset + aux + VernauxFlagsOffset, flags);
                }

                aux += BinaryPrimitives.ReadUInt32LittleEndian(vernaux[12..]);
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(verneed[12..]);
            if (next == 0)
            {
                break;
            }

            need += next;
        }

        return null;
    }

    private static ReadOnlySpan<byte> Slice(ElfImage elf, byte[] data, long offset, int length) =>
        offset >= 0 && offset + length <= data.Length
            ? data.AsSpan((int)offset, length)
            : throw elf.Invalid("a version entry lies outside .gnu.version_r");
}
