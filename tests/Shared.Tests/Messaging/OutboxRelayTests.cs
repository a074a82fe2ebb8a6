using System.Diagnostics.Metrics;
using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

/// <summary>The outbox relay of a real host on the in-memory transport (see <see cref="OutboxRelayRabbitMqTests"/> for RabbitMQ).</summary>
public sealed class OutboxRelayTests : IDisposable
{
    private readonly TempDirectory _temp = new("relay");

    public void Dispose() => _temp.Dispose();

    private Task<BusHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        BusHost.StartAsync(_temp, x => x.AddConsumer<ProbeRecorder, ProbeRecorderDefinition>(), settings);

    internal sealed record Row(long Sequence, Guid MessageId, DateTimeOffset? SentAt, long Attempts, string? LastError);

    internal static async Task<List<Row>> RowsAsync(Platform.Data.SqliteDatabase database)
    {
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<Row>(
            "SELECT sequence, message_id, sent_at, attempts, last_error FROM outbox_messages ORDER BY sequence")).AsList();
    }

    private static async Task<List<Guid>> WriteAsync(BusHost host, string run, int count, bool commit = true)
    {
        var ct = TestContext.Current.CancellationToken;
        var ids = new List<Guid>();
        await using var uow = await host.Database.BeginAsync(ct);
        for (var i = 0; i < count; i++)
            ids.Add(await host.Outbox.AddAsync(uow, new OutboxProbe(run, i), ct));
        if (commit)
            await uow.CommitAsync(ct);
        return ids;
    }

    [Fact]
    public async Task Publishes_committed_rows_in_sequence_order_with_their_message_ids_and_marks_them_sent()
    {
        await using var host = await StartAsync();

        var ids = new List<Guid>();
        for (var batch = 0; batch < 3; batch++)
            ids.AddRange(await WriteAsync(host, "ordered", 4));

        var received = await host.Received.WaitForAsync<OutboxProbe>(12);
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 4)), received.Select(r => ((OutboxProbe)r.Message).Number));
        Assert.Equal(ids.Cast<Guid?>(), received.Select(r => r.MessageId));

        await Eventually.HoldsAsync(async () => (await RowsAsync(host.Database)).All(r => r.SentAt is not null), "all rows marked sent");
        var rows = await RowsAsync(host.Database);
        Assert.Equal(ids, rows.Select(r => r.MessageId));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        Assert.All(rows, r => Assert.Null(r.LastError));
        Assert.All(rows, r => Assert.InRange(r.SentAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Published_rows_are_counted_on_the_outbox_meter_with_the_database_name()
    {
        long published = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OutboxMetrics.MeterName && instrument.Name == "platform.outbox.published")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "database", Value: "metered" })
                    Interlocked.Add(ref published, value);
        });
        listener.Start();
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<ProbeRecorder, ProbeRecorderDefinition>(), outbox: false);
        // A database of its own name, so that relays of tests running in parallel do not add to the count.
        var database = new MeteredDatabase(host.DatabasePath);
        var signal = new OutboxSignal<MeteredDatabase>();
        using var relay = new OutboxRelay<MeteredDatabase>(database, host.Bus, signal,
            Microsoft.Extensions.Options.Options.Create(new OutboxOptions { PollInterval = TimeSpan.FromMilliseconds(50) }),
            TimeProvider.System, host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay<MeteredDatabase>>.Instance);
        await relay.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var writer = new OutboxWriter<MeteredDatabase>(signal, TimeProvider.System);
            await using (var uow = await database.BeginAsync(TestContext.Current.CancellationToken))
            {
                for (var i = 0; i < 5; i++)
                    await writer.AddAsync(uow, new OutboxProbe("metered", i), TestContext.Current.CancellationToken);
                await uow.CommitAsync(TestContext.Current.CancellationToken);
            }

            await host.Received.WaitForAsync<OutboxProbe>(5);
            await Eventually.HoldsAsync(() => Interlocked.Read(ref published) == 5, "5 published rows counted");
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
    }

    private sealed class MeteredDatabase(string path) : Platform.Data.SqliteDatabase(
        "metered", new Platform.Data.DatabaseOptions { Path = path }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        MessagingMigrations.Source, TestMigrations.Source);

    [Fact]
    public async Task Uncommitted_rows_are_never_published()
    {
        await using var host = await StartAsync();

        await WriteAsync(host, "rolled-back", 2, commit: false);
        var committed = await WriteAsync(host, "committed", 1);

        var received = await host.Received.WaitForAsync<OutboxProbe>(1);
        Assert.Single(await RowsAsync(host.Database));
        // A marker written after them: the relay publishes in sequence order, so once the marker is in, so is everything before it.
        var marker = await WriteAsync(host, "marker", 1);
        await host.Received.WaitForAsync(r => r.MessageId == marker[0], 1);
        Assert.Equal([.. committed, .. marker], host.Received.Of<OutboxProbe>().Select(r => r.MessageId!.Value));
        Assert.Equal("committed", ((OutboxProbe)received[0].Message).Run);
    }

    [Fact]
    public async Task A_commit_wakes_the_relay_without_waiting_for_the_poll_interval()
    {
        var ct = TestContext.Current.CancellationToken;
        // An expired inbox claim: the relay deletes it at the end of its first pass, right before it goes to sleep.
        await using (var connection = await ScratchDatabase.LikeTestDatabase(_temp.File("test.db")).OpenAsync(ct))
        {
            await connection.ExecuteAsync("INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES (@Id, 'c', @At)",
                new { Id = Guid.NewGuid(), At = DateTimeOffset.UtcNow.AddDays(-30) });
        }
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Messaging:Outbox:PollInterval"] = "00:01:00" });
        await Eventually.HoldsAsync(async () =>
        {
            await using var connection = await host.Database.OpenAsync(ct);
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages") == 0;
        }, "the relay's first pass over (its clean-up done): it drained the empty outbox and sleeps for a minute");

        await WriteAsync(host, "woken", 1);

        // Well within the minute it would otherwise sleep: only the commit's signal can have woken it.
        await host.Received.WaitForAsync<OutboxProbe>(1, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Rows_left_unsent_by_a_previous_run_wait_for_the_bus_to_start()
    {
        await (await StartAsync()).DisposeAsync(); // creates the schema
        var ct = TestContext.Current.CancellationToken;
        var previousRun = ScratchDatabase.LikeTestDatabase(_temp.File("test.db"));
        var writer = new OutboxWriter<ScratchDatabase>(new OutboxSignal<ScratchDatabase>(), TimeProvider.System);
        await using (var uow = await previousRun.BeginAsync(ct))
        {
            for (var i = 0; i < 3; i++)
                await writer.AddAsync(uow, new OutboxProbe("left-over", i), ct);
            await uow.CommitAsync(ct);
        }

        // The relay starts first, then something slow, then the bus: the relay must not publish into the gap.
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<ProbeRecorder, ProbeRecorderDefinition>(),
            beforeBus: services => services.AddHostedService<SlowToStart>());

        var received = await host.Received.WaitForAsync<OutboxProbe>(3, TimeSpan.FromSeconds(30));
        Assert.Equal([0, 1, 2], received.Select(r => ((OutboxProbe)r.Message).Number));
    }

    private sealed class SlowToStart : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Rows_committed_by_another_process_are_found_by_polling()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Messaging:Outbox:PollInterval"] = "00:00:00.200" });

        // Another writer (no signal reaches this host's relay): a separate database object on the same file.
        var other = ScratchDatabase.LikeTestDatabase(host.DatabasePath);
        var otherWriter = new OutboxWriter<ScratchDatabase>(new OutboxSignal<ScratchDatabase>(), TimeProvider.System);
        await using (var uow = await other.BeginAsync(TestContext.Current.CancellationToken))
        {
            await otherWriter.AddAsync(uow, new OutboxProbe("polled", 0), TestContext.Current.CancellationToken);
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }

        await host.Received.WaitForAsync<OutboxProbe>(1, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_unpublishable_row_stays_unsent_records_its_error_and_holds_back_every_later_row()
    {
        await using var host = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await using (var uow = await host.Database.BeginAsync(ct))
        {
            // Written by a newer version of the service that knew a message type this one does not.
            await uow.Connection.ExecuteAsync(
                "INSERT INTO outbox_messages (message_id, message_type, body, created_at) VALUES (@Id, 'Gone.Contracts.Vanished, Gone.Contracts', '{}', @At)",
                new { Id = Guid.NewGuid(), At = DateTimeOffset.UtcNow }, uow.Transaction);
            for (var i = 1; i <= 3; i++)
                await host.Outbox.AddAsync(uow, new OutboxProbe("held-back", i), ct);
            await uow.CommitAsync(ct);
        }

        await Eventually.HoldsAsync(async () => (await RowsAsync(host.Database))[0].Attempts >= 3, "three failed attempts on the first row");
        var rows = await RowsAsync(host.Database);
        Assert.Contains("Gone.Contracts.Vanished", rows[0].LastError);
        Assert.All(rows, r => Assert.Null(r.SentAt));
        Assert.All(rows.Skip(1), r => Assert.Equal(0, r.Attempts));
        Assert.Empty(host.Received.Of<OutboxProbe>());
        Assert.Contains(host.Logs.Lines, l => l.Contains("Outbox relay for test failed"));

        // An operator repairs the row: it goes first, then the rows it held back, in order.
        await using (var connection = await host.Database.OpenAsync(ct))
        {
            await connection.ExecuteAsync("UPDATE outbox_messages SET message_type = @Type, body = @Body WHERE sequence = @Sequence",
                new { Type = MessageSerializer.TypeName(typeof(OutboxProbe)), Body = MessageSerializer.Serialize(new OutboxProbe("held-back", 0), typeof(OutboxProbe)), rows[0].Sequence });
        }
        var received = await host.Received.WaitForAsync<OutboxProbe>(4);
        Assert.Equal([0, 1, 2, 3], received.Select(r => ((OutboxProbe)r.Message).Number));
        Assert.Equal(rows.Select(r => (Guid?)r.MessageId), received.Select(r => r.MessageId));
        await Eventually.HoldsAsync(async () => (await RowsAsync(host.Database)).All(r => r.SentAt is not null), "all rows sent");
        Assert.Null((await RowsAsync(host.Database))[0].LastError);
    }

    [Fact]
    public async Task A_row_whose_body_cannot_be_read_is_not_skipped()
    {
        await using var host = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await using (var uow = await host.Database.BeginAsync(ct))
        {
            await uow.Connection.ExecuteAsync(
                "INSERT INTO outbox_messages (message_id, message_type, body, created_at) VALUES (@Id, @Type, 'not json', @At)",
                new { Id = Guid.NewGuid(), Type = MessageSerializer.TypeName(typeof(OutboxProbe)), At = DateTimeOffset.UtcNow }, uow.Transaction);
            await host.Outbox.AddAsync(uow, new OutboxProbe("behind-bad-json", 1), ct);
            await uow.CommitAsync(ct);
        }

        await Eventually.HoldsAsync(async () => (await RowsAsync(host.Database))[0].Attempts >= 2, "failed attempts on the first row");
        Assert.NotNull((await RowsAsync(host.Database))[0].LastError);
        Assert.Null((await RowsAsync(host.Database))[1].SentAt);
        Assert.Empty(host.Received.Of<OutboxProbe>());
    }

    [Fact]
    public async Task Sent_rows_and_inbox_claims_are_deleted_after_the_retention_period_but_unsent_rows_are_kept()
    {
        var path = _temp.File("test.db");
        var prepared = ScratchDatabase.LikeTestDatabase(path);
        var now = DateTimeOffset.UtcNow;
        Guid oldSent = Guid.NewGuid(), recentSent = Guid.NewGuid(), oldUnsent = Guid.NewGuid();
        await using (var connection = await prepared.OpenAsync(TestContext.Current.CancellationToken))
        {
            const string insert = "INSERT INTO outbox_messages (message_id, message_type, body, created_at, sent_at, attempts) VALUES (@Id, @Type, @Body, @Created, @Sent, @Attempts)";
            var type = MessageSerializer.TypeName(typeof(OutboxProbe));
            var body = MessageSerializer.Serialize(new OutboxProbe("retention", 0), typeof(OutboxProbe));
            await connection.ExecuteAsync(insert, new { Id = oldSent, Type = type, Body = body, Created = now.AddDays(-3), Sent = (DateTimeOffset?)now.AddDays(-3), Attempts = 1 });
            await connection.ExecuteAsync(insert, new { Id = recentSent, Type = type, Body = body, Created = now.AddHours(-1), Sent = (DateTimeOffset?)now.AddHours(-1), Attempts = 1 });
            await connection.ExecuteAsync(insert, new { Id = oldUnsent, Type = type, Body = body, Created = now.AddDays(-3), Sent = (DateTimeOffset?)null, Attempts = 0 });
            await connection.ExecuteAsync("INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES (@Id, 'c', @At)",
                new[] { new { Id = Guid.NewGuid(), At = now.AddDays(-3) }, new { Id = Guid.NewGuid(), At = now.AddHours(-1) } });
        }

        await using var host = await StartAsync(new Dictionary<string, string?> { ["Messaging:Outbox:Retention"] = "1.00:00:00" });

        // The old unsent row is published, not deleted; the cleanup runs right after that first pass.
        await host.Received.WaitForAsync<OutboxProbe>(1);
        await Eventually.HoldsAsync(async () => (await RowsAsync(host.Database)).Count == 2, "the expired sent row deleted");
        var rows = await RowsAsync(host.Database);
        Assert.Equal([recentSent, oldUnsent], rows.Select(r => r.MessageId));
        await using var check = await host.Database.OpenAsync(TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(async () => await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages") == 1, "the expired inbox claim deleted");
        Assert.Equal(now.AddHours(-1).UtcDateTime, (await check.QuerySingleAsync<DateTimeOffset>("SELECT processed_at FROM inbox_messages")).UtcDateTime);
    }
}
