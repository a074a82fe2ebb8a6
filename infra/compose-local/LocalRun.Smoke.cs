using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Platform.ComposeLocal;

// One subscriber and one listing through the running services: the check that the compose environment works.
public static partial class LocalRun
{
    private static async Task<LocalRunResult> SmokeAsync(LocalRunResult result, List<ComposeService> apps, List<ServiceProcess> processes,
        string? publisherKey, string? adminKey, SmtpCatcher? smtp, HttpClient http, TimeSpan timeout, Action<string> log,
        CancellationToken cancellationToken)
    {
        Uri Url(string project, string path) =>
            new(processes.Single(p => p.Name == apps.Single(s => AppProject(s) == project).Name).BaseAddress, path);
        ComposeService App(string project) => apps.Single(s => AppProject(s) == project);

        CheckKey(App("Ingestion"), "Access__PublisherKeys__", publisherKey, "publisher");
        CheckKey(App("Ingestion"), "Access__AdminKeys__", adminKey, "admin");
        CheckKey(App("Scoring"), "Access__AdminKeys__", adminKey, "admin");
        CheckKey(App("Notification"), "Access__AdminKeys__", adminKey, "admin");

        var clock = Stopwatch.StartNew();
        var email = $"compose-local-{Guid.NewGuid():N}@example.org";
        using var subscribe = new HttpRequestMessage(HttpMethod.Post, Url("Notification", "subscribers"))
        {
            Content = JsonContent.Create(new
            {
                email,
                interests = "Robot learning for dexterous manipulation and grasping with multi-fingered robot hands",
                threshold = 0.1,
                mode = "instant",
            }),
        };
        var subscriber = await SendAsync(http, subscribe, HttpStatusCode.Created, "POST /subscribers", cancellationToken).ConfigureAwait(false);
        var subscriberId = subscriber.GetProperty("id").GetGuid();
        log($"compose-local: smoke: subscriber {subscriberId} ({email})");

        await EventuallyAsync(http, () => Get(Url("Scoring", $"subscriber-vectors/{subscriberId}"), adminKey), _ => true,
            timeout - clock.Elapsed, "scoring to hold the subscriber's interest vector", cancellationToken).ConfigureAwait(false);

        using var post = new HttpRequestMessage(HttpMethod.Post, Url("Ingestion", "listings"))
        {
            Content = JsonContent.Create(new
            {
                source = "compose-local",
                externalId = Guid.NewGuid().ToString("N"),
                title = "Diffusion Policies for Dexterous Robot Manipulation from Few Demonstrations",
                @abstract = "We train diffusion-based visuomotor policies for a multi-fingered robot hand from twenty demonstrations per task; the policies grasp and reorient unseen objects.",
                url = "https://example.org/papers/compose-local",
                tags = new[] { "robotics" },
            }),
        };
        post.Headers.Add("X-Api-Key", publisherKey);
        var listing = await SendAsync(http, post, HttpStatusCode.Created, "POST /listings", cancellationToken).ConfigureAwait(false);
        var listingId = listing.GetProperty("id").GetGuid();
        log($"compose-local: smoke: listing {listingId} accepted");

        var scores = await EventuallyAsync(http, () => Get(Url("Scoring", $"scored-listings/{listingId}"), adminKey),
            s => s.ValueKind == JsonValueKind.Array && s.GetArrayLength() > 0, timeout - clock.Elapsed, "the listing's score", cancellationToken)
            .ConfigureAwait(false);
        var score = FindScore(scores, subscriberId);
        log($"compose-local: smoke: scored, subscriber's score {score?.ToString("0.000", CultureInfo.InvariantCulture) ?? "(not listed)"}");

        await EventuallyAsync(http, () => Get(Url("Notification", $"subscribers/{subscriberId}/deliveries"), adminKey),
            d => d.ValueKind == JsonValueKind.Array && d.EnumerateArray().Any(x => x.GetProperty("status").GetString() == "delivered"),
            timeout - clock.Elapsed, "the email delivery to be recorded as delivered", cancellationToken).ConfigureAwait(false);
        var emails = smtp?.Messages.Select(m => m.To).ToList() ?? [];
        if (smtp is not null && !emails.Contains(email, StringComparer.OrdinalIgnoreCase))
        {
            throw new LocalRunException($"notification says the email to {email} was delivered, but the SMTP catcher got none (got: {string.Join(", ", emails)})");
        }

        log($"compose-local: smoke: email delivered to {email} after {clock.Elapsed.TotalSeconds:0.0} s");
        return result with { ListingId = listingId, Score = score, EmailsTo = emails };
    }

    private static void CheckKey(ComposeService service, string prefix, string? key, string role)
    {
        var hashes = service.Environment
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && e.Key.EndsWith("__Sha256", StringComparison.Ordinal) && e.Value.Length > 0)
            .Select(e => e.Value.ToLowerInvariant())
            .ToList();
        if (hashes.Count == 0)
        {
            return; // open role: no key needed
        }

        if (key is null)
        {
            throw new LocalRunException($"{service.Name} requires a {role} key: pass --{role}-key (or --generate-missing-secrets with an env file that leaves the hashes empty)");
        }

        if (!hashes.Contains(Sha256Hex(key)))
        {
            throw new LocalRunException($"the {role} key given does not match any {prefix}N__Sha256 of {service.Name}");
        }
    }

    private static HttpRequestMessage Get(Uri url, string? adminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (adminKey is not null)
        {
            request.Headers.Add("X-Api-Key", adminKey);
        }

        return request;
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, string what,
        CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != expected)
        {
            throw new LocalRunException($"smoke: {what} answered {(int)response.StatusCode} (expected {(int)expected}): {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> EventuallyAsync(HttpClient http, Func<HttpRequestMessage> request, Func<JsonElement, bool> done,
        TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            using (var message = request())
            using (var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false))
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}";
                if (response.IsSuccessStatusCode)
                {
                    var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement.Clone();
                    if (done(body))
                    {
                        return body;
                    }
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new LocalRunException($"smoke: waited {timeout.TotalSeconds:0} s for {what}; last answer: {Truncate(last, 600)}");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    private static double? FindScore(JsonElement scores, Guid subscriberId)
    {
        foreach (var scored in scores.EnumerateArray())
        {
            if (scored.TryGetProperty("matches", out var matches) && matches.ValueKind == JsonValueKind.Array)
            {
                foreach (var match in matches.EnumerateArray())
                {
                    if (match.TryGetProperty("subscriberId", out var id) && id.GetGuid() == subscriberId && match.TryGetProperty("score", out var score))
                    {
                        return score.GetDouble();
                    }
                }
            }
        }

        return null;
    }
}
