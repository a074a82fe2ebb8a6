using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Platform.Contracts;
using Platform.Notification.Deliveries;

namespace Platform.Notification.Email;

/// <summary>
/// Sends instant alerts by SMTP (or, when <see cref="DeliveryOptions.EmailPickupDirectory"/> is set, writes them as
/// <c>.eml</c> files there). An SMTP server that is down, slow or answers 4xx leaves the delivery pending for a retry;
/// only a permanent 5xx refusal of the recipient gives up.
/// </summary>
public sealed class EmailSender(EmailComposer composer, SmtpMailer mailer, IOptions<NotificationOptions> options) : INotificationSender, IBatchingSender
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken ct) =>
        SendAsync(composer.Alert(delivery), delivery.Id, ct);

    public async Task<DeliveryResult> SendAsync(MimeMessage message, Guid id, CancellationToken ct)
    {
        var pickup = options.Value.Delivery.EmailPickupDirectory;
        if (!string.IsNullOrWhiteSpace(pickup))
        {
            var folder = Directory.CreateDirectory(Path.GetFullPath(pickup)).FullName;
            var path = Path.Combine(folder, $"{id:N}.eml");
            await message.WriteToAsync(path + ".tmp", ct);
            File.Move(path + ".tmp", path, overwrite: true);
            return DeliveryResult.Delivered;
        }
        try
        {
            await mailer.SendAsync(message, ct);
            return DeliveryResult.Delivered;
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 500)
        {
            return new DeliveryResult(DeliveryOutcome.GiveUp, $"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (SmtpCommandException ex)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is IOException or SocketException or SmtpProtocolException
                                       or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or TimeoutException or OperationCanceledException)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"SMTP: {ex.Message}");
        }
    }

    public Task EndBatchAsync(CancellationToken ct) => mailer.CloseAsync(ct);
}
