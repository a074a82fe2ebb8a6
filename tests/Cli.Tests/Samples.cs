using System.Text;

namespace Cli.Tests;

public static class Samples
{
    /// <summary>An arXiv API (export.arxiv.org/api/query) response in its real shape, for the given ids.</summary>
    public static string ArxivResponse(params string[] ids)
    {
        var entries = new StringBuilder();
        foreach (var id in ids)
        {
            entries.Append($"""
                  <entry>
                    <id>http://arxiv.org/abs/{id}v2</id>
                    <updated>2025-01-05T18:00:00Z</updated>
                    <published>2025-01-02T18:59:59Z</published>
                    <title>Paper {id} on
                      retrieval augmented generation</title>
                    <summary>  We study retrieval for paper {id}.
                It works.
                </summary>
                    <author><name>Alice Author</name></author>
                    <author><name>Bob Author</name><arxiv:affiliation>Somewhere</arxiv:affiliation></author>
                    <arxiv:comment>12 pages</arxiv:comment>
                    <link href="http://arxiv.org/abs/{id}v2" rel="alternate" type="text/html"/>
                    <link title="pdf" href="http://arxiv.org/pdf/{id}v2" rel="related" type="application/pdf"/>
                    <arxiv:primary_category term="cs.IR" scheme="http://arxiv.org/schemas/atom"/>
                    <category term="cs.IR" scheme="http://arxiv.org/schemas/atom"/>
                    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
                  </entry>

                """);
        }
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
              <link href="http://arxiv.org/api/query?search_query=cat:cs.IR" rel="self" type="application/atom+xml"/>
              <title type="html">ArXiv Query: search_query=cat:cs.IR</title>
              <id>http://arxiv.org/api/abc</id>
              <updated>2025-01-06T00:00:00-05:00</updated>
              <opensearch:totalResults>{ids.Length}</opensearch:totalResults>
              <opensearch:startIndex>0</opensearch:startIndex>
              <opensearch:itemsPerPage>{ids.Length}</opensearch:itemsPerPage>
            {entries}</feed>
            """;
    }

    /// <summary>JSON lines of distinct, valid listings under <paramref name="source"/>.</summary>
    public static string Jsonl(string source, int count, string topic = "graph neural networks for molecules") =>
        string.Join("\n", Enumerable.Range(1, count).Select(i =>
            $$"""{"source":"{{source}}","externalId":"item-{{i}}","title":"Study {{i}} of {{topic}}","abstract":"Part {{i}}: we look at {{topic}} in depth."}"""));
}
