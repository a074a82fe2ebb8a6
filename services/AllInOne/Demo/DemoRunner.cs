using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Platform.AllInOne.Demo;

/// <summary>
/// Drives the sample data through the public HTTP APIs of the running services, exactly as a publisher and subscribers
/// would, then prints what was scored and which notifications went out.
/// </summary>
public sealed class DemoRunner(
    HttpClient http,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<DemoOptions> options,
    ILogger<DemoRunner> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;
    private readonly DemoOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.LoadSamples)
            return;
        await WhenStarted(stoppingToken);
        http.BaseAddress = new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("://+", "://localhost").Replace("://[::]", "://localhost"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var subscribers = await EnsureSubscribersAsync(timeout.Token);
            foreach (var s in subscribers)
                await PollAsync($"/subscriber-vectors/{s.Id}", timeout.Token);
            var listings = await PostListingsAsync(timeout.Token);
            var scored = new List<ScoredView>();
            foreach (var listing in listings)
                scored.Add((await PollAsync<List<ScoredView>>($"/scored-listings/{listing.Id}", timeout.Token))[0]);
            var deliveries = await SettledDeliveriesAsync(subscribers, timeout.Token);
            DemoReport.Print(Console.Out, http.BaseAddress, subscribers, scored, deliveries);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError("The demo did not finish within {Timeout}", _options.Timeout);
            Environment.ExitCode = 1;
        }
        if (_options.ExitWhenDone)
            lifetime.StopApplication();
    }

    private async Task<List<SubscriberView>> EnsureSubscribersAsync(CancellationToken ct)
    {
        if (File.Exists(_options.StateFile))
        {
            var known = JsonSerializer.Deserialize<List<SubscriberView>>(await File.ReadAllTextAsync(_options.StateFile, ct), Json)!;
            if ((await http.GetAsync($"/subscribers/{known[0].Id}", ct)).IsSuccessStatusCode)
                return known;
        }
        var samples = JsonSerializer.Deserialize<List<JsonElement>>(await File.ReadAllTextAsync(SamplePath("subscribers.json"), ct), Json)!;
        var created = new List<SubscriberView>();
        foreach (var sample in samples)
        {
            var response = await http.PostAsJsonAsync("/subscribers", sample, ct);
            response.EnsureSuccessStatusCode();
            created.Add((await response.Content.ReadFromJsonAsync<SubscriberView>(Json, ct))!);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_options.StateFile))!);
        await File.WriteAllTextAsync(_options.StateFile, JsonSerializer.Serialize(created, Json), ct);
        return created;
    }

    private async Task<List<ListingView>> PostListingsAsync(CancellationToken ct)
    {
        var listings = new List<ListingView>();
        foreach (var line in await File.ReadAllLinesAsync(SamplePath("listings.jsonl"), ct))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var response = await http.PostAsync("/listings", new StringContent(line, System.Text.Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
            listings.Add((await response.Content.ReadFromJsonAsync<ListingView>(Json, ct))!);
        }
        logger.LogInformation("Posted {Count} sample listings", listings.Count);
        return listings;
    }

    /// <summary>Waits until every subscriber's deliveries have stopped changing and none is pending.</summary>
    private async Task<Dictionary<Guid, List<DeliveryView>>> SettledDeliveriesAsync(List<SubscriberView> subscribers, CancellationToken ct)
    {
        var previous = -1;
        while (true)
        {
            var all = new Dictionary<Guid, List<DeliveryView>>();
            foreach (var s in subscribers)
                all[s.Id] = (await http.GetFromJsonAsync<List<DeliveryView>>($"/subscribers/{s.Id}/deliveries", Json, ct))!;
            var count = all.Values.Sum(d => d.Count);
            if (count == previous && all.Values.SelectMany(d => d).All(d => d.Status != "pending"))
                return all;
            previous = count;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task PollAsync(string path, CancellationToken ct) => await PollAsync<JsonElement>(path, ct);

    private async Task<T> PollAsync<T>(string path, CancellationToken ct)
    {
        while (true)
        {
            var response = await http.GetAsync(path, ct);
            if (response.IsSuccessStatusCode)
                return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private Task WhenStarted(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(started.SetResult);
        return started.Task.WaitAsync(ct);
    }

    private static string SamplePath(string file) => Path.Combine(AppContext.BaseDirectory, "Samples", file);
}
