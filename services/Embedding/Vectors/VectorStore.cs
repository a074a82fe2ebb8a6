using Dapper;
using Platform.Data;
using Platform.Embedding.Encoding;

namespace Platform.Embedding.Vectors;

/// <summary>Embeds texts through a content-hash cache: identical (text, model) is never embedded twice.</summary>
public sealed class VectorStore(
    EmbeddingDatabase database, ITextEncoder encoder, EmbeddingTelemetry telemetry, TimeProvider clock, ILogger<VectorStore> logger)
{
    /// <summary>Looks the text up, encoding it only when no vector of this model exists yet. Runs outside any transaction.</summary>
    public async Task<EmbeddedText> EmbedAsync(string text, CancellationToken ct)
    {
        var result = (await EmbedManyAsync([text], ct))[0];
        return result.Embedded ?? throw result.Error!;
    }

    /// <summary>
    /// Embeds many texts at once, outside any transaction: identical texts (same content hash) are encoded once, texts
    /// whose hash is already stored are not encoded at all, and the rest go to the encoder in one call (which sorts
    /// them by length and pads per sub-batch). If that call fails, each distinct text is encoded on its own so that
    /// one text the encoder cannot take fails alone: its entry carries the error, the others their vectors.
    /// </summary>
    public async Task<IReadOnlyList<EmbedResult>> EmbedManyAsync(IReadOnlyList<string> texts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var hashes = texts.Select(text => ContentHash.Compute(encoder.ModelId, text)).ToArray();
        var known = new Dictionary<string, EmbedResult>(StringComparer.Ordinal);

        var distinct = hashes.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length > 0)
        {
            await using var connection = await database.OpenAsync(ct);
            foreach (var chunk in distinct.Chunk(500)) // SQLite's bound-parameter limit is far above this
            {
                var rows = await connection.QueryAsync<StoredVector>(new CommandDefinition(
                    "SELECT content_hash AS ContentHash, vector AS Vector FROM vectors WHERE content_hash IN @Hashes", new { Hashes = chunk }, cancellationToken: ct));
                foreach (var row in rows)
                    known[row.ContentHash] = new EmbedResult(new EmbeddedText(row.ContentHash, encoder.ModelId, row.Vector), null, FromCache: true);
            }
        }

        // First occurrence of each missing hash: that text is encoded, later duplicates reuse its vector.
        var missing = new List<(string Hash, string Text)>();
        var queued = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
            if (!known.ContainsKey(hashes[i]) && queued.Add(hashes[i]))
                missing.Add((hashes[i], texts[i]));

        if (missing.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var (hash, result) in Encode(missing))
                known[hash] = result;
        }

        return hashes.Select(hash => known[hash]).ToArray();
    }

    private IEnumerable<(string Hash, EmbedResult Result)> Encode(List<(string Hash, string Text)> missing)
    {
        float[][] vectors;
        try
        {
            vectors = telemetry.MeasureInference(missing.Count, encoder.ModelId, () => encoder.Encode(missing.Select(m => m.Text).ToArray()));
        }
        catch (Exception ex) when (missing.Count > 1 && ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Encoding {Count} texts together failed; encoding them one at a time to isolate the failure", missing.Count);
            return missing.Select(m => (m.Hash, EncodeOne(m.Hash, m.Text))).ToArray();
        }
        return missing.Select((m, i) => (m.Hash, new EmbedResult(new EmbeddedText(m.Hash, encoder.ModelId, vectors[i]), null, FromCache: false)));
    }

    private EmbedResult EncodeOne(string hash, string text)
    {
        try
        {
            var vector = telemetry.MeasureInference(1, encoder.ModelId, () => encoder.Encode([text])[0]);
            return new EmbedResult(new EmbeddedText(hash, encoder.ModelId, vector), null, FromCache: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new EmbedResult(null, ex, FromCache: false);
        }
    }

    /// <summary>Stores the vector (if new) inside the caller's transaction.</summary>
    public Task SaveAsync(UnitOfWork uow, EmbeddedText embedded, CancellationToken ct) =>
        uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO vectors (content_hash, model_id, dimension, vector, created_at)
            VALUES (@ContentHash, @ModelId, @Dimension, @Vector, @CreatedAt)
            """,
            new { embedded.ContentHash, embedded.ModelId, Dimension = embedded.Vector.Length, embedded.Vector, CreatedAt = clock.GetUtcNow() },
            uow.Transaction, cancellationToken: ct));
}

internal sealed class StoredVector
{
    public string ContentHash { get; set; } = "";
    public float[] Vector { get; set; } = [];
}

/// <summary>One text's outcome: its vector, or the error that kept the encoder from producing one.</summary>
public sealed record EmbedResult(EmbeddedText? Embedded, Exception? Error, bool FromCache);
