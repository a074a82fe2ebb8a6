using System.Diagnostics;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using Platform.Scoring.Registry;
using Platform.Scoring.Rewards;
using Platform.Scoring.Subscribers;

namespace Platform.Scoring.Feedback;

/// <summary>
/// Background trainer: collects subscribers with new feedback into mini-batches, retrains each one's preference vector
/// (stored, then swapped into the on-device index) and then the global quality network, registered as a new version.
/// Scoring reads whatever is current and never waits for it.
/// </summary>
public sealed class FeedbackTrainer(
    ScoringDatabase database,
    SubscriberIndex index,
    RewardModels rewards,
    ModelRegistry registry,
    IOptions<ScoringOptions> options,
    TimeProvider clock,
    ILogger<FeedbackTrainer> logger) : BackgroundService
{
    private readonly Channel<Guid> _pending = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private long _trainedBatches;
    private long _feedbackAtLastQualityTraining;

    /// <summary>Completed mini-batches, for tests and health.</summary>
    public long TrainedBatches => Interlocked.Read(ref _trainedBatches);

    public void Enqueue(Guid subscriberId) => _pending.Writer.TryWrite(subscriberId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await registry.LoadActiveAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not load the active reward models; scoring stays neutral until the next training");
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await _pending.Reader.WaitToReadAsync(stoppingToken))
                    return;
                await Task.Delay(options.Value.TrainingBatchWindow, clock, stoppingToken);
                var batch = new HashSet<Guid>();
                while (batch.Count < 1024 && _pending.Reader.TryRead(out var id))
                    batch.Add(id);
                await TrainBatchAsync(batch, stoppingToken);
                Interlocked.Increment(ref _trainedBatches);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Feedback training failed; will retry with the next feedback");
            }
        }
    }

    public async Task TrainBatchAsync(IReadOnlyCollection<Guid> subscribers, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var vectors = await index.GetAsync(ct);
        var settings = options.Value;
        var events = 0;
        IReadOnlyList<float[]>? recent = null;
        foreach (var subscriberId in subscribers)
        {
            await using var connection = await database.OpenAsync(ct);
            var interest = await connection.QuerySingleOrDefaultAsync<float[]>(new CommandDefinition(
                "SELECT vector FROM subscriber_vectors WHERE subscriber_id = @subscriberId", new { subscriberId }, cancellationToken: ct));
            if (interest is null)
                continue; // not (or no longer) a subscriber scoring knows; the feedback stays for when they are
            var (labelled, pairs) = await LoadExamplesAsync(connection, subscriberId, settings.Preference.MaxExamples, ct);
            events += labelled.Count + pairs.Count;
            // The like probability is published for every listing scored, so it is calibrated to recent listings'
            // base rate rather than to the feedback's (LikeCalibration).
            recent ??= await LoadRecentListingsAsync(connection, settings.NoveltyWindow, ct);
            var preference = LikeCalibration.Calibrate(PreferenceLearner.TrainConfigured(interest, labelled, pairs, settings.Preference), labelled, recent, settings.Preference);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR REPLACE INTO preference_vectors (subscriber_id, vector, norm, bias, examples, updated_at)
                VALUES (@subscriberId, @Direction, @Norm, @Bias, @Examples, @now)
                """,
                new { subscriberId, preference.Direction, preference.Norm, preference.Bias, preference.Examples, now = clock.GetUtcNow() },
                cancellationToken: ct));
            vectors.Upsert(subscriberId, preference.Direction);
            rewards.SetCalibration(subscriberId, preference);
        }

        await TrainQualityAsync(ct);
        logger.LogInformation("Trained {Subscribers} preference vectors on {Events} feedback events in {Elapsed} ms",
            subscribers.Count, events, watch.ElapsedMilliseconds);
    }

    /// <summary>Unit vectors of the most recently scored listings, newest first.</summary>
    private static async Task<IReadOnlyList<float[]>> LoadRecentListingsAsync(Microsoft.Data.Sqlite.SqliteConnection connection, int count, CancellationToken ct) =>
        [.. await connection.QueryAsync<float[]>(new CommandDefinition(
            "SELECT vector FROM listing_vectors ORDER BY stored_at DESC LIMIT @count", new { count }, cancellationToken: ct))];

    private async Task TrainQualityAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM feedback", cancellationToken: ct));
        if (total - _feedbackAtLastQualityTraining < options.Value.Quality.RetrainEvery)
            return; // too little new feedback to be worth a new version
        var rows = await connection.QueryAsync<(string Kind, Guid ListingId, Guid? OverListingId)>(new CommandDefinition(
            "SELECT kind, listing_id, over_listing_id FROM feedback", cancellationToken: ct));
        var vectors = (await connection.QueryAsync<(Guid ListingId, float[] Vector)>(new CommandDefinition(
            "SELECT listing_id, vector FROM listing_vectors WHERE listing_id IN (SELECT listing_id FROM feedback UNION SELECT over_listing_id FROM feedback)",
            cancellationToken: ct))).ToDictionary(r => r.ListingId, r => r.Vector);
        var feedback = QualityFeedback.Aggregate(rows.Select(r => new FeedbackRow(r.Kind, r.ListingId, r.OverListingId)), vectors);
        var settings = options.Value.Quality;
        var net = QualityModel.Fit(feedback, settings, options.Value.Dimension);
        if (net is null)
            return;
        _feedbackAtLastQualityTraining = total;
        var metrics = new Dictionary<string, double>
        {
            ["listings"] = feedback.Count,
            ["events"] = feedback.Sum(f => f.Positive + f.Negative),
        };
        using (net)
        {
            var scores = QualityModel.PredictWith(net, [.. feedback.Select(f => f.Vector)]);
            metrics["trainAuc"] = Math.Round(Evaluation.Metrics.Auc(scores, [.. feedback.Select(f => f.Positive >= f.Negative)]), 4);
            await registry.RegisterAndActivateAsync(net, "trained", metrics, ct);
        }
    }

    private static async Task<(List<LabelledListing>, List<PreferencePair>)> LoadExamplesAsync(
        Microsoft.Data.Sqlite.SqliteConnection connection, Guid subscriberId, int max, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<(string Kind, float[] Winner, float[]? Loser)>(new CommandDefinition(
            """
            SELECT kind, vector, loser FROM (
              SELECT f.kind, w.vector, l.vector AS loser, f.submitted_at FROM feedback f
              JOIN listing_vectors w ON w.listing_id = f.listing_id
              LEFT JOIN listing_vectors l ON l.listing_id = f.over_listing_id
              WHERE f.subscriber_id = @subscriberId
              ORDER BY f.submitted_at DESC LIMIT @max)
            ORDER BY submitted_at
            """, new { subscriberId, max }, cancellationToken: ct));
        var labelled = new List<LabelledListing>();
        var pairs = new List<PreferencePair>();
        foreach (var (kind, winner, loser) in rows)
        {
            if (kind == "Prefer")
            {
                if (loser is not null)
                    pairs.Add(new PreferencePair(winner, loser));
            }
            else
                labelled.Add(new LabelledListing(winner, kind is "Like" or "Click"));
        }

        return (labelled, pairs);
    }
}
