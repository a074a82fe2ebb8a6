using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Platform.Scoring.Torch;

/// <summary>Read-only view of an ELF64 little-endian file's section headers and sections.</summary>
internal sealed class ElfImage : IDisposable
{
    private const int SectionHeaderSize = 64;
    private static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    private readonly SafeFileHandle _file;
    private readonly ElfSection[] _sections;

    private ElfImage(SafeFileHandle file, string filePath, ElfSection[] sections)
    {
        _file = file;
        FilePath = filePath;
        _sections = sections;
    }

    public string FilePath { get; }

    public static ElfImage Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            return new ElfImage(file, path, ReadSectionHeaders(file, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public ElfSection? FindSection(uint type)
    {
        foreach (var section in _sections)
        {
            if (section.Type == type)
            {
                return section;
            }
        }

        return null;
    }

    public ElfSection Section(uint index) =>
        index < _sections.Length ? _sections[index] : throw Invalid($"section index {index} is out of range");

    public byte[] ReadSection(ElfSection section)
    {
        var length = RandomAccess.GetLength(_file);
        if (section.Offset < 0 || section.Size < 0 || section.Size > int.MaxValue || section.Offset + section.Size > length)
        {
            throw Invalid("a section lies outside the file");
        }

        var data = new byte[section.Size];
        ReadExactly(_file, data, section.Offset, FilePath);
        return data;
    }

    /// <summary>True when the NUL-terminated string at <paramref name="offset"/> equals <paramref name="name"/>.</summary>
    public static bool StringEquals(byte[] strings, uint offset, ReadOnlySpan<byte> name)
    {
        if (offset >= strings.Length)
        {
            return false;
        }

        var rest = strings.AsSpan((int)offset);
        var end = rest.IndexOf((byte)0);
        return (end < 0 ? rest : rest[..end]).SequenceEqual(name);
    }

    public void Dispose() => _file.Dispose();

    public InvalidDataException Invalid(string problem) => new($"'{FilePath}' is not a valid ELF64 little-endian file: {problem}.");

    private static ElfSection[] ReadSectionHeaders(SafeFileHandle file, string path)
    {
        Span<byte> header = stackalloc byte[64];
        var read = RandomAccess.Read(file, header, 0);
        if (read < Magic.Length || !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not an ELF file (no ELF magic number).");
        }

        if (read < header.Length)
        {
            throw new InvalidDataException($"'{path}' is a truncated ELF file ({read} bytes).");
        }

        if (header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"'{path}' is an ELF file but not ELF64 little-endian (class {header[4]}, data {header[5]}).");
        }

        var tableOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3A..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3C..]);
        if (tableOffset == 0)
        {
            return [];
        }

        if (entrySize < SectionHeaderSize)
        {
            throw new InvalidDataException($"'{path}' is not a valid ELF64 file: section header size {entrySize} is too small.");
        }

        var entry = new byte[SectionHeaderSize];
        if (count == 0)
        {
            // Extended numbering: with 0xff00 or more sections the real count sits in section 0's sh_size.
            ReadExactly(file, entry, tableOffset, path);
            count = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32));
        }

        var length = RandomAccess.GetLength(file);
        if (tableOffset < 0 || tableOffset > length || count < 0 || count > (length - tableOffset) / entrySize)
        {
            throw new InvalidDataException($"'{path}' is not a valid ELF64 file: the section header table lies outside the file.");
        }

        var sections = new ElfSection[count];
        for (var i = 0; i < count; i++)
        {
            ReadExactly(file, entry, tableOffset + i * entrySize, path);
            var span = entry.AsSpan();
            sections[i] = new ElfSection(
                Type: BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
                Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(span[24..]),
                Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
                Link: BinaryPrimitives.ReadUInt32LittleEndian(span[40..]),
                Info: BinaryPrimitives.ReadUInt32LittleEndian(span[44..]));
        }

        return sections;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new InvalidDataException($"'{path}' ends unexpectedly at offset {offset}.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
