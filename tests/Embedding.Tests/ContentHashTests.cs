using Platform.Embedding.Encoding;

namespace Embedding.Tests;

public sealed class ContentHashTests
{
    [Fact]
    public void Is_lowercase_hex_sha256_of_model_newline_text()
    {
        // sha256("m\nt")
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("m\nt"u8)),
            ContentHash.Compute("m", "t"));
        Assert.Matches("^[0-9a-f]{64}$", ContentHash.Compute(MiniLmEncoder.Id, "some text"));
    }

    [Fact]
    public void Changes_with_model_id_and_with_text()
    {
        var baseline = ContentHash.Compute("model-a", "text");
        Assert.Equal(baseline, ContentHash.Compute("model-a", "text"));
        Assert.NotEqual(baseline, ContentHash.Compute("model-b", "text"));
        Assert.NotEqual(baseline, ContentHash.Compute("model-a", "text!"));
        // The separator keeps the boundary between id and text unambiguous in practice.
        Assert.NotEqual(ContentHash.Compute("ab", "c"), ContentHash.Compute("a", "bc"));
    }
}
