namespace Platform.Notification.Deliveries;

/// <summary>A sender that keeps a connection open across the deliveries of a dispatch batch and closes it when work runs out.</summary>
public interface IBatchingSender
{
    Task EndBatchAsync(CancellationToken ct);
}
