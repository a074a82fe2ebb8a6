using Platform.Embedding.Encoding;

namespace Embedding.Tests;

public sealed class EmbeddingTextTests
{
    [Fact]
    public void Listing_is_title_newline_abstract()
    {
        Assert.Equal("A title\nThe abstract.", EmbeddingText.ForListing("A title", "The abstract."));
        Assert.Equal("A title\nThe abstract.", EmbeddingText.ForListing(" A title ", "\nThe abstract.\n"));
    }

    [Fact]
    public void Listing_without_abstract_is_the_title()
    {
        Assert.Equal("A title", EmbeddingText.ForListing("A title", null));
        Assert.Equal("A title", EmbeddingText.ForListing("A title", "  "));
    }

    [Fact]
    public void Interests_are_the_trimmed_text()
    {
        Assert.Equal("graph learning, chemistry", EmbeddingText.ForInterests("  graph learning, chemistry \n"));
    }
}
