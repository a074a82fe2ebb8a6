using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Platform.Embedding.Encoding;
using Platform.Embedding.Encoding.Onnx;
using Platform.ServiceDefaults;

namespace Embedding.Tests;

public sealed class Int8QuantizationTests(EncoderFixture fixture)
{
    private const int Rows = 4, K = 32, N = 4;

    private static readonly CpuFeatures Cpu = CpuFeatures.Current;

    [Theory]
    [InlineData(Int8WeightRange.Reduced)]
    [InlineData(Int8WeightRange.Full)]
    public void A_weight_product_and_its_bias_become_one_int8_operator_with_a_scale_per_column(Int8WeightRange range)
    {
        SkipWhereTheCpuSaturates(range);
        // Columns of very different magnitude: one scale for the whole matrix would flatten column 1 to zeros. Column 3
        // against row 0 is the worst case for an int16 pair sum (largest activations times largest weights, one sign):
        // it saturates full-range weights on a CPU without VNNI.
        var random = new Random(7);
        var weights = new float[K * N];
        for (var k = 0; k < K; k++)
        {
            weights[k * N + 0] = (float)(random.NextDouble() - 0.5) * 100f;
            weights[k * N + 1] = (float)(random.NextDouble() - 0.5) * 0.01f;
            weights[k * N + 2] = 0f;
            weights[k * N + 3] = 40f + (float)random.NextDouble() * 10f;
        }
        float[] bias = [1f, -2f, 3f, 0f];
        var model = TinyModels.MatMulAddBias(Rows, K, N, weights, bias);
        var input = Enumerable.Range(0, Rows * K).Select(i => i < K ? 0.5f : (float)(random.NextDouble() - 0.5)).ToArray();
        input[K] = -0.5f; // the tensor's range is [-0.5, 0.5], so row 0 quantizes to 255

        var quantized = Int8WeightQuantizer.Quantize(model, reduceRange: range == Int8WeightRange.Reduced);

        Assert.Equal(1, quantized.QuantizedMatMuls);
        Assert.Equal(K * N, quantized.QuantizedParameters);
        Assert.Equal(["DynamicQuantizeMatMul"], TinyModels.OpTypes(quantized.Model));
        var expected = TinyModels.Run(model, input, Rows, K, N);
        var actual = TinyModels.Run(quantized.Model, input, Rows, K, N);
        var limit = range == Int8WeightRange.Reduced ? 63 : 127;
        var inputStep = (input.Max() - input.Min()) / 255f; // the operator quantizes activations to uint8 per tensor
        for (var c = 0; c < N; c++)
        {
            var weightStep = Enumerable.Range(0, K).Max(k => MathF.Abs(weights[k * N + c])) / limit;
            for (var r = 0; r < Rows; r++)
            {
                // Each activation and each weight is off by at most half its step, so the product is off by at most
                // the sum of those errors times the other factor (plus float rounding); int16 saturation is far beyond it.
                var bound = Enumerable.Range(0, K).Sum(k =>
                    MathF.Abs(input[r * K + k]) * weightStep / 2 + MathF.Abs(weights[k * N + c]) * inputStep / 2 + inputStep * weightStep / 4);
                var (e, a) = (expected[r * N + c], actual[r * N + c]);
                Assert.True(MathF.Abs(e - a) <= bound + 1e-4f * (1 + MathF.Abs(e)), $"{range}, row {r}, column {c}: expected {e}, got {a}, bound {bound}");
            }
        }
    }

    [Fact]
    public void Auto_takes_full_range_only_where_the_cpu_computes_it_without_saturation()
    {
        var vnni = Fake(x64: true, avx512Vnni: true);
        var avxVnni = Fake(x64: true, avxVnni: true);
        var avx2Only = Fake(x64: true);
        var arm64 = Fake(x64: false);

        Assert.Equal(Int8WeightRange.Full, Int8DotProduct.Resolve(Int8WeightRange.Auto, vnni));
        Assert.Equal(Int8WeightRange.Full, Int8DotProduct.Resolve(Int8WeightRange.Auto, avxVnni));
        Assert.Equal(Int8WeightRange.Full, Int8DotProduct.Resolve(Int8WeightRange.Auto, arm64));
        Assert.Equal(Int8WeightRange.Reduced, Int8DotProduct.Resolve(Int8WeightRange.Auto, avx2Only));
        Assert.Equal(Int8WeightRange.Reduced, Int8DotProduct.Resolve(Int8WeightRange.Reduced, vnni));
        Assert.Equal(Int8WeightRange.Full, Int8DotProduct.Resolve(Int8WeightRange.Full, vnni));
        var refused = Assert.Throws<NotSupportedException>(() => Int8DotProduct.Resolve(Int8WeightRange.Full, avx2Only));
        Assert.Contains("Use Auto or Reduced", refused.Message);
    }

    [Fact]
    public void The_encoder_runs_the_range_production_takes_on_this_cpu()
    {
        using var auto = new MiniLmEncoder(new MiniLmEncoderOptions { Precision = MiniLmPrecision.Int8 });

        var expected = Cpu.HasSaturationFreeInt8DotProduct ? Int8WeightRange.Full : Int8WeightRange.Reduced;
        Assert.Equal(expected, auto.WeightRange);
        Assert.Equal(expected == Int8WeightRange.Full ? MiniLmEncoder.Int8Id : MiniLmEncoder.Int8ReducedId, auto.ModelId);
        Assert.True(auto.SelfCheckCosine >= Int8SelfCheck.MinimumCosine, $"self-check cosine {auto.SelfCheckCosine} on {Cpu.Describe()}");
    }

    [Fact]
    public void The_encoder_refuses_full_range_where_the_cpu_would_saturate_it()
    {
        if (Cpu.HasSaturationFreeInt8DotProduct)
            Assert.Skip($"This CPU computes full-range int8 exactly, so Full is allowed and there is no refusal to check: {Cpu.Describe()}.");

        var refused = Assert.Throws<NotSupportedException>(() =>
            new MiniLmEncoder(new MiniLmEncoderOptions { Precision = MiniLmPrecision.Int8, Int8WeightRange = Int8WeightRange.Full }));
        Assert.Contains("Int8WeightRange=Full", refused.Message);
    }

    [Fact]
    public void Reduced_range_keeps_weights_within_seven_bits()
    {
        var weights = Enumerable.Range(0, K * N).Select(i => (float)Math.Sin(i)).ToArray();
        var model = TinyModels.MatMulAddBias(Rows, K, N, weights, new float[N]);

        var full = TinyModels.Int8Weights(Int8WeightQuantizer.Quantize(model).Model);
        var reduced = TinyModels.Int8Weights(Int8WeightQuantizer.Quantize(model, reduceRange: true).Model);

        Assert.Equal(127, full.Max(v => Math.Abs((int)v)));
        Assert.Equal(63, reduced.Max(v => Math.Abs((int)v)));
    }

    [Fact]
    public void Products_of_two_activations_stay_in_fp32()
    {
        var model = TinyModels.MatMulOfTwoInputs(Rows, K, N);

        var quantized = Int8WeightQuantizer.Quantize(model);

        Assert.Equal(0, quantized.QuantizedMatMuls);
        Assert.Equal(["MatMul"], TinyModels.OpTypes(quantized.Model));
    }

    [Theory]
    [InlineData(Int8WeightRange.Reduced)]
    [InlineData(Int8WeightRange.Full)]
    public void The_int8_encoder_has_its_own_model_id_and_keeps_directions_and_nearest_neighbours(Int8WeightRange range)
    {
        SkipWhereTheCpuSaturates(range);
        using var int8 = new MiniLmEncoder(new MiniLmEncoderOptions { Precision = MiniLmPrecision.Int8, Int8WeightRange = range });
        string[] texts = [.. SampleTexts.Short, SampleTexts.Long(5), SampleTexts.Long(20)];

        var expected = fixture.Encoder.Encode(texts);
        var actual = int8.Encode(texts);

        Assert.Equal(range, int8.WeightRange);
        Assert.Equal(range == Int8WeightRange.Reduced ? MiniLmEncoder.Int8ReducedId : MiniLmEncoder.Int8Id, int8.ModelId);
        Assert.NotEqual(fixture.Encoder.ModelId, int8.ModelId);
        Assert.InRange(int8.SelfCheckCosine!.Value, Int8SelfCheck.MinimumCosine, 0.999999);
        for (var i = 0; i < texts.Length; i++)
        {
            var cosine = VectorMath.Cosine(expected[i], actual[i]);
            Assert.True(cosine >= Int8SelfCheck.MinimumCosine, $"text {i}: cosine {cosine:F4} to fp32");
            Assert.True(cosine < 0.999999, $"text {i}: identical to fp32, so the int8 model did not run");
        }
        var queries = int8.Encode(["image generation with diffusion", "aligning language models with human preferences", "French medieval literature"]);
        int[] nearest = [2, 3, 5];
        for (var q = 0; q < queries.Length; q++)
            Assert.Equal(nearest[q], Enumerable.Range(0, texts.Length).MaxBy(i => VectorMath.Cosine(queries[q], actual[i])));
    }

    private static void SkipWhereTheCpuSaturates(Int8WeightRange range)
    {
        if (range == Int8WeightRange.Full && !Cpu.HasSaturationFreeInt8DotProduct)
            Assert.Skip($"Full-range int8 weights saturate ONNX Runtime's u8·s8 kernel (vpmaddubsw) on a CPU without VNNI, so production uses " +
                        $"Reduced here; Full is checked on AVX-512 VNNI, AVX-VNNI and arm64 CPUs. This CPU: {Cpu.Describe()}.");
    }

    private static CpuFeatures Fake(bool x64, bool avx512Vnni = false, bool avxVnni = false) => new(
        "test CPU", x64 ? Architecture.X64 : Architecture.Arm64, 2, Avx2: x64, Fma: x64, Avx512F: avx512Vnni,
        Avx512Vnni: avx512Vnni, AvxVnni: avxVnni, Avx512Bf16: false, ArmDotProduct: !x64);
}

/// <summary>Hand-built one-operator ONNX models (protobuf via <see cref="ProtoWriter"/>) and a way to run them.</summary>
internal static class TinyModels
{
    public static byte[] MatMulAddBias(int rows, int k, int n, float[] weights, float[] bias)
    {
        var graph = new ProtoWriter()
            .Msg(1, Node("MatMul", ["X", "W"], ["P"]))
            .Msg(1, Node("Add", ["P", "b"], ["Y"]))
            .Str(2, "tiny")
            .Msg(5, Tensor("W", [k, n], weights))
            .Msg(5, Tensor("b", [n], bias))
            .Msg(11, Value("X", rows, k))
            .Msg(12, Value("Y", rows, n));
        return Model(graph);
    }

    public static byte[] MatMulOfTwoInputs(int rows, int k, int n)
    {
        var graph = new ProtoWriter()
            .Msg(1, Node("MatMul", ["X", "W"], ["Y"]))
            .Str(2, "tiny")
            .Msg(11, Value("X", rows, k))
            .Msg(11, Value("W", k, n))
            .Msg(12, Value("Y", rows, n));
        return Model(graph);
    }

    public static float[] Run(byte[] model, float[] input, int rows, int k, int n)
    {
        using var session = new InferenceSession(model);
        using var x = OrtValue.CreateTensorValueFromMemory(input, [rows, k]);
        using var outputs = session.Run(new RunOptions(), ["X"], [x], ["Y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static string[] OpTypes(byte[] model) =>
        [.. Graph(model).Where(f => f.Number == 1).Select(node => ProtoField.ReadAll(node.Payload).First(f => f.Number == 4).AsString())];

    public static sbyte[] Int8Weights(byte[] model)
    {
        var tensor = Graph(model).Where(f => f.Number == 5)
            .Single(t => ProtoField.ReadInts(t.Payload, 2).Single() == 3 /* INT8 */);
        return MemoryMarshal.Cast<byte, sbyte>(ProtoField.ReadAll(tensor.Payload).Single(f => f.Number == 9).Payload.Span).ToArray();
    }

    private static IEnumerable<ProtoField> Graph(byte[] model) => ProtoField.ReadAll(ProtoField.ReadAll(model).Single(f => f.Number == 7).Payload);

    private static byte[] Model(ProtoWriter graph) =>
        new ProtoWriter().Int(1, 8).Str(2, "tests").Msg(7, graph).Msg(8, new ProtoWriter().Str(1, "").Int(2, 13)).ToArray();

    private static ProtoWriter Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
            node.Str(1, input);
        foreach (var output in outputs)
            node.Str(2, output);
        return node.Str(3, opType.ToLowerInvariant()).Str(4, opType);
    }

    private static ProtoWriter Tensor(string name, long[] dims, float[] values)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
            tensor.Int(1, dim);
        return tensor.Int(2, 1).Str(8, name).Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static ProtoWriter Value(string name, params int[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
            shape.Msg(1, new ProtoWriter().Int(1, dim));
        return new ProtoWriter().Str(1, name).Msg(2, new ProtoWriter().Msg(1, new ProtoWriter().Int(1, 1).Msg(2, shape)));
    }
}
