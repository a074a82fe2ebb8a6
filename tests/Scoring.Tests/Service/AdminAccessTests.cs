using System.Net;
using Platform.ServiceDefaults.Access;

namespace Scoring.Tests.Service;

public sealed class AdminAccessTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    [Fact]
    public async Task The_model_registry_and_subscriber_vectors_need_an_admin_key_while_scored_results_stay_readable()
    {
        var ct = TestContext.Current.CancellationToken;
        var vhost = await rabbit.RequireAsync();
        using var temp = new TempDirectory("scoring-access");
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, temp.File("scoring.db"), new ScoredRecorder(),
            ("Access:AdminKeys:0:Name", "ops"), ("Access:AdminKeys:0:Sha256", ApiKeyHashes.Of("scoring-admin-key")));

        foreach (var path in new[] { "/reward-models", $"/subscriber-vectors/{Guid.NewGuid()}" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync(path, ct)).StatusCode);
            var withKey = new HttpRequestMessage(HttpMethod.Get, path);
            withKey.Headers.Add(AccessRoles.ApiKeyHeader, "scoring-admin-key");
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(withKey, ct)).StatusCode);
        }
        var rollback = await host.Client.PostAsync("/reward-models/rollback", null, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, rollback.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/scored-listings", ct)).StatusCode);
    }
}
