using Dapper;
using MassTransit;
using Platform.Messaging;

namespace Shared.Tests.Support;

/// <summary>A message of the test assembly (resolved by the outbox relay through its assembly-qualified name).</summary>
public sealed record OutboxProbe(string Run, int Number);

/// <summary>Records every <see cref="OutboxProbe"/> it consumes, one at a time, so that the log shows delivery order.</summary>
public sealed class ProbeRecorder(MessageLog log) : IConsumer<OutboxProbe>
{
    public Task Consume(ConsumeContext<OutboxProbe> context)
    {
        log.Add(new Received(context.MessageId, context.Message));
        return Task.CompletedTask;
    }
}

public sealed class ProbeRecorderDefinition : ConsumerDefinition<ProbeRecorder>
{
    public ProbeRecorderDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ProbeRecorder> consumer, IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.ConcurrentMessageLimit = 1;
    }
}

/// <summary>A message whose effect must happen once per consumer however often it is delivered.</summary>
public sealed record InboxProbe(string Note, int FailAttempts = 0);

/// <summary>
/// The consumer pattern every service uses: claim first in the unit of work, do the effect, commit.
/// Fails the first <see cref="InboxProbe.FailAttempts"/> attempts after the effect (before commit), so a retry redelivers it.
/// </summary>
public sealed class InboxProbeConsumer(TestDatabase database, MessageLog log) : IConsumer<InboxProbe>
{
    public const string Name = "inbox-probe-consumer";

    public async Task Consume(ConsumeContext<InboxProbe> context)
    {
        await using var uow = await database.BeginAsync(context.CancellationToken);
        var claimed = await uow.TryClaimAsync(context, Name);
        log.Add(new Received(context.MessageId, context.Message, claimed ? "claimed" : "duplicate"));
        if (!claimed)
            return;
        await uow.Connection.ExecuteAsync(
            "INSERT INTO effects (message_id, consumer, note) VALUES (@MessageId, @Consumer, @Note)",
            new { context.MessageId, Consumer = Name, context.Message.Note }, uow.Transaction);
        if (context.GetRetryAttempt() < context.Message.FailAttempts)
            throw new InvalidOperationException($"Induced failure on attempt {context.GetRetryAttempt()}");
        await uow.CommitAsync(context.CancellationToken);
    }
}

/// <summary>Asks <see cref="ClaimScenarioConsumer"/> to run several claims with one real consume context.</summary>
public sealed record ClaimScenario(string Name);

/// <summary>
/// Runs claims in separate units of work against the consume context it was given and records the results
/// (<see cref="Received.Note"/>: the results joined by commas), because a <see cref="ConsumeContext"/> only exists inside a consumer.
/// </summary>
public sealed class ClaimScenarioConsumer(TestDatabase database, MessageLog log) : IConsumer<ClaimScenario>
{
    public async Task Consume(ConsumeContext<ClaimScenario> context)
    {
        var results = new List<bool>();
        async Task Claim(string consumer, bool commit)
        {
            await using var uow = await database.BeginAsync(context.CancellationToken);
            results.Add(await uow.TryClaimAsync(context, consumer));
            if (commit)
                await uow.CommitAsync(context.CancellationToken);
        }

        switch (context.Message.Name)
        {
            case "same-consumer-twice":
                await Claim("a", commit: true);
                await Claim("a", commit: true);
                break;
            case "other-consumer":
                await Claim("a", commit: true);
                await Claim("b", commit: true);
                await Claim("b", commit: true);
                break;
            case "rolled-back":
                await Claim("a", commit: false);
                await Claim("a", commit: true);
                await Claim("a", commit: true);
                break;
            default:
                throw new ArgumentException(context.Message.Name);
        }
        log.Add(new Received(context.MessageId, context.Message, string.Join(",", results)));
    }
}
