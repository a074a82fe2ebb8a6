using System.Xml.Linq;
using Platform.Cli.Import;

namespace Cli.Tests;

/// <summary>The input formats of <c>platform import</c>, mapped to ingestion's listing fields.</summary>
public sealed class ListingReaderTests
{
    [Fact]
    public void Jsonl_in_the_shapes_of_the_shared_data()
    {
        var text = """
            {"source": "daily-papers", "externalId": "dp-001", "title": "A title", "abstract": "An abstract."}
            {"id": "2508.13169", "title": "Fair Play\n  in the Newsroom", "abstract": "x", "authors": ["Stefanie Urchs", "Veronika Thurner"], "categories": ["cs.CL", "cs.CY"], "date": "2025-08-20"}
            {"id": "2405.14906v2", "title": "AutoCoder", "abstract": "y", "authors": ["Bin Lei"], "date": "2024-05-27", "upvotes": 7, "num_comments": 1, "tags": ["code", "cs.CL"], "categories": ["cs.CL"]}

            not json
            """;
        var items = ListingReader.ReadJsonl(text, source: null);

        Assert.Equal(4, items.Count);
        var daily = items[0].Listing!;
        Assert.Equal(("daily-papers", "dp-001", "A title", "An abstract."), (daily.Source, daily.ExternalId, daily.Title, daily.Abstract));
        Assert.Null(daily.Url);

        var arxiv = items[1].Listing!;
        Assert.Equal("arxiv", arxiv.Source);
        Assert.Equal("2508.13169", arxiv.ExternalId);
        Assert.Equal("Fair Play in the Newsroom", arxiv.Title);
        Assert.Equal(["Stefanie Urchs", "Veronika Thurner"], arxiv.Authors);
        Assert.Equal(["cs.CL", "cs.CY"], arxiv.Tags);
        Assert.Equal("2025-08-20", arxiv.PublishedOn);
        Assert.Equal("https://arxiv.org/abs/2508.13169", arxiv.Url);

        var hf = items[2].Listing!;
        Assert.Equal("hf-daily-papers", hf.Source);
        Assert.Equal("2405.14906", hf.ExternalId);
        Assert.Equal(["cs.CL", "code"], hf.Tags);

        Assert.Null(items[3].Listing);
        Assert.Equal(5, items[3].Position);
        Assert.Contains("line 5", items[3].ReadError);
    }

    [Fact]
    public void Source_option_wins_over_the_items_own()
    {
        var items = ListingReader.ReadJsonl("""{"source": "a", "externalId": "1", "title": "t"}""", source: "mine");
        Assert.Equal("mine", items[0].Listing!.Source);
    }

    [Fact]
    public void Rss_items()
    {
        var root = XElement.Parse("""
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel>
                <title>Papers</title><link>https://papers.example.org/</link>
                <item>
                  <title>Graph networks &amp; chemistry</title>
                  <link>https://papers.example.org/p/1</link>
                  <guid isPermaLink="false">paper-1</guid>
                  <description>&lt;p&gt;Message passing for &lt;b&gt;molecules&lt;/b&gt;.&lt;/p&gt;</description>
                  <dc:creator>Ada Lovelace</dc:creator>
                  <author>alan@example.org (Alan Turing)</author>
                  <category>chemistry</category><category>gnn</category>
                  <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
                </item>
                <item><title>No guid</title><link>https://papers.example.org/p/2</link></item>
              </channel>
            </rss>
            """);
        var items = ListingReader.ReadRss(root, source: null);

        Assert.Equal(2, items.Count);
        var first = items[0].Listing!;
        Assert.Equal("papers.example.org", first.Source);
        Assert.Equal("paper-1", first.ExternalId);
        Assert.Equal("Graph networks & chemistry", first.Title);
        Assert.Equal("Message passing for molecules.", first.Abstract);
        Assert.Equal(["Ada Lovelace", "Alan Turing"], first.Authors);
        Assert.Equal(["chemistry", "gnn"], first.Tags);
        Assert.Equal("2025-06-10", first.PublishedOn);
        Assert.Equal("https://papers.example.org/p/1", first.Url);
        Assert.Equal("https://papers.example.org/p/2", items[1].Listing!.ExternalId);
    }

    [Fact]
    public void Atom_entries()
    {
        var root = XElement.Parse("""
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>Blog</title>
              <entry>
                <id>tag:blog.example.org,2025:post-7</id>
                <title type="html">Scaling &lt;i&gt;laws&lt;/i&gt;</title>
                <link rel="alternate" type="text/html" href="https://blog.example.org/post-7"/>
                <link rel="self" href="https://blog.example.org/post-7.atom"/>
                <updated>2025-03-02T10:00:00Z</updated>
                <author><name>Grace Hopper</name></author>
                <category term="ml"/>
                <content type="html">Body text</content>
              </entry>
            </feed>
            """);
        var entry = Assert.Single(ListingReader.ReadAtom(root, "atom", arxiv: false)).Listing!;

        Assert.Equal("tag:blog.example.org,2025:post-7", entry.ExternalId);
        Assert.Equal("Scaling laws", entry.Title);
        Assert.Equal("Body text", entry.Abstract);
        Assert.Equal("https://blog.example.org/post-7", entry.Url);
        Assert.Equal(["Grace Hopper"], entry.Authors);
        Assert.Equal(["ml"], entry.Tags);
        Assert.Equal("2025-03-02", entry.PublishedOn);
    }

    [Fact]
    public void Arxiv_api_response()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "arxiv-test.xml");
        File.WriteAllText(path, Samples.ArxivResponse("2501.00001", "2501.00002"));
        var (format, items) = ListingReader.Read(path, InputFormat.Auto, source: null);

        Assert.Equal(InputFormat.Arxiv, format);
        Assert.Equal(2, items.Count);
        var first = items[0].Listing!;
        Assert.Equal("arxiv", first.Source);
        Assert.Equal("2501.00001", first.ExternalId);
        Assert.Equal("Paper 2501.00001 on retrieval augmented generation", first.Title);
        Assert.Equal("We study retrieval for paper 2501.00001. It works.", first.Abstract);
        Assert.Equal(["Alice Author", "Bob Author"], first.Authors);
        Assert.Equal("http://arxiv.org/abs/2501.00001v2", first.Url);
        Assert.Equal(["cs.IR", "cs.CL"], first.Tags);
        Assert.Equal("2025-01-02", first.PublishedOn);
    }

    [Theory]
    [InlineData("""{"a":1}""", InputFormat.Jsonl)]
    [InlineData("""<?xml version="1.0"?><rss version="2.0"><channel/></rss>""", InputFormat.Rss)]
    [InlineData("""<feed xmlns="http://www.w3.org/2005/Atom"/>""", InputFormat.Atom)]
    [InlineData("""<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"/>""", InputFormat.Arxiv)]
    public void Detects_the_format(string text, InputFormat expected) =>
        Assert.Equal(expected, ListingReader.Detect("input", text));
}
