using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;
using System.Text;

namespace Platform.ServiceDefaults;

/// <summary>
/// The processor and the instruction sets that decide which kernels ONNX Runtime and LibTorch run on it, read with
/// CPUID (so the same on every OS). Printed by the test command and every benchmark so each number can be traced to
/// its processor; the embedding service picks its int8 weight range from it.
/// </summary>
public sealed record CpuFeatures(
    string Name,
    Architecture Architecture,
    int LogicalCores,
    bool Avx2,
    bool Fma,
    bool Avx512F,
    bool Avx512Vnni,
    bool AvxVnni,
    bool Avx512Bf16,
    bool ArmDotProduct)
{
    public static CpuFeatures Current { get; } = Detect();

    /// <summary>
    /// Int8 products accumulate into int32 without an intermediate int16 step: VNNI (vpdpbusd) on x86-64, every arm64
    /// kernel (sdot/udot, or widening multiply-adds). Without it x86 kernels use vpmaddubsw, whose int16 pair sums
    /// saturate for full-range int8 weights.
    /// </summary>
    public bool HasSaturationFreeInt8DotProduct =>
        Architecture == Architecture.Arm64 || (Architecture == Architecture.X64 && (Avx512Vnni || AvxVnni));

    /// <summary>One line, e.g. "AMD EPYC, x64, 2 logical cores; AVX2 yes, FMA yes, AVX-512 yes, AVX-512 VNNI yes, AVX-VNNI no, AVX-512 BF16 yes".</summary>
    public string Describe()
    {
        var head = $"{Name}, {Architecture.ToString().ToLowerInvariant()}, {LogicalCores} logical cores";
        if (Architecture == Architecture.Arm64)
            return $"{head}; dot product (sdot/udot) {YesNo(ArmDotProduct)}";
        if (Architecture != Architecture.X64)
            return head;
        return $"{head}; AVX2 {YesNo(Avx2)}, FMA {YesNo(Fma)}, AVX-512 {YesNo(Avx512F)}, AVX-512 VNNI {YesNo(Avx512Vnni)}, " +
               $"AVX-VNNI {YesNo(AvxVnni)}, AVX-512 BF16 {YesNo(Avx512Bf16)}";
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static CpuFeatures Detect()
    {
        var architecture = RuntimeInformation.ProcessArchitecture;
        if (!X86.X86Base.IsSupported)
            return new CpuFeatures(OsCpuName() ?? "unknown CPU", architecture, Environment.ProcessorCount,
                false, false, false, false, false, false, ArmDotProduct: Dp.IsSupported);

        var maxLeaf = X86.X86Base.CpuId(0, 0).Eax;
        var (_, leaf7Ebx, leaf7Ecx, _) = maxLeaf >= 7 ? X86.X86Base.CpuId(7, 0) : default;
        var leaf7Sub1Eax = maxLeaf >= 7 ? X86.X86Base.CpuId(7, 1).Eax : 0;
        // The hardware bits, and for the wide registers also the OS (XSAVE state) as the runtime sees it.
        var avx512 = Bit(leaf7Ebx, 16) && X86.Avx512F.IsSupported;
        return new CpuFeatures(
            BrandString() ?? OsCpuName() ?? "unknown CPU",
            architecture,
            Environment.ProcessorCount,
            Avx2: X86.Avx2.IsSupported,
            Fma: X86.Fma.IsSupported,
            Avx512F: avx512,
            Avx512Vnni: avx512 && Bit(leaf7Ecx, 11),
            AvxVnni: X86.Avx2.IsSupported && Bit(leaf7Sub1Eax, 4),
            Avx512Bf16: avx512 && Bit(leaf7Sub1Eax, 5),
            ArmDotProduct: false);
    }

    private static bool Bit(int register, int bit) => (register & (1 << bit)) != 0;

    /// <summary>CPUID leaves 0x80000002–4: the processor's marketing name, e.g. "AMD EPYC 7B13 64-Core Processor".</summary>
    private static string? BrandString()
    {
        if ((uint)X86.X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000004)
            return null;
        var bytes = new byte[48];
        for (var i = 0; i < 3; i++)
        {
            var (eax, ebx, ecx, edx) = X86.X86Base.CpuId(unchecked((int)0x80000002) + i, 0);
            BitConverter.TryWriteBytes(bytes.AsSpan(16 * i), eax);
            BitConverter.TryWriteBytes(bytes.AsSpan(16 * i + 4), ebx);
            BitConverter.TryWriteBytes(bytes.AsSpan(16 * i + 8), ecx);
            BitConverter.TryWriteBytes(bytes.AsSpan(16 * i + 12), edx);
        }
        var name = Encoding.ASCII.GetString(bytes).TrimEnd('\0').Trim();
        return name.Length > 0 ? name : null;
    }

    private static string? OsCpuName()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo")
                    .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal) || l.StartsWith("Model", StringComparison.Ordinal))
                    ?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
