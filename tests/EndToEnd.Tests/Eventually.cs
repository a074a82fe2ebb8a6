namespace EndToEnd.Tests;

internal static class Eventually
{
    /// <summary>Polls an HTTP GET until it succeeds (the pipeline is asynchronous), failing after the timeout.</summary>
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
