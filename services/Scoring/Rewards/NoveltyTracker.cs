using Platform.Scoring.Torch;
using static TorchSharp.torch;

namespace Platform.Scoring.Rewards;

/// <summary>
/// The novelty reward: 1 − the highest cosine between a listing and the last <c>capacity</c> listings scored (a ring
/// buffer of unit vectors on the device). 1 when nothing was seen yet. Thread-safe.
/// </summary>
public sealed class NoveltyTracker : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Tensor _recent;
    private readonly int _capacity;
    private int _count;
    private int _next;

    public NoveltyTracker(int dimension, int capacity, Device? device = null)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _recent = zeros(capacity, dimension, ScalarType.Float32, device ?? CPU).DetachFromDisposeScope();
    }

    public float Novelty(ReadOnlySpan<float> unitVector)
    {
        var vector = unitVector.ToArray();
        lock (_gate)
        {
            if (_count == 0)
                return 1f;
            using var scope = NewDisposeScope();
            var max = _recent.narrow(0, 0, _count).mv(tensor(vector, ScalarType.Float32, _recent.device)).max().item<float>();
            return Math.Clamp(1f - max, 0f, 2f);
        }
    }

    /// <summary>
    /// The novelty of each of a batch of listings as if they were scored one after another: each is compared with the
    /// recent listings and with the batch's earlier ones (one matrix product for each). Nothing is added.
    /// </summary>
    public float[] NoveltyOfBatch(IReadOnlyList<float[]> unitVectors)
    {
        if (unitVectors.Count == 0)
            return [];
        var flat = unitVectors.SelectMany(v => v).ToArray();
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            var batch = tensor(flat, [unitVectors.Count, _recent.shape[1]], ScalarType.Float32, _recent.device);
            // Earlier batch-mates only: the strictly lower triangle of batch × batchᵀ.
            var best = batch.matmul(batch.t()).masked_fill(ones(unitVectors.Count, unitVectors.Count, ScalarType.Bool, _recent.device).triu(), float.NegativeInfinity)
                .max(1).values;
            if (_count > 0)
                best = maximum(best, batch.matmul(_recent.narrow(0, 0, _count).t()).max(1).values);
            return [.. best.cpu().data<float>().ToArray().Select(max => float.IsNegativeInfinity(max) ? 1f : Math.Clamp(1f - max, 0f, 2f))];
        }
    }

    public void Add(ReadOnlySpan<float> unitVector)
    {
        var vector = unitVector.ToArray();
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            _recent[_next].copy_(tensor(vector, ScalarType.Float32, _recent.device));
            _next = (_next + 1) % _capacity;
            _count = Math.Min(_count + 1, _capacity);
        }
    }

    public void Dispose() => _recent.Dispose();
}
