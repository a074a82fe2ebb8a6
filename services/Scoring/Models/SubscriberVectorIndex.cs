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

    public SubscriberVectorIndex(int dimension, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentNullException.ThrowIfNull(device);
        TorchRuntime.EnsureLoaded();
        Dimension = dimension;
        Device = device;
        _matrix = zeros(InitialCapacity, dimension, ScalarType.Float32, device).DetachFromDisposeScope(); // owned by this index, not a caller's scope
    }

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
            _matrix[row].copy_(tensor(unit, ScalarType.Float32, Device));
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
            var scores = _matrix.narrow(0, 0, count).mv(tensor(unit, ScalarType.Float32, Device)).clamp_(-1f, 1f);
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

        var grown = zeros(capacity, Dimension, ScalarType.Float32, Device).DetachFromDisposeScope();
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
