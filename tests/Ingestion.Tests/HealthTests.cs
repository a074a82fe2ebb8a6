using System.Net;
using Platform.Testing;

namespace Ingestion.Tests;

public sealed class HealthTests
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());

        var response = await host.Client.GetAsync(path, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_the_database_check()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("ingestion");
        await using var host = await IngestionHost.StartAsync(temp.File("ingestion.db"), new MessageRecorder());

        var report = await (await host.Client.GetAsync("/health/ready", ct)).ReadJsonAsync(ct);

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var database = report.GetProperty("checks").GetProperty("ingestion-database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.True(File.Exists(temp.File("ingestion.db")));
    }
}
