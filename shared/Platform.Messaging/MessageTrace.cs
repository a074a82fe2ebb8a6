using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;

namespace Platform.Messaging;

/// <summary>
/// Per-message spans inside a batch consumer. MassTransit runs a batch under one consume span, so without this every
/// listing of a batch would continue one trace; a span per message, parented by that message's own send span (its
/// <c>MT-Activity-Id</c> header), keeps each listing's journey one connected trace — and whatever the consumer writes
/// to the outbox while the span is current carries that trace on.
/// </summary>
public static class MessageTrace
{
    public static Activity? StartItem(ConsumeContext message, string name)
    {
        var header = message.Headers.Get<string>(DiagnosticHeaders.ActivityId);
        if (!ActivityContext.TryParse(header, null, out var parent))
            return OutboxMetrics.Source.StartActivity(name, ActivityKind.Consumer);
        var batch = Activity.Current;
        var activity = OutboxMetrics.Source.StartActivity(name, ActivityKind.Consumer, parent,
            links: batch is null ? null : [new ActivityLink(batch.Context)]);
        activity?.SetTag("messaging.message.id", message.MessageId);
        return activity;
    }
}
