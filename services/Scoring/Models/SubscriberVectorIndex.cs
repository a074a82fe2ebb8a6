using Platform.Scoring.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Platform.Scoring.Models;

/// <summary>
/// Subscribers' unit vectors as the rows of one float32 matrix on a Torch device, so that scoring a listing against
/// every subscriber is a single matrix-vector product. Thread-safe; all operations are serialised.
/// </summary>
public sealed class SubscriberVectorIndex : IDisposable
{
    private const int InitialCapacity = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _rowOf = [];
    private readonly List<Guid> _idAt = [];
    private Tensor _matrix;
    private bool _disposed;

    /// <param name="storage">
    /// Element type of the stored vectors: <c>Float32</c> (exact), or <c>BFloat16</c>/<c>Float16</c> (half the memory:
    /// 1,000,000 × 384 in 768 MB). Products are always computed in float32 on the CPU.
    /// </param>
    public SubscriberVectorIndex(int dimension, Device device, ScalarType storage = ScalarType.Float32, int capacity = InitialCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentNullException.ThrowIfNull(device);
        if (storage is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentOutOfRangeException(nameof(storage), storage, "Float32, BFloat16 or Float16.");
        TorchRuntime.EnsureLoaded();
        Dimension = dimension;
        Device = device;
        Storage = storage;
        _matrix = zeros(Math.Max(1, capacity), dimension, storage, device).DetachFromDisposeScope(); // owned by this index, not a caller's scope
    }

    public ScalarType Storage { get; }

    /// <summary>Rows scored per matrix product in <see cref="ScoreBatch"/>: bounds the temporary score matrix.</summary>
    public int ChunkRows { get; init; } = 65_536;

    public int Dimension { get; }

    public Device Device { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _idAt.Count;
            }
        }
    }

    /// <summary>Adds the subscriber, or replaces its vector. The vector is stored normalised to unit length.</summary>
    public void Upsert(Guid id, ReadOnlySpan<float> vector)
    {
        var unit = ToUnitVector(vector, nameof(vector));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_rowOf.TryGetValue(id, out var row))
            {
                row = _idAt.Count;
                EnsureCapacity(row + 1);
                _rowOf.Add(id, row);
                _idAt.Add(id);
            }

            using var scope = NewDisposeScope();
            _matrix[row].copy_(tensor(unit, ScalarType.Float32, Device).to_type(Storage));
        }
    }

    /// <summary>Adds many subscribers at once (ids must be new); much faster than one <see cref="Upsert"/> each.</summary>
    public void AddRange(IReadOnlyList<Guid> ids, Tensor unitRows)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var start = _idAt.Count;
            EnsureCapacity(start + ids.Count);
            using var scope = NewDisposeScope();
            _matrix.narrow(0, start, ids.Count).copy_(unitRows.to(Storage, Device));
            for (var i = 0; i < ids.Count; i++)
            {
                _rowOf.Add(ids[i], start + i);
                _idAt.Add(ids[i]);
            }
        }
    }

    /// <summary>
    /// Scores a batch of listings (rows of <paramref name="listings"/>, unit length) against every subscriber: matrix
    /// products over chunks of subscribers, with the threshold and a running top-k per listing kept on the device.
    /// </summary>
    public IReadOnlyList<SubscriberScore>[] ScoreBatch(Tensor listings, float minScore = float.NegativeInfinity, int topK = 100)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var batch = (int)listings.shape[0];
            var count = _idAt.Count;
            var result = new IReadOnlyList<SubscriberScore>[batch];
            if (count == 0)
            {
                Array.Fill(result, []);
                return result;
            }

            using var scope = NewDisposeScope();
            var compute = Device.type == DeviceType.CUDA ? Storage : ScalarType.Float32;
            var queries = listings.to(compute, Device); // B × D
            Tensor? bestValues = null, bestRows = null;
            for (var start = 0; start < count; start += ChunkRows)
            {
                using var chunkScope = NewDisposeScope();
                var rows = Math.Min(ChunkRows, count - start);
                var chunk = _matrix.narrow(0, start, rows);
                // B × rows, contiguous along the subscribers, so top-k runs over contiguous memory.
                var scores = queries.matmul((chunk.dtype == compute ? chunk : chunk.to_type(compute)).t());
                var k = Math.Min(topK, rows);
                var (values, index) = scores.topk(k, dim: 1);
                index = index + start;
                if (bestValues is null)
                {
                    bestValues = values.to_type(ScalarType.Float32);
                    bestRows = index;
                }
                else
                {
                    var (merged, at) = cat([bestValues, values.to_type(ScalarType.Float32)], 1).topk(Math.Min(topK, (int)bestValues.shape[1] + k), dim: 1);
                    bestRows = cat([bestRows!, index], 1).gather(1, at);
                    bestValues = merged;
                }

                bestValues = bestValues.MoveToOuterDisposeScope();
                bestRows = bestRows!.MoveToOuterDisposeScope();
            }

            var passing = bestValues!.ge(minScore).sum(1).cpu().data<long>().ToArray();
            var topValues = bestValues.clamp(-1f, 1f).cpu().data<float>().ToArray();
            var topRows = bestRows!.cpu().data<long>().ToArray();
            var width = (int)bestValues.shape[1];
            for (var b = 0; b < batch; b++)
            {
                var matches = new SubscriberScore[passing[b]];
                for (var i = 0; i < matches.Length; i++)
                    matches[i] = new SubscriberScore(_idAt[(int)topRows[b * width + i]], topValues[b * width + i]);
                result[b] = matches;
            }

            return result;
        }
    }

    /// <summary>Removes the subscriber; the last row moves into its place.</summary>
    public bool Remove(Guid id)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_rowOf.Remove(id, out var row))
            {
                return false;
            }

            var last = _idAt.Count - 1;
            if (row != last)
            {
                using var scope = NewDisposeScope();
                _matrix[row].copy_(_matrix[last]);
                var moved = _idAt[last];
                _idAt[row] = moved;
                _rowOf[moved] = row;
            }

            _idAt.RemoveAt(last);
            return true;
        }
    }

    /// <summary>
    /// Cosine similarity of <paramref name="listingVector"/> with every subscriber, keeping scores at or above
    /// <paramref name="minScore"/> and at most <paramref name="topK"/> of them, highest first.
    /// </summary>
    public IReadOnlyList<SubscriberScore> ScoreAll(ReadOnlySpan<float> listingVector, float minScore = float.NegativeInfinity, int topK = int.MaxValue)
    {
        var unit = ToUnitVector(listingVector, nameof(listingVector));
        if (float.IsNaN(minScore))
        {
            throw new ArgumentException("The minimum score must be a number.", nameof(minScore));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var count = _idAt.Count;
            if (count == 0 || topK == 0)
            {
                return [];
            }

            using var scope = NewDisposeScope();
            var rowsInUse = _matrix.narrow(0, 0, count);
            var scores = (Storage == ScalarType.Float32 ? rowsInUse : rowsInUse.to_type(ScalarType.Float32))
                .mv(tensor(unit, ScalarType.Float32, Device)).clamp_(-1f, 1f);
            var passing = float.IsNegativeInfinity(minScore) ? count : (int)scores.ge(minScore).sum().item<long>();
            var k = Math.Min(topK, passing);
            if (k == 0)
            {
                return [];
            }

            // Exactly `passing` scores clear the threshold, so the top `passing` (or fewer) are all above it.
            var (values, rows) = scores.topk(k);
            var topScores = values.cpu().data<float>().ToArray();
            var topRows = rows.cpu().data<long>().ToArray();
            var result = new SubscriberScore[k];
            for (var i = 0; i < k; i++)
            {
                result[i] = new SubscriberScore(_idAt[(int)topRows[i]], topScores[i]);
            }

            return result;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _matrix.Dispose();
        }
    }

    private void EnsureCapacity(int rows)
    {
        var capacity = _matrix.shape[0];
        if (rows <= capacity)
        {
            return;
        }

        while (capacity < rows)
        {
            capacity *= 2;
        }

        var grown = zeros(capacity, Dimension, Storage, Device).DetachFromDisposeScope();
        using (NewDisposeScope())
        {
            grown.narrow(0, 0, _idAt.Count).copy_(_matrix.narrow(0, 0, _idAt.Count));
        }

        _matrix.Dispose();
        _matrix = grown;
    }

    private float[] ToUnitVector(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Expected a vector of {Dimension} values, got {vector.Length}.", paramName);
        }

        double squares = 0;
        foreach (var value in vector)
        {
            squares += (double)value * value;
        }

        var norm = Math.Sqrt(squares);
        if (!double.IsFinite(norm) || norm == 0)
        {
            throw new ArgumentException("The vector must be finite and non-zero to have a direction.", paramName);
        }

        var unit = new float[vector.Length];
        for (var i = 0; i < unit.Length; i++)
        {
            unit[i] = (float)(vector[i] / norm);
        }

        return unit;
    }
}
