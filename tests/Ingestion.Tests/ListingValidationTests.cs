using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>One ingestion host for the validation tests of this class: they only read or add unique listings.</summary>
public sealed class IngestionHostFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("ingestion");

    public TestServiceHost Host { get; private set; } = null!;
    public string DatabasePath => _temp.File("ingestion.db");

    public async ValueTask InitializeAsync() => Host = await IngestionHost.StartAsync(DatabasePath, new MessageRecorder());

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}

/// <summary>Bad input is a 400 with RFC 9457 problem details whose <c>errors</c> name the offending field; never a 500.</summary>
public sealed class ListingValidationTests(IngestionHostFixture fixture) : IClassFixture<IngestionHostFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public Task Missing_title_is_refused() => AssertRefusedAsync(Listings.Valid().Without("title"), "title");

    [Fact]
    public Task Whitespace_only_title_is_refused() => AssertRefusedAsync(Listings.Valid().With("title", " \t\r\n "), "title");

    [Fact]
    public Task Title_of_only_NUL_bytes_is_refused() => AssertRefusedAsync(Listings.Valid().With("title", "\0\0 \0"), "title");

    [Fact]
    public Task Missing_source_and_externalId_are_both_named() =>
        AssertRefusedAsync(Listings.Valid().Without("source").With("externalId", ""), "source", "externalId");

    [Fact]
    public Task Oversized_abstract_is_refused() => AssertRefusedAsync(Listings.Valid().With("abstract", new string('a', 20_001)), "abstract");

    [Fact]
    public async Task Abstract_of_exactly_the_limit_is_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await Client.PostAsJsonAsync("/listings", Listings.Valid().With("abstract", new string('a', 20_000)), ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public Task Too_many_authors_are_refused() =>
        AssertRefusedAsync(Listings.Valid().With("authors", Enumerable.Range(0, 501).Select(i => $"Author {i}").ToArray()), "authors");

    [Fact]
    public Task Overlong_author_is_refused() => AssertRefusedAsync(Listings.Valid().With("authors", new[] { new string('x', 301) }), "authors");

    [Fact]
    public Task Too_many_tags_are_refused() =>
        AssertRefusedAsync(Listings.Valid().With("tags", Enumerable.Range(0, 51).Select(i => $"t{i}").ToArray()), "tags");

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/path")]
    [InlineData("http://")]
    public Task Non_web_url_is_refused(string url) => AssertRefusedAsync(Listings.Valid().With("url", url), "url");

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var listing = Listings.Valid().Without("title").With("url", "ftp://x").With("abstract", new string('a', 20_001));
        var errors = await AssertRefusedAsync(listing, "title", "url", "abstract");
        Assert.Equal(3, errors.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("{\"source\": \"s\", \"title\": ")]
    [InlineData("{\"source\": \"s\" \"title\": \"t\"}")]
    [InlineData("not json at all")]
    [InlineData("{\"source\": \"s\", \"externalId\": \"e\", \"title\": \"t\", \"authors\": \"not a list\"}")]
    [InlineData("{\"source\": \"s\", \"externalId\": \"e\", \"title\": \"t\", \"publishedOn\": \"yesterday\"}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Malformed_json_body_is_a_400_problem_not_a_500(string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await Client.PostAsync("/listings", content, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync(ct);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Body_that_is_not_json_is_a_415_problem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var content = new StringContent("{\"source\":\"s\",\"externalId\":\"e\",\"title\":\"t\"}", Encoding.UTF8, "text/plain");

        var response = await Client.PostAsync("/listings", content, ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Nul_bytes_are_stripped_not_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        var listing = Listings.Valid()
            .With("title", "Null\0 Bytes\0 Everywhere")
            .With("abstract", "\0An abstract\0")
            .With("authors", new[] { "A.\0 Author", "\0" })
            .With("tags", new[] { "t\0ag" });

        var response = await Client.PostAsJsonAsync("/listings", listing, ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync(ct);
        var id = created.GetProperty("id").GetGuid();
        var fetched = await Client.GetFromJsonAsync<JsonElement>($"/listings/{id}", Listings.Json, ct);
        foreach (var listingJson in new[] { created, fetched })
        {
            Assert.Equal("Null Bytes Everywhere", listingJson.GetProperty("title").GetString());
            Assert.Equal("An abstract", listingJson.GetProperty("abstract").GetString());
            Assert.Equal(["A. Author"], listingJson.GetProperty("authors").Strings());
            Assert.Equal(["tag"], listingJson.GetProperty("tags").Strings());
        }

        // And not in the database file either.
        await using var connection = new SqliteConnection($"Data Source={fixture.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM listings WHERE id = $id
              AND instr(title, char(0)) = 0 AND instr(abstract, char(0)) = 0 AND instr(authors, char(0)) = 0
              AND instr(authors, '\u0000') = 0 AND instr(tags, char(0)) = 0 AND instr(tags, '\u0000') = 0
            """;
        command.Parameters.AddWithValue("$id", id.ToString("D"));
        Assert.Equal(1L, await command.ExecuteScalarAsync(ct));
    }

    private async Task<JsonElement> AssertRefusedAsync(object listing, params string[] fields)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await Client.PostAsJsonAsync("/listings", listing, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync(ct);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {errors}");
            Assert.NotEmpty(messages.Strings());
        }
        return errors;
    }
}
