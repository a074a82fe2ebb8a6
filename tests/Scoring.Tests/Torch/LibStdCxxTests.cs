using Platform.Scoring.Torch;

namespace Scoring.Tests.Torch;

public sealed class LibStdCxxTests
{
    [Fact]
    public void Locate_finds_the_loaded_libstdcxx_and_reads_its_version_definitions()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "libstdc++ is looked up on Linux only.");

        var path = LibStdCxx.Locate();

        Assert.NotNull(path);
        Assert.True(File.Exists(path), path);
        Assert.True(LibStdCxx.Defines(path, "GLIBCXX_3.4"));
        Assert.True(LibStdCxx.Defines(path, "CXXABI_1.3"));
        Assert.False(LibStdCxx.Defines(path, "GLIBCXX_9.9.99"));
        Assert.False(LibStdCxx.Defines(path, "GLIBCXX_3")); // a prefix of real names is no match
    }

    [Fact]
    public void Defines_is_false_for_a_library_that_only_needs_versions()
    {
        // libLibTorchSharp.so requires GLIBCXX versions (.gnu.version_r) but defines none of them (.gnu.version_d).
        Assert.False(LibStdCxx.Defines(TorchNativePackage.PristineLibraryPath(), "GLIBCXX_3.4"));
    }
}
