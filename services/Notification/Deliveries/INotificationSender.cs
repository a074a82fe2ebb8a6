using Platform.Contracts;

namespace Platform.Notification.Deliveries;

public interface INotificationSender
{
    NotificationChannel Channel { get; }
    Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken ct);
}
