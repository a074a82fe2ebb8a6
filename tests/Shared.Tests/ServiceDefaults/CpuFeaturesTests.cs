using System.Runtime.InteropServices;
using Platform.ServiceDefaults;

namespace Shared.Tests.ServiceDefaults;

public sealed class CpuFeaturesTests
{
    [Fact]
    public void Cpuid_agrees_with_the_flags_the_linux_kernel_reports()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !File.Exists("/proc/cpuinfo"))
            Assert.Skip($"Needs Linux on x86-64 to compare CPUID with /proc/cpuinfo; this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}.");
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal))
            .Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var cpu = CpuFeatures.Current;

        Assert.Equal(flags.Contains("avx2"), cpu.Avx2);
        Assert.Equal(flags.Contains("fma"), cpu.Fma);
        Assert.Equal(flags.Contains("avx512f"), cpu.Avx512F);
        Assert.Equal(flags.Contains("avx512_vnni"), cpu.Avx512Vnni);
        Assert.Equal(flags.Contains("avx_vnni"), cpu.AvxVnni);
        Assert.Equal(flags.Contains("avx512_bf16"), cpu.Avx512Bf16);
        Assert.Equal(flags.Contains("avx512_vnni") || flags.Contains("avx_vnni"), cpu.HasSaturationFreeInt8DotProduct);
        Assert.NotEqual("unknown CPU", cpu.Name);
    }

    [Fact]
    public void The_description_names_the_processor_and_every_flag_that_picks_a_kernel()
    {
        var cpu = new CpuFeatures("Test CPU 9000", Architecture.X64, 2, Avx2: true, Fma: true, Avx512F: false,
            Avx512Vnni: false, AvxVnni: true, Avx512Bf16: false, ArmDotProduct: false);

        Assert.Equal("Test CPU 9000, x64, 2 logical cores; AVX2 yes, FMA yes, AVX-512 no, AVX-512 VNNI no, AVX-VNNI yes, AVX-512 BF16 no", cpu.Describe());
        Assert.True(cpu.HasSaturationFreeInt8DotProduct);
        Assert.False((cpu with { AvxVnni = false }).HasSaturationFreeInt8DotProduct);
        Assert.True((cpu with { Architecture = Architecture.Arm64, AvxVnni = false }).HasSaturationFreeInt8DotProduct);
    }
}
