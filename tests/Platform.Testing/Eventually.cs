using Xunit;

namespace Platform.Testing;

/// <summary>
/// Polls until something holds instead of sleeping for a fixed time: as fast as the machine allows, and patient with a
/// slow one (the deadlines are generous; they only matter when the thing never happens).
/// </summary>
public static class Eventually
{
    /// <summary>How long <see cref="HoldsAsync(Func{Task{bool}}, string, TimeSpan?)"/> waits unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out after {limit} waiting for: {what}");
            await Task.Delay(25, ct);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Polls an HTTP GET until it succeeds (the pipeline is asynchronous), failing after the timeout (90 s unless given).</summary>
    public static async Task<HttpResponseMessage> SucceedsAsync(Func<Task<HttpResponseMessage>> get, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var response = await get();
            if (response.IsSuccessStatusCode)
                return response;
            await Task.Delay(200, cts.Token);
        }
    }
}
