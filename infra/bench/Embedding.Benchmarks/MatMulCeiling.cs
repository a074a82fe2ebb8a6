using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Platform.Embedding.Encoding.Onnx;

namespace Embedding.Benchmarks;

/// <summary>
/// The machine's practical fp32 matrix-product rate: an ONNX graph holding a single MatMul, built here byte by byte
/// (protobuf), run by the same ONNX Runtime (its MLAS SGEMM, the kernel the encoder's MatMul/Gemm nodes use) with the
/// same intra-op thread count. The shapes include the model's own largest products (a 16 x 256-token batch through
/// the 384 -> 1536 and 1536 -> 384 feed-forward layers) and a large square product; the best is the ceiling.
/// </summary>
internal static class MatMulCeiling
{
    public sealed record Result(int M, int K, int N, double GflopPerSecond, int Runs);

    public static IReadOnlyList<Result> Measure(int threads, TimeSpan perShape)
    {
        (int M, int K, int N)[] shapes = [(4096, 384, 1536), (4096, 1536, 384), (1024, 1024, 1024), (2048, 2048, 2048)];
        var results = new List<Result>();
        foreach (var (m, k, n) in shapes)
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var session = new InferenceSession(BuildMatMulModel(m, k, n), options);
            var random = new Random(1);
            var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var c = new float[m * n];
            using var aValue = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
            using var bValue = OrtValue.CreateTensorValueFromMemory(b, [k, n]);
            using var cValue = OrtValue.CreateTensorValueFromMemory(c, [m, n]);
            using var run = new RunOptions();
            void Once() => session.Run(run, ["A", "B"], [aValue, bValue], ["C"], [cValue]);

            Once();
            Once(); // warm-up: thread pool, packing buffers
            var runs = 0;
            var stopwatch = Stopwatch.StartNew();
            while (stopwatch.Elapsed < perShape || runs < 3)
            {
                Once();
                runs++;
            }
            stopwatch.Stop();
            var flops = 2.0 * m * k * n * runs;
            results.Add(new Result(m, k, n, flops / stopwatch.Elapsed.TotalSeconds / 1e9, runs));
        }
        return results;
    }

    /// <summary>ModelProto (IR 8, opset 13) with graph C = MatMul(A[m,k], B[k,n]).</summary>
    internal static byte[] BuildMatMulModel(int m, int k, int n)
    {
        var node = new ProtoWriter().Str(1, "A").Str(1, "B").Str(2, "C").Str(3, "matmul").Str(4, "MatMul");
        var graph = new ProtoWriter()
            .Msg(1, node)
            .Str(2, "single-matmul")
            .Msg(11, TensorValue("A", m, k))
            .Msg(11, TensorValue("B", k, n))
            .Msg(12, TensorValue("C", m, n));
        var opset = new ProtoWriter().Str(1, "").Int(2, 13);
        return new ProtoWriter().Int(1, 8).Str(2, "platform-bench").Msg(7, graph).Msg(8, opset).ToArray();
    }

    // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1 (FLOAT = 1), shape = 2 { dim = 1 { dim_value = 1 } } } } }
    private static ProtoWriter TensorValue(string name, params int[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
            shape.Msg(1, new ProtoWriter().Int(1, dim));
        var tensor = new ProtoWriter().Int(1, 1).Msg(2, shape);
        return new ProtoWriter().Str(1, name).Msg(2, new ProtoWriter().Msg(1, tensor));
    }
}
