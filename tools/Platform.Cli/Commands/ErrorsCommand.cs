using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Platform.Cli.Commands;

/// <summary><c>platform errors list|show|replay</c>: the services' RabbitMQ error queues.</summary>
public static class ErrorsCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("errors", "Error queues on RabbitMQ (<endpoint>_error): list, show, replay. " +
            "Not available with the embedded all-in-one host, whose bus is in memory.");
        command.Add(List(app));
        command.Add(Show(app));
        command.Add(Replay(app));
        return command;
    }

    private static Command List(CliApp app)
    {
        var queues = new Option<string[]>("--queue") { Description = "Further queues to count (repeatable)", HelpName = "name", AllowMultipleArgumentsPerToken = false };
        var command = new Command("list", $"Message counts of the error queues of the known endpoints ({string.Join(", ", ErrorQueues.KnownEndpoints)}) and of --queue") { queues };
        app.SetAction(command, async (ctx, ct) =>
        {
            await using var broker = await ErrorQueues.ConnectAsync(ctx.Settings, ct);
            var names = ErrorQueues.KnownEndpoints.Select(ErrorQueues.ErrorQueueName).Concat(ctx.Get(queues) ?? []).Distinct().ToList();
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("queue").AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("consumers").RightAligned()).AddColumn("replays to");
            var found = 0;
            var missing = new List<string>();
            foreach (var name in names)
            {
                if (await broker.InspectAsync(name, ct) is not { } queue)
                {
                    missing.Add(name);
                    continue;
                }
                found++;
                table.AddRow(
                    Markup.Escape(name),
                    queue.MessageCount > 0 ? $"[red]{queue.MessageCount}[/]" : "0",
                    queue.ConsumerCount.ToString(CultureInfo.InvariantCulture),
                    name.EndsWith(ErrorQueues.ErrorSuffix, StringComparison.Ordinal) ? Markup.Escape(ErrorQueues.TargetQueueName(name)) : "—");
            }
            var where = $"{ctx.Settings.Amqp.Host}{ctx.Settings.Amqp.AbsolutePath}";
            if (found == 0)
                ctx.Console.MarkupLineInterpolated($"No error queues on {where}: no endpoint has faulted a message yet (MassTransit creates <endpoint>_error on the first fault).");
            else
                ctx.Console.Write(table);
            if (missing.Count > 0 && found > 0)
                ctx.Console.MarkupLineInterpolated($"[grey]Not present (nothing faulted there yet): {string.Join(", ", missing)}[/]");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> QueueArgument() => new("queue") { Description = "The error queue, e.g. score-listing_error (the _error suffix may be left out)" };

    private static Command Show(CliApp app)
    {
        var queue = QueueArgument();
        var count = new Option<int>("--count") { Description = "Messages to show, from the head of the queue", DefaultValueFactory = _ => 10, HelpName = "n" };
        var bodyLength = new Option<int>("--body") { Description = "Characters of each body to show", DefaultValueFactory = _ => 300, HelpName = "chars" };
        count.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--count must be 1..1000."); });
        var command = new Command("show", "Peek at messages of an error queue (read without acknowledging, then put back in order)") { queue, count, bodyLength };
        app.SetAction(command, async (ctx, ct) =>
        {
            var name = ErrorQueues.ErrorQueueName(ctx.Get(queue));
            await using var broker = await ErrorQueues.ConnectAsync(ctx.Settings, ct);
            var info = await broker.InspectAsync(name, ct) ?? throw new CliException($"Queue {name} does not exist.", "Nothing has faulted on that endpoint yet, or the name is wrong: see platform errors list.");
            var messages = await broker.PeekAsync(name, ctx.Get(count), ct);
            var console = ctx.Console;
            console.MarkupLineInterpolated($"[bold]{name}[/]: {info.MessageCount} message(s); showing {messages.Count}.");
            var index = 0;
            foreach (var m in messages)
            {
                index++;
                console.Write(new Rule($"[grey]{index}/{messages.Count}[/]") { Justification = Justify.Left });
                var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
                void Row(string label, string? value)
                {
                    if (!string.IsNullOrEmpty(value))
                        grid.AddRow($"[grey]{label}[/]", Markup.Escape(value));
                }
                Row("message id", m.MessageId ?? "(none)");
                Row("type", m.MessageType);
                Row("reason", m.Reason);
                Row("exception", m.ExceptionType);
                Row("fault", m.FaultMessage);
                Row("faulted at", m.FaultTimestamp);
                Row("content type", m.ContentType);
                Row("body", $"{Excerpt(m.Body, ctx.Get(bodyLength))} ({m.Body.Length} bytes)");
                console.Write(grid);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Replay(CliApp app)
    {
        var queue = QueueArgument();
        var messageId = new Option<string?>("--message-id") { Description = "Move only the message with this id", HelpName = "id" };
        var all = new Option<bool>("--all") { Description = "Move every message that is in the queue now" };
        var limit = new Option<int?>("--limit") { Description = "With --all: move at most this many", HelpName = "n" };
        var command = new Command("replay", "Move messages from an error queue back to the endpoint's queue (publisher confirms; acknowledged only once the broker has them)")
        {
            queue, messageId, all, limit,
        };
        command.Validators.Add(r =>
        {
            var hasId = !string.IsNullOrWhiteSpace(r.GetValue(messageId));
            if (hasId == r.GetValue(all))
                r.AddError("Pass exactly one of --message-id ID or --all.");
        });
        app.SetAction(command, async (ctx, ct) =>
        {
            var name = ErrorQueues.ErrorQueueName(ctx.Get(queue));
            var target = ErrorQueues.TargetQueueName(name);
            var id = ctx.Get(messageId);
            await using var broker = await ErrorQueues.ConnectAsync(ctx.Settings, ct);
            var moved = await broker.ReplayAsync(name, target, string.IsNullOrWhiteSpace(id) ? null : id.Trim(), ctx.Get(limit), ct);
            var console = ctx.Console;
            if (id is not null && moved.Count == 0)
                throw new CliException($"No message with id {id} in {name}.", "Nothing was moved; every message was put back in its place.");
            if (moved.Count == 0)
            {
                console.MarkupLineInterpolated($"{name} is empty: nothing to replay.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumn("message id").AddColumn("type").AddColumn("fault");
            foreach (var m in moved)
                table.AddRow(Markup.Escape(m.MessageId ?? "(none)"), Markup.Escape(m.MessageType ?? ""), Markup.Escape(m.FaultMessage ?? ""));
            console.Write(table);
            console.MarkupLineInterpolated($"[green]Replayed {moved.Count} message(s)[/] from {name} to {target}.");
            return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
        });
        return command;
    }

    private static string Excerpt(ReadOnlyMemory<byte> body, int max)
    {
        var text = Encoding.UTF8.GetString(body.Span);
        var flat = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
