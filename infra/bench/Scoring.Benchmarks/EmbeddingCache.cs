using System.Security.Cryptography;
using System.Text;
using Platform.Embedding.Encoding;

namespace Scoring.Benchmarks;

/// <summary>
/// Embeddings of evaluation texts on disk, keyed by SHA-256 of (model id, text): one append-only binary file of
/// (32-byte key, 384 float32) records, so a rerun (or a resumed, interrupted run) embeds only what is new.
/// </summary>
public sealed class EmbeddingCache(string directory, string modelId = MiniLmEncoder.Id)
{
    private const int Dimension = 384;

    /// <summary>One file per model; the fp32 model keeps the name it always had.</summary>
    public string FilePath { get; } = Path.Combine(directory, modelId == MiniLmEncoder.Id
        ? "minilm-l6-v2.bin"
        : $"minilm-l6-v2-{string.Concat(modelId[(modelId.IndexOf('@') + 1)..].Select(c => char.IsLetterOrDigit(c) ? c : '-'))}.bin");

    public float[][] Embed(IReadOnlyList<string> texts, Func<MiniLmEncoder> encoderFactory, Action<string>? log = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var known = Load();
        var keys = texts.Select(Key).ToArray();
        var missing = Enumerable.Range(0, texts.Count).Where(i => !known.ContainsKey(keys[i])).DistinctBy(i => keys[i]).ToList();
        if (missing.Count > 0)
        {
            log?.Invoke($"embedding {missing.Count} of {texts.Count} texts (cache: {FilePath})");
            using var encoder = encoderFactory();
            using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
            var started = DateTime.UtcNow;
            const int chunk = 64;
            for (var start = 0; start < missing.Count; start += chunk)
            {
                var batch = missing.Skip(start).Take(chunk).ToList();
                var vectors = encoder.Encode([.. batch.Select(i => texts[i])]);
                for (var j = 0; j < batch.Count; j++)
                {
                    var key = keys[batch[j]];
                    file.Write(Convert.FromHexString(key));
                    file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vectors[j].AsSpan()));
                    known[key] = vectors[j];
                }

                file.Flush();
                var done = Math.Min(start + chunk, missing.Count);
                log?.Invoke($"  {done}/{missing.Count} ({done / Math.Max(1e-9, (DateTime.UtcNow - started).TotalSeconds):F1} texts/s)");
            }
        }

        return [.. keys.Select(k => known[k])];
    }

    private Dictionary<string, float[]> Load()
    {
        var result = new Dictionary<string, float[]>();
        if (!File.Exists(FilePath))
            return result;
        var bytes = File.ReadAllBytes(FilePath);
        const int record = 32 + Dimension * 4;
        for (var offset = 0; offset + record <= bytes.Length; offset += record)
        {
            var key = Convert.ToHexStringLower(bytes.AsSpan(offset, 32));
            var vector = new float[Dimension];
            Buffer.BlockCopy(bytes, offset + 32, vector, 0, Dimension * 4);
            result[key] = vector;
        }

        return result;
    }

    private string Key(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(modelId + "\n" + text)));
}
