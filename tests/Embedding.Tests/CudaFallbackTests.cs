using Platform.Embedding.Encoding;

namespace Embedding.Tests;

public sealed class CudaFallbackTests(EncoderFixture fixture)
{
    [Fact]
    public void Falls_back_to_the_cpu_when_cuda_cannot_be_loaded()
    {
        // The Microsoft.ML.OnnxRuntime package is CPU-only, so the CUDA provider is never available to it.
        using var encoder = new MiniLmEncoder(new MiniLmEncoderOptions { UseCuda = true, IntraOpThreads = 1, BatchSize = 4 });

        Assert.Equal("cpu", encoder.Device);
        var text = SampleTexts.Short[2];
        Assert.True(VectorMath.Cosine(fixture.EncodeOne(text), encoder.Encode([text])[0]) >= 0.9999);
    }

    [Fact]
    public void Rejects_invalid_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEncoder(new MiniLmEncoderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = 0 }));
    }
}
