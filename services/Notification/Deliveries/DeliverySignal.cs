using Platform.Messaging;

namespace Platform.Notification.Deliveries;

/// <summary>Wakes the dispatcher when new deliveries were committed.</summary>
public sealed class DeliverySignal : WakeSignal;
