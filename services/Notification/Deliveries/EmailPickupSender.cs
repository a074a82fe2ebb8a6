using System.Text;
using Microsoft.Extensions.Options;
using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>
/// Writes each email as an RFC 5322 <c>.eml</c> file into a pickup directory (what a mail relay or a person can pick up).
/// SMTP delivery replaces this in the notification issue; the delivery log and retries stay the same.
/// </summary>
public sealed class EmailPickupSender(IOptions<NotificationOptions> options, TimeProvider clock) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.Delivery.EmailPickupDirectory);
        Directory.CreateDirectory(folder);
        var text = new StringBuilder()
            .Append("Message-ID: <").Append(delivery.Id.ToString("N")).Append("@platform>\r\n")
            .Append("Date: ").Append(clock.GetUtcNow().ToString("r")).Append("\r\n")
            .Append("To: ").Append(delivery.Email).Append("\r\n")
            .Append("Subject: ").Append(delivery.Title.ReplaceLineEndings(" ")).Append("\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n\r\n")
            .Append(delivery.Title).Append("\r\n").Append(delivery.Url).Append("\r\n")
            .Append("Score: ").Append(delivery.Score.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n")
            .ToString();
        var path = Path.Combine(folder, $"{delivery.Id:N}.eml");
        await File.WriteAllTextAsync(path + ".tmp", text, ct);
        File.Move(path + ".tmp", path, overwrite: true);
        return DeliveryResult.Delivered;
    }
}
