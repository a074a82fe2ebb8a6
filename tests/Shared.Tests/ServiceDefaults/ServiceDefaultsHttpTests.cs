using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Contracts;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace Shared.Tests.ServiceDefaults;

/// <summary>What <c>AddServiceDefaults</c> + <c>MapDefaultEndpoints</c> give every HTTP API, over real HTTP.</summary>
public sealed class ServiceDefaultsHttpTests
{
    public sealed record Order(string Name, NotificationChannel Channel);

    private static Task<TestServiceHost> StartAsync() =>
        TestServiceHost.StartAsync(typeof(ServiceDefaultsHttpTests).Assembly.GetName().Name!,
            new Dictionary<string, string?>(),
            builder => builder.AddServiceDefaults(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGet("/boom", string () => throw new InvalidOperationException("secret detail"));
                app.MapPost("/orders", (Order order) => Results.Ok(order));
                app.MapGet("/orders/{id:int}", (int id) => Results.NotFound());
            });

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    [Fact]
    public async Task An_unhandled_exception_becomes_a_500_problem_without_internal_details()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync("/boom", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.Equal("An unexpected error occurred.", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("secret detail", problem.GetRawText());
    }

    [Fact]
    public async Task A_malformed_json_body_is_a_400_problem()
    {
        await using var host = await StartAsync();

        using var content = new StringContent("{\"name\": ", Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/orders", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, (await ProblemAsync(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_empty_error_response_gets_a_problem_body()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync("/orders/7", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, (await ProblemAsync(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Enums_are_read_and_written_as_names()
    {
        await using var host = await StartAsync();

        using var response = await host.Client.PostAsync("/orders",
            new StringContent("""{"name":"x","channel":"Webhook"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Webhook", body.GetProperty("channel").GetString());
    }
}
