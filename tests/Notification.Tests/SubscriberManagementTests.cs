using Platform.ServiceDefaults.Access;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>PUT, PATCH and DELETE of subscribers, their delivery preferences, and the admin API key.</summary>
public sealed class SubscriberManagementTests
{
    [Fact]
    public async Task Put_replaces_the_settings_and_announces_changed_interests()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Graph neural networks", threshold = 0.3 }, ct);

        var response = await host.Client.PutAsJsonAsync($"/subscribers/{subscriber.Id}", new
        {
            email = "new@example.com", interests = "Protein folding", threshold = 0.5, mode = "weekly", timeZone = "Europe/Berlin",
            digestTime = "07:30", digestDay = "friday", quietHoursStart = "22:00", quietHoursEnd = "07:00", maxMessagesPerDay = 5,
            excludedTopics = new[] { "crypto", "  Crypto ", "blockchain" },
        }, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync(ct);
        Assert.Equal("new@example.com", body.GetProperty("email").GetString());
        Assert.Equal("weekly", body.GetProperty("mode").GetString());
        Assert.Equal("Europe/Berlin", body.GetProperty("timeZone").GetString());
        Assert.Equal("07:30", body.GetProperty("digestTime").GetString());
        Assert.Equal("Friday", body.GetProperty("digestDay").GetString());
        Assert.Equal("22:00", body.GetProperty("quietHoursStart").GetString());
        Assert.Equal(5, body.GetProperty("maxMessagesPerDay").GetInt32());
        Assert.Equal(["crypto", "blockchain"], body.GetProperty("excludedTopics").EnumerateArray().Select(t => t.GetString()));
        var (updated, _) = await recorder.WaitForAsync<SubscriberUpdated>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal("Protein folding", updated.Interests);
        Assert.Equal(0.5, updated.Threshold);

        var fetched = await host.Client.GetFromJsonAsync<JsonElement>($"/subscribers/{subscriber.Id}", ct);
        Assert.Equal("Protein folding", fetched.GetProperty("interests").GetString());
        Assert.Equal("weekly", fetched.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_given_and_announces_only_interest_or_threshold_changes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Graph neural networks", threshold = 0.3 }, ct);

        var response = await host.Client.PatchAsJsonAsync($"/subscribers/{subscriber.Id}", new { mode = "daily", digestTime = "06:00" }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync(ct);
        Assert.Equal("daily", body.GetProperty("mode").GetString());
        Assert.Equal("reader@example.com", body.GetProperty("email").GetString());
        Assert.Equal("Graph neural networks", body.GetProperty("interests").GetString());
        Assert.Equal(0.3, body.GetProperty("threshold").GetDouble());

        response = await host.Client.PatchAsJsonAsync($"/subscribers/{subscriber.Id}", new { threshold = 0.6 }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (updated, _) = await recorder.WaitForAsync<SubscriberUpdated>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(0.6, updated.Threshold);
        Assert.Equal("Graph neural networks", updated.Interests);
        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<SubscriberUpdated>()); // the mode change alone announced nothing

        var invalid = await host.Client.PatchAsJsonAsync($"/subscribers/{subscriber.Id}", new { timeZone = "Mars/Olympus_Mons" }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PatchAsJsonAsync($"/subscribers/{Guid.NewGuid()}", new { threshold = 0.1 }, ct)).StatusCode);
    }

    [Theory]
    [InlineData("mode", "hourly")]
    [InlineData("timeZone", "Not/AZone")]
    [InlineData("digestTime", "25:00")]
    [InlineData("digestDay", "Someday")]
    [InlineData("quietHours", "half")]
    [InlineData("maxMessagesPerDay", "0")]
    [InlineData("excludedTopics", "long")]
    public async Task Invalid_preferences_are_refused_with_problem_details(string field, string value)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder());
        var request = new Dictionary<string, object?> { ["email"] = "reader@example.com", ["interests"] = "Anything" };
        switch (field)
        {
            case "quietHours": request["quietHoursStart"] = "22:00"; break;
            case "maxMessagesPerDay": request[field] = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "excludedTopics": request[field] = new[] { new string('x', 101) }; break;
            default: request[field] = value; break;
        }

        var response = await host.Client.PostAsJsonAsync("/subscribers", request, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.ReadJsonAsync(ct)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Delete_removes_the_subscriber_announces_it_and_nothing_more_is_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.1, ct);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/subscribers/{subscriber.Id}", ct)).StatusCode);

        await recorder.WaitForAsync<SubscriberRemoved>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/subscribers/{subscriber.Id}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync($"/subscribers/{subscriber.Id}", ct)).StatusCode);
        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Admin_endpoints_need_an_API_key_when_keys_are_configured_while_signing_up_does_not()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var host = await NotificationHost.StartAsync(temp, new MessageRecorder(),
            ("Access:AdminKeys:0:Name", "old"), ("Access:AdminKeys:0:Sha256", ApiKeyHashes.Of("first-admin-key")),
            ("Access:AdminKeys:1:Name", "new"), ("Access:AdminKeys:1:Sha256", ApiKeyHashes.Of("second-admin-key")),
            ("Access:PublisherKeys:0:Sha256", ApiKeyHashes.Of("a-publisher-key")));
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything" }, ct);

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, $"/subscribers/{subscriber.Id}"), (HttpMethod.Get, $"/subscribers/{subscriber.Id}/deliveries"),
                     (HttpMethod.Patch, $"/subscribers/{subscriber.Id}"), (HttpMethod.Put, $"/subscribers/{subscriber.Id}"),
                     (HttpMethod.Delete, $"/subscribers/{subscriber.Id}"),
                 })
        {
            foreach (var key in new[] { null, "wrong-key", "a-publisher-key", ApiKeyHashes.Of("second-admin-key") })
            {
                var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { threshold = 0.2 }) };
                if (key is not null)
                    request.Headers.Add("X-Api-Key", key);
                var response = await host.Client.SendAsync(request, ct);
                // No key or an unknown one: 401; a valid key of another role: 403. Either way as problem details.
                Assert.Equal(key == "a-publisher-key" ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // Both keys of the role work during a rotation, in either header form.
        var authorized = new HttpRequestMessage(HttpMethod.Get, $"/subscribers/{subscriber.Id}");
        authorized.Headers.Add("X-Api-Key", "second-admin-key");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(authorized, ct)).StatusCode);
        var bearer = new HttpRequestMessage(HttpMethod.Get, $"/subscribers/{subscriber.Id}");
        bearer.Headers.Authorization = new("Bearer", "first-admin-key");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(bearer, ct)).StatusCode);
    }

    [Fact]
    public async Task Excluded_topics_are_never_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new
        {
            email = "reader@example.com", interests = "Anything", threshold = 0.1, excludedTopics = new[] { "blockchain", "cs.CR" },
        }, ct);
        var byTitle = Subscribers.Scored((subscriber.Id, 0.9)) with { Title = "A Blockchain for Papers" };
        var byTag = Subscribers.Scored((subscriber.Id, 0.9)) with { Title = "Side channels in GPUs" };
        var wanted = Subscribers.Scored((subscriber.Id, 0.9));
        await host.AcceptAsync(byTag, null, ct, "cs.CR");

        await host.PublishAsync(byTitle, ct);
        await host.PublishAsync(byTag, ct);
        await host.PublishAsync(wanted, ct);

        await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Equal([wanted.Title], smtp.Messages.Select(m => m.Subject));
    }

    [Fact]
    public async Task The_daily_cap_stops_instant_emails_for_the_rest_of_the_day()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1, maxMessagesPerDay = 2 }, ct);

        for (var i = 0; i < 4; i++)
            await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)) with { Title = $"Paper {i}" }, ct);

        await smtp.WaitForAsync(2, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Equal(2, smtp.Messages.Count);
        var log = (await host.DeliveriesAsync(subscriber.Id, ct)).EnumerateArray().ToList();
        Assert.Equal(2, log.Count(d => d.GetProperty("status").GetString() == "skipped" && d.GetProperty("lastError").GetString()!.Contains("daily limit")));
    }

    [Fact]
    public async Task Instant_emails_wait_out_quiet_hours()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        var clock = new ShiftableClock();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, clock,
            ("Notification:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Quiet from an hour ago to two hours from now, in Tokyo time.
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), tokyo);
        var subscriber = await host.RegisterAsync(new
        {
            email = "reader@example.com", interests = "Anything", threshold = 0.1, timeZone = "Asia/Tokyo",
            quietHoursStart = local.AddHours(-1).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), quietHoursEnd = local.AddHours(2).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
        }, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);

        var pending = await host.WaitForDeliveryAsync(subscriber.Id, _ => true, ct);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        await host.SettledAsync(recorder, ct); // the dispatcher has been past it since: it is not due
        Assert.Empty(smtp.Messages);

        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
    }

    [Fact]
    public async Task The_sign_up_form_validates_like_the_API()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder);

        var form = await host.Client.GetStringAsync("/subscribe", ct);
        Assert.Contains("<form method=\"post\" action=\"/subscribe\">", form);

        var invalid = await host.Client.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "not an address"), new("interests", "<script>x</script>")]), ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var page = await invalid.Content.ReadAsStringAsync(ct);
        Assert.Contains("Must be a single valid email address.", page);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;</textarea>", page); // what was typed comes back, encoded
        Assert.DoesNotContain("<script>", page);

        var ok = await host.Client.PostAsync("/subscribe", new FormUrlEncodedContent([new("email", "form@example.com"), new("interests", "Robotics"), new("mode", "daily")]), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("daily digest", await ok.Content.ReadAsStringAsync(ct));
        var (registered, _) = await recorder.WaitForAsync<SubscriberRegistered>(e => e.Interests == "Robotics", TimeSpan.FromSeconds(10), ct);
        var created = await host.Client.GetFromJsonAsync<JsonElement>($"/subscribers/{registered.SubscriberId}", ct);
        Assert.Equal("daily", created.GetProperty("mode").GetString());
    }
}
