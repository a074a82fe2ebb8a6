using Dapper;
using Platform.Data;
using Platform.Embedding.Encoding;

namespace Platform.Embedding.Vectors;

/// <summary>Embeds texts through a content-hash cache: identical (text, model) is never embedded twice.</summary>
public sealed class VectorStore(EmbeddingDatabase database, ITextEncoder encoder, TimeProvider clock)
{
    /// <summary>Looks the text up, encoding it only when no vector of this model exists yet. Runs outside any transaction.</summary>
    public async Task<EmbeddedText> EmbedAsync(string text, CancellationToken ct)
    {
        var hash = ContentHash.Compute(encoder.ModelId, text);
        await using (var connection = await database.OpenAsync(ct))
        {
            var cached = await connection.QuerySingleOrDefaultAsync<float[]>(new CommandDefinition(
                "SELECT vector FROM vectors WHERE content_hash = @Hash", new { Hash = hash }, cancellationToken: ct));
            if (cached is not null)
                return new EmbeddedText(hash, encoder.ModelId, cached);
        }
        return new EmbeddedText(hash, encoder.ModelId, encoder.Encode([text])[0]);
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
