using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Platform.Embedding.Encoding;
using Platform.Embedding.Encoding.Onnx;

namespace Embedding.Tests;

public sealed class Int8QuantizationTests(EncoderFixture fixture)
{
    private const int Rows = 4, K = 32, N = 3;

    [Fact]
    public void A_weight_product_and_its_bias_become_one_int8_operator_with_a_scale_per_column()
    {
        // Columns of very different magnitude: one scale for the whole matrix would flatten column 1 to zeros.
        var random = new Random(7);
        var weights = new float[K * N];
        for (var k = 0; k < K; k++)
        {
            weights[k * N + 0] = (float)(random.NextDouble() - 0.5) * 100f;
            weights[k * N + 1] = (float)(random.NextDouble() - 0.5) * 0.01f;
            weights[k * N + 2] = 0f;
        }
        float[] bias = [1f, -2f, 3f];
        var model = TinyModels.MatMulAddBias(Rows, K, N, weights, bias);
        var input = Enumerable.Range(0, Rows * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        var quantized = Int8WeightQuantizer.Quantize(model);

        Assert.Equal(1, quantized.QuantizedMatMuls);
        Assert.Equal(K * N, quantized.QuantizedParameters);
        Assert.Equal(["DynamicQuantizeMatMul"], TinyModels.OpTypes(quantized.Model));
        var expected = TinyModels.Run(model, input, Rows, K, N);
        var actual = TinyModels.Run(quantized.Model, input, Rows, K, N);
        for (var c = 0; c < N; c++)
        {
            var column = Enumerable.Range(0, Rows).Select(r => (Expected: expected[r * N + c], Actual: actual[r * N + c])).ToArray();
            var spread = column.Max(x => MathF.Abs(x.Expected - bias[c])) + 1e-6f;
            foreach (var (e, a) in column)
                Assert.True(MathF.Abs(e - a) <= 0.03f * spread + 1e-4f, $"column {c}: expected {e}, got {a}");
        }
    }

    [Fact]
    public void Reduced_range_keeps_weights_within_seven_bits()
    {
        var weights = Enumerable.Range(0, K * N).Select(i => (float)Math.Sin(i)).ToArray();
        var model = TinyModels.MatMulAddBias(Rows, K, N, weights, [0f, 0f, 0f]);

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

    [Fact]
    public void The_int8_encoder_has_its_own_model_id_and_keeps_directions_and_nearest_neighbours()
    {
        using var int8 = new MiniLmEncoder(new MiniLmEncoderOptions { Precision = MiniLmPrecision.Int8 });
        string[] texts = [.. SampleTexts.Short, SampleTexts.Long(5), SampleTexts.Long(20)];

        var expected = fixture.Encoder.Encode(texts);
        var actual = int8.Encode(texts);

        Assert.Equal(MiniLmEncoder.Int8Id, int8.ModelId);
        Assert.NotEqual(fixture.Encoder.ModelId, int8.ModelId);
        for (var i = 0; i < texts.Length; i++)
        {
            var cosine = VectorMath.Cosine(expected[i], actual[i]);
            Assert.True(cosine >= 0.98, $"text {i}: cosine {cosine:F4} to fp32");
            Assert.True(cosine < 0.999999, $"text {i}: identical to fp32, so the int8 model did not run");
        }
        var queries = int8.Encode(["image generation with diffusion", "aligning language models with human preferences", "French medieval literature"]);
        int[] nearest = [2, 3, 5];
        for (var q = 0; q < queries.Length; q++)
            Assert.Equal(nearest[q], Enumerable.Range(0, texts.Length).MaxBy(i => VectorMath.Cosine(queries[q], actual[i])));
    }
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
