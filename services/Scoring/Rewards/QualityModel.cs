using Platform.Scoring.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Platform.Scoring.Rewards;

/// <summary>The global quality reward's network: 384 → hidden → 1, a like probability from the listing embedding alone.</summary>
public sealed class QualityNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    public QualityNet(int dimension = 384, int hiddenSize = 32) : base(nameof(QualityNet))
    {
        hidden = nn.Linear(dimension, hiddenSize);
        output = nn.Linear(hiddenSize, 1);
        RegisterComponents();
    }

    /// <returns>Logits, one per row of <paramref name="listings"/>.</returns>
    public override Tensor forward(Tensor listings) => output.forward(nn.functional.gelu(hidden.forward(listings))).squeeze(-1);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hidden.Dispose();
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Aggregate feedback on one listing: how many reactions were positive (like, click, won a pair) and negative.</summary>
public readonly record struct ListingFeedback(float[] Vector, float Positive, float Negative);

public sealed record QualityTrainingOptions
{
    public int HiddenSize { get; init; } = 32;
    /// <summary>At most this many passes; fewer on large data (see <see cref="MaxUpdates"/>).</summary>
    public int Epochs { get; init; } = 60;
    /// <summary>Caps epochs × listings per training, so retraining on a growing history stays cheap.</summary>
    public int MaxUpdates { get; init; } = 60_000;
    public int BatchSize { get; init; } = 256;
    public float LearningRate { get; init; } = 3e-3f;
    public float WeightDecay { get; init; } = 1e-3f;
    /// <summary>Below this many listings with feedback the model stays untrained and neutral (0.5).</summary>
    public int MinListings { get; init; } = 20;
    public float LabelNoise { get; init; } = 0.1f;
    /// <summary>The service retrains the quality network once this many feedback events arrived since the last training.</summary>
    public int RetrainEvery { get; init; } = 20;
    public long Seed { get; init; } = 17;
}

/// <summary>
/// The global quality reward: a small MLP trained on aggregate likes vs dismissals (soft targets, weighted by the
/// number of reactions), mini-batch Adam. Neutral 0.5 until trained. Thread-safe: training builds a new network and
/// swaps it in, so scoring never waits for training.
/// </summary>
public sealed class QualityModel : IDisposable
{
    private readonly Lock _gate = new();
    private readonly int _dimension;
    private QualityNet? _net;

    public QualityModel(int dimension = 384)
    {
        TorchRuntime.EnsureLoaded();
        _dimension = dimension;
    }

    /// <summary>"untrained", or "quality-&lt;n&gt;" for the n-th trained (or imported) network.</summary>
    public string Version { get; private set; } = "untrained";

    public int Generation { get; private set; }

    public bool IsTrained => _net is not null;

    /// <summary>Like probability for each row; 0.5 each while untrained.</summary>
    public float[] Predict(IReadOnlyList<float[]> listings)
    {
        lock (_gate)
        {
            if (_net is null || listings.Count == 0)
                return [.. listings.Select(_ => 0.5f)];
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = tensor(listings.SelectMany(v => v).ToArray(), [listings.Count, _dimension]);
            return sigmoid(_net.forward(x)).data<float>().ToArray();
        }
    }

    /// <summary>Like probabilities of a network that is not (yet) the model's own.</summary>
    public static float[] PredictWith(QualityNet net, IReadOnlyList<float[]> listings)
    {
        if (listings.Count == 0)
            return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(listings.SelectMany(v => v).ToArray(), [listings.Count, listings[0].Length]);
        return sigmoid(net.forward(x)).data<float>().ToArray();
    }

    /// <summary>Trains a fresh network on the feedback and swaps it in; false (nothing changes) when there is too little.</summary>
    public bool Train(IReadOnlyList<ListingFeedback> feedback, QualityTrainingOptions options)
    {
        var net = Fit(feedback, options, _dimension);
        if (net is null)
            return false;
        Swap(net);
        return true;
    }

    /// <summary>Replaces the network, e.g. by an imported or rolled-back one; the model takes ownership.</summary>
    public void Swap(QualityNet? net, string? version = null)
    {
        net?.eval();
        lock (_gate)
        {
            _net?.Dispose();
            _net = net;
            Generation++;
            Version = version ?? (net is null ? "untrained" : $"quality-{Generation}");
        }
    }

    /// <summary>A copy of the current network's weights in safetensors form, or null while untrained.</summary>
    public byte[]? Export()
    {
        lock (_gate)
        {
            if (_net is null)
                return null;
            using var stream = new MemoryStream();
            TorchSharp.PyBridge.PyBridgeModuleExtensions.save_safetensors(_net, stream);
            return stream.ToArray();
        }
    }

    public static QualityNet Import(byte[] safetensors, int dimension = 384, int hiddenSize = 32)
    {
        TorchRuntime.EnsureLoaded();
        var net = new QualityNet(dimension, hiddenSize);
        using var stream = new MemoryStream(safetensors);
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_safetensors(net, stream);
        net.eval();
        return net;
    }

    /// <summary>Loads a PyTorch <c>state_dict</c> file (<c>torch.save(model.state_dict(), f)</c>) of the same layout.</summary>
    public static QualityNet ImportStateDict(byte[] stateDict, int dimension = 384, int hiddenSize = 32)
    {
        TorchRuntime.EnsureLoaded();
        var net = new QualityNet(dimension, hiddenSize);
        using var stream = new MemoryStream(stateDict);
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_py(net, stream);
        net.eval();
        return net;
    }

    public static QualityNet? Fit(IReadOnlyList<ListingFeedback> feedback, QualityTrainingOptions options, int dimension = 384)
    {
        TorchRuntime.EnsureLoaded();
        var usable = feedback.Where(f => f.Positive + f.Negative > 0).ToList();
        if (usable.Count < options.MinListings)
            return null;
        random.manual_seed(options.Seed);
        var net = new QualityNet(dimension, options.HiddenSize);
        using var optimizer = optim.AdamW(net.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        using var scope = NewDisposeScope();
        var x = tensor(usable.SelectMany(f => f.Vector).ToArray(), [usable.Count, dimension]);
        var target = tensor(usable.Select(f => f.Positive / (f.Positive + f.Negative)).ToArray());
        var weight = tensor(usable.Select(f => MathF.Sqrt(f.Positive + f.Negative)).ToArray());
        weight /= weight.mean();
        var eps = Math.Clamp(options.LabelNoise, 0f, 0.49f);
        var rng = new Random((int)options.Seed);
        var order = Enumerable.Range(0, usable.Count).ToArray();
        net.train();
        var epochs = Math.Clamp(options.MaxUpdates / usable.Count, 3, options.Epochs);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(order);
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                using var stepScope = NewDisposeScope();
                var idx = tensor(order.Skip(start).Take(options.BatchSize).Select(i => (long)i).ToArray());
                optimizer.zero_grad();
                var logits = net.forward(x.index_select(0, idx));
                var p = sigmoid(logits) * (1f - 2f * eps) + eps;
                var t = target.index_select(0, idx);
                var loss = (-(t * p.log() + (1f - t) * (1f - p).log()) * weight.index_select(0, idx)).mean();
                loss.backward();
                optimizer.step();
            }
        }

        net.eval();
        return net;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _net?.Dispose();
            _net = null;
        }
    }
}
