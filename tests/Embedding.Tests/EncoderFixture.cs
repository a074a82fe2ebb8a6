using Platform.Embedding.Encoding;

[assembly: AssemblyFixture(typeof(Embedding.Tests.EncoderFixture))]

namespace Embedding.Tests;

/// <summary>One encoder for the whole test assembly: loading the model takes about a second and 90 MB.</summary>
public sealed class EncoderFixture : IDisposable
{
    public MiniLmEncoder Encoder { get; } = new();

    public float[] EncodeOne(string text) => Encoder.Encode([text])[0];

    public void Dispose() => Encoder.Dispose();
}
