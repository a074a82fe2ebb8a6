using Xunit;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>A request a <see cref="WebhookReceiver"/> got, with the status code it answered.</summary>
public sealed record ReceivedWebhook(string Path, string Method, string? ContentType, string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith);

/// <summary>
/// A real HTTP server on 127.0.0.1 that records every request and answers with scripted status codes in order
/// (then <see cref="DefaultStatus"/>), like a subscriber's webhook endpoint.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<int> _script = new();
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public int DefaultStatus { get; set; } = StatusCodes.Status200OK;
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>How long the receiver waits before answering (to simulate a slow endpoint).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Sent as <c>Location</c> with every 3xx answer.</summary>
    public Uri? RedirectTo { get; set; }

    public Uri Url(string path = "/hook") => new(BaseAddress, path);

    /// <summary>The status codes the next requests get, in order.</summary>
    public WebhookReceiver Answer(params int[] statuses)
    {
        foreach (var status in statuses)
            _script.Enqueue(status);
        return this;
    }

    /// <summary>Starts on a free port, or on <paramref name="port"/> (e.g. one a subscriber was registered with while nothing listened).</summary>
    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var status = receiver._script.TryDequeue(out var scripted) ? scripted : receiver.DefaultStatus;
            if (receiver.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(receiver.Delay, context.RequestAborted); }
                catch (OperationCanceledException) { }
            }
            receiver.Record(new ReceivedWebhook(
                context.Request.Path, context.Request.Method, context.Request.ContentType, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400 && receiver.RedirectTo is not null)
                context.Response.Headers.Location = receiver.RedirectTo.ToString();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests to <paramref name="path"/> arrived; fails the test after the timeout.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan timeout, CancellationToken ct, string path = "/hook")
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var matching = ReceivedAt(path);
                if (matching.Count >= count)
                    return matching;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"Expected {count} webhook request(s) to {path} within {timeout}; got {ReceivedAt(path).Count}.");
            }
        }
    }

    public IReadOnlyList<ReceivedWebhook> ReceivedAt(string path) => [.. _received.Where(r => r.Path == path)];

    private void Record(ReceivedWebhook webhook)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _received.Enqueue(webhook);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
