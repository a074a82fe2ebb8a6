using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Platform.Embedding.Encoding.Onnx;

/// <summary>
/// Whether this CPU multiplies uint8 by int8 without intermediate saturation. ONNX Runtime's x86 kernels use VNNI
/// (vpdpbusd) where present; without it they use vpmaddubsw, whose int16 pair sums saturate for full-range int8
/// weights, so weights must then be quantized to 7 bits (ONNX Runtime's <c>reduce_range</c>).
/// </summary>
public static class Int8DotProduct
{
    public static bool IsSaturationFree { get; } = Detect();

    private static bool Detect()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return RuntimeInformation.ProcessArchitecture == Architecture.Arm64; // sdot/udot/smmla accumulate in int32
        if (AvxVnni.IsSupported)
            return true;
        try
        {
            // .NET exposes AVX-512 VNNI only through Avx10; /proc/cpuinfo lists it on Linux.
            return File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo")
                .Where(line => line.StartsWith("flags", StringComparison.Ordinal))
                .Take(1)
                .Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx512_vnni"));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
