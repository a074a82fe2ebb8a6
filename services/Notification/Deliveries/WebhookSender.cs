using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>POSTs a signed JSON payload; 2xx is delivered, 5xx/429/timeouts are retried, other 4xx give up.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider clock) : INotificationSender
{
    public const string ClientName = "webhooks";

    public NotificationChannel Channel => NotificationChannel.Webhook;

    public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new WebhookPayload(delivery.Id, delivery.SubscriberId, delivery.ListingId, delivery.Title, delivery.Url,
            delivery.Score, JsonSerializer.Deserialize<Dictionary<string, double>>(delivery.Rewards)!), JsonSerializerOptions.Web);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.WebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString("D"));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(delivery.WebhookSecret, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Delivery.WebhookTimeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => DeliveryResult.Delivered,
                (int)HttpStatusCode.TooManyRequests or >= 500 => new DeliveryResult(DeliveryOutcome.Retry, $"HTTP {status}"),
                _ => new DeliveryResult(DeliveryOutcome.GiveUp, $"HTTP {status}"),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, "timed out");
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, ex.Message);
        }
    }
}
