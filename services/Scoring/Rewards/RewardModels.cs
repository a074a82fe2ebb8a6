using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Platform.Scoring.Torch;

namespace Platform.Scoring.Rewards;

/// <summary>
/// The reward models the service scores with: the global quality network (active, plus an optional shadow candidate),
/// the novelty tracker and each subscriber's calibration. Personal preference directions live in the subscriber index.
/// </summary>
public sealed class RewardModels(IOptions<ScoringOptions> options, ILogger<RewardModels> logger) : ISubscriberRewards, IDisposable
{
    public const string Family = "rewards-v1";

    private readonly ConcurrentDictionary<Guid, PreferenceVector> _calibration = new();
    private readonly ConcurrentDictionary<Guid, RewardWeights> _weights = new();
    private readonly Lazy<QualityModel> _quality = new(() => { TorchRuntime.EnsureLoaded(logger); return new QualityModel(options.Value.Dimension); });
    private readonly Lazy<QualityModel> _shadow = new(() => { TorchRuntime.EnsureLoaded(logger); return new QualityModel(options.Value.Dimension); });
    private readonly Lazy<NoveltyTracker> _novelty = new(() =>
    {
        TorchRuntime.EnsureLoaded(logger);
        return new NoveltyTracker(options.Value.Dimension, options.Value.NoveltyWindow, TorchRuntime.SelectDevice(options.Value.Device, logger));
    });

    public QualityModel Quality => _quality.Value;

    /// <summary>A candidate quality model whose scores are recorded but not published; untrained when there is none.</summary>
    public QualityModel Shadow => _shadow.Value;

    public NoveltyTracker Novelty => _novelty.Value;

    /// <summary>The version published with every result: the reward family and the quality network that took part.</summary>
    public string ModelVersion => VersionFor(Quality);

    public static string VersionFor(QualityModel quality) => $"{Family}+{quality.Version}";

    public void SetCalibration(Guid subscriberId, PreferenceVector? preference)
    {
        if (preference is null || preference.Examples == 0)
            _calibration.TryRemove(subscriberId, out _);
        else
            _calibration[subscriberId] = preference;
    }

    /// <summary>The subscriber's own weights (with the global caps), or the defaults.</summary>
    public RewardWeights WeightsFor(Guid subscriberId) => _weights.TryGetValue(subscriberId, out var w) ? w : options.Value.Rewards;

    public bool HasOwnWeights => !_weights.IsEmpty;

    public void SetWeights(Guid subscriberId, double? quality, double? novelty)
    {
        if (quality is null || novelty is null)
            _weights.TryRemove(subscriberId, out _);
        else
            _weights[subscriberId] = options.Value.Rewards with { Quality = quality.Value, Novelty = novelty.Value };
    }

    /// <summary>Platt-style probability of a like from the subscriber's own logistic fit; null before any feedback.</summary>
    public double? LikeProbability(Guid subscriberId, double relevance) =>
        _calibration.TryGetValue(subscriberId, out var p) ? p.LikeProbability(relevance, options.Value.Preference.Scale) : null;

    public void Dispose()
    {
        if (_quality.IsValueCreated)
            _quality.Value.Dispose();
        if (_shadow.IsValueCreated)
            _shadow.Value.Dispose();
        if (_novelty.IsValueCreated)
            _novelty.Value.Dispose();
    }
}
