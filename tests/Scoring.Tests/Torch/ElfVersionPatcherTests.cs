using Platform.Scoring.Torch;
using Platform.Testing;

namespace Scoring.Tests.Torch;

public sealed class ElfVersionPatcherTests : IDisposable
{
    private const string Required = TorchRuntime.RequiredLibStdCxxVersion;
    private readonly TempDirectory _temp = new("elf-patch");

    [Fact]
    public void MarkVersionWeak_sets_only_the_weak_bit_of_that_requirement_and_is_idempotent()
    {
        var library = CopyOfPristineLibrary();
        var before = File.ReadAllBytes(library);
        Assert.Equal((ushort)0, ElfVersionPatcher.GetVersionFlags(library, Required));

        Assert.Equal(VersionPatchResult.Patched, ElfVersionPatcher.MarkVersionWeak(library, Required));

        var after = File.ReadAllBytes(library);
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        var offset = Assert.Single(changed);
        Assert.Equal(before[offset] | ElfVersionPatcher.WeakFlag, after[offset]);
        Assert.Equal(ElfVersionPatcher.WeakFlag, ElfVersionPatcher.GetVersionFlags(library, Required));
        Assert.Equal((ushort)0, ElfVersionPatcher.GetVersionFlags(library, "GLIBCXX_3.4.30"));

        Assert.Equal(VersionPatchResult.AlreadyWeak, ElfVersionPatcher.MarkVersionWeak(library, Required));
        Assert.Equal(after, File.ReadAllBytes(library));
    }

    [Fact]
    public void MarkVersionWeak_leaves_a_library_that_does_not_need_the_version_alone()
    {
        var library = CopyOfPristineLibrary();
        var before = File.ReadAllBytes(library);

        Assert.Equal(VersionPatchResult.NotReferenced, ElfVersionPatcher.MarkVersionWeak(library, "GLIBCXX_9.9.99"));
        Assert.Null(ElfVersionPatcher.GetVersionFlags(library, "GLIBCXX_3.4.3")); // a prefix of a real name is no match
        Assert.Equal(before, File.ReadAllBytes(library));
    }

    [Fact]
    public void MarkVersionWeak_rejects_a_file_that_is_not_ELF()
    {
        var text = _temp.File("not-elf.so");
        File.WriteAllText(text, "just some text, long enough to hold an ELF header if it were one........");

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(text, Required));
        Assert.Contains("not an ELF file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkVersionWeak_rejects_32_bit_and_truncated_ELF_files()
    {
        var elf32 = _temp.File("elf32.so");
        File.WriteAllBytes(elf32, [0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 1, 1, .. new byte[57]]);
        var truncated = _temp.File("truncated.so");
        File.WriteAllBytes(truncated, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1]);

        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(elf32, Required));
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(truncated, Required));
    }

    public void Dispose() => _temp.Dispose();

    private string CopyOfPristineLibrary()
    {
        var copy = _temp.File("libLibTorchSharp.so");
        File.Copy(TorchNativePackage.PristineLibraryPath(), copy);
        return copy;
    }
}
