using Platform.Embedding.Encoding;
using Platform.Embedding.Encoding.Onnx;
using Platform.ServiceDefaults;

namespace Scoring.Benchmarks;

/// <summary>
/// The encoder an evaluation embeds with: <c>--precision fp32</c> (default) or <c>int8</c>, and with int8
/// <c>--int8-range auto|full|reduced</c> (Embedding:Encoder:Int8WeightRange); each model id has its own cache file.
/// </summary>
public sealed record EvalEncoder(MiniLmEncoderOptions Options, string ModelId)
{
    public static EvalEncoder From(IReadOnlyDictionary<string, string> options)
    {
        var precision = Enum.Parse<MiniLmPrecision>(options.GetValueOrDefault("precision") ?? nameof(MiniLmPrecision.Fp32), ignoreCase: true);
        var range = Enum.Parse<Int8WeightRange>(options.GetValueOrDefault("int8-range") ?? nameof(Int8WeightRange.Auto), ignoreCase: true);
        var modelId = precision == MiniLmPrecision.Fp32 ? MiniLmEncoder.Id
            : Int8DotProduct.Resolve(range, CpuFeatures.Current) == Int8WeightRange.Reduced ? MiniLmEncoder.Int8ReducedId : MiniLmEncoder.Int8Id;
        return new EvalEncoder(new MiniLmEncoderOptions { Precision = precision, Int8WeightRange = range }, modelId);
    }

    public MiniLmEncoder Create() => new(Options);

    public EmbeddingCache Cache(string directory) => new(directory, ModelId);
}
