using Platform.ServiceDefaults;

namespace Platform.Embedding.Encoding.Onnx;

/// <summary>
/// Which int8 weight range this CPU computes exactly. ONNX Runtime's x86 kernels use VNNI (vpdpbusd) where present;
/// without it they use vpmaddubsw, whose int16 sum of two u8·s8 products saturates once 255·|w| exceeds 16,383, so
/// weights must stay within 7 bits there (ONNX Runtime's <c>reduce_range</c>): 2·255·63 = 32,130 fits in int16.
/// </summary>
public static class Int8DotProduct
{
    /// <summary>The range <paramref name="requested"/> means on <paramref name="cpu"/>: Auto becomes Full where it is computed exactly, Reduced elsewhere.</summary>
    /// <exception cref="NotSupportedException">Full was asked for on a CPU that would saturate it.</exception>
    public static Int8WeightRange Resolve(Int8WeightRange requested, CpuFeatures cpu) => requested switch
    {
        Int8WeightRange.Auto => cpu.HasSaturationFreeInt8DotProduct ? Int8WeightRange.Full : Int8WeightRange.Reduced,
        Int8WeightRange.Full when !cpu.HasSaturationFreeInt8DotProduct => throw new NotSupportedException(
            $"Embedding:Encoder:Int8WeightRange=Full needs int8 dot products without int16 saturation (AVX-512 VNNI, AVX-VNNI or arm64); " +
            $"this CPU ({cpu.Describe()}) would compute wrong vectors. Use Auto or Reduced."),
        _ => requested,
    };
}
