using Dapper;
using Platform.Data;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

/// <summary>What the Dapper type handlers store in SQLite and read back, checked against the raw column values.</summary>
public sealed class DapperTypeHandlerTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("dapper");
    private ScratchDatabase _database = null!;

    private static readonly MigrationSource Schema = ResourceAssembly.Migrations("samples",
        ("0001_samples.sql", """
            CREATE TABLE samples (
                id          TEXT NOT NULL PRIMARY KEY,
                other_id    TEXT NULL,
                happened_at TEXT NULL,
                maybe_at    TEXT NULL,
                day         TEXT NULL,
                maybe_day   TEXT NULL,
                vector      BLOB NULL,
                external_id TEXT NULL
            );
            """));

    public ValueTask InitializeAsync()
    {
        _database = new ScratchDatabase(_temp.File("samples.db"), Schema);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    public sealed record Sample
    {
        public Guid Id { get; init; }
        public Guid? OtherId { get; init; }
        public DateTimeOffset HappenedAt { get; init; }
        public DateTimeOffset? MaybeAt { get; init; }
        public DateOnly Day { get; init; }
        public DateOnly? MaybeDay { get; init; }
        public float[]? Vector { get; init; }
        public string? ExternalId { get; init; }
    }

    private async Task InsertAsync(Sample sample)
    {
        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO samples (id, other_id, happened_at, maybe_at, day, maybe_day, vector, external_id)
            VALUES (@Id, @OtherId, @HappenedAt, @MaybeAt, @Day, @MaybeDay, @Vector, @ExternalId)
            """, sample);
    }

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"{sql} returned null");
    }

    private static Sample NewSample() => new()
    {
        Id = Guid.NewGuid(),
        HappenedAt = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero),
        Day = new DateOnly(2024, 3, 1),
    };

    [Fact]
    public async Task Guids_are_stored_as_36_character_text_and_read_back()
    {
        var sample = NewSample() with { OtherId = Guid.NewGuid() };
        await InsertAsync(sample);

        Assert.Equal("text", await ScalarAsync<string>("SELECT typeof(id) FROM samples"));
        Assert.Equal(sample.Id.ToString("D"), await ScalarAsync<string>("SELECT id FROM samples"));
        Assert.Equal(36, await ScalarAsync<long>("SELECT length(id) FROM samples"));

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleAsync<Sample>("SELECT * FROM samples WHERE id = @Id", new { sample.Id });
        Assert.Equal(sample.Id, read.Id);
        Assert.Equal(sample.OtherId, read.OtherId);
        // Scalars and lists of Guids go through the handler too (Dapper's built-in Guid mapping was removed).
        Assert.Equal(sample.Id, await connection.ExecuteScalarAsync<Guid>("SELECT id FROM samples"));
        Assert.Equal([sample.Id], await connection.QueryAsync<Guid>("SELECT id FROM samples"));
        Assert.Equal(sample.OtherId, await connection.QuerySingleAsync<Guid?>("SELECT other_id FROM samples"));
    }

    [Fact]
    public async Task A_null_guid_stays_null()
    {
        await InsertAsync(NewSample());

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleAsync<Sample>("SELECT * FROM samples");
        Assert.Null(read.OtherId);
        Assert.Equal("null", await connection.ExecuteScalarAsync<string>("SELECT typeof(other_id) FROM samples"));
    }

    [Fact]
    public async Task Timestamps_with_any_offset_are_stored_as_sortable_utc_text_and_come_back_as_the_same_instant()
    {
        var plusFive = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.FromHours(5)).AddTicks(1234567); // 05:00:00.1234567Z
        var minusEight = new DateTimeOffset(2024, 2, 29, 22, 30, 0, TimeSpan.FromHours(-8));         // 06:30Z, later instant
        var first = NewSample() with { HappenedAt = plusFive, MaybeAt = minusEight };
        var second = NewSample() with { HappenedAt = minusEight };
        await InsertAsync(first);
        await InsertAsync(second);

        Assert.Equal("2024-03-01T05:00:00.1234567Z", await ScalarAsync<string>("SELECT happened_at FROM samples WHERE id = @Id", new { first.Id }));
        Assert.Equal("2024-03-01T06:30:00.0000000Z", await ScalarAsync<string>("SELECT happened_at FROM samples WHERE id = @Id", new { second.Id }));
        // Text order is time order, although the local wall clock of minusEight (22:30 on the 29th) sorts first.
        Assert.Equal(first.Id, await ScalarAsync<Guid>("SELECT id FROM samples ORDER BY happened_at LIMIT 1"));
        // Comparing with a parameter compares instants too.
        Assert.Equal(second.Id, await ScalarAsync<Guid>("SELECT id FROM samples WHERE happened_at > @At", new { At = plusFive }));

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleAsync<Sample>("SELECT * FROM samples WHERE id = @Id", new { first.Id });
        Assert.Equal(plusFive.UtcTicks, read.HappenedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.HappenedAt.Offset);
        Assert.Equal(minusEight.UtcTicks, read.MaybeAt!.Value.UtcTicks);
        Assert.Equal(plusFive.UtcTicks, (await connection.ExecuteScalarAsync<DateTimeOffset>("SELECT happened_at FROM samples WHERE id = @Id", new { first.Id })).UtcTicks);
        Assert.Equal([plusFive.UtcDateTime, minusEight.UtcDateTime],
            (await connection.QueryAsync<DateTimeOffset>("SELECT happened_at FROM samples ORDER BY happened_at")).Select(t => t.UtcDateTime));
        Assert.Null((await connection.QuerySingleAsync<Sample>("SELECT * FROM samples WHERE id = @Id", new { second.Id })).MaybeAt);
    }

    [Fact]
    public async Task Dates_are_stored_as_iso_text_and_read_back()
    {
        var sample = NewSample() with { Day = new DateOnly(1999, 12, 31), MaybeDay = new DateOnly(2024, 2, 29) };
        await InsertAsync(sample);

        Assert.Equal("1999-12-31", await ScalarAsync<string>("SELECT day FROM samples"));
        Assert.Equal("2024-02-29", await ScalarAsync<string>("SELECT maybe_day FROM samples"));

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleAsync<Sample>("SELECT * FROM samples");
        Assert.Equal(sample.Day, read.Day);
        Assert.Equal(sample.MaybeDay, read.MaybeDay);
        Assert.Equal(sample.Day, await connection.ExecuteScalarAsync<DateOnly>("SELECT day FROM samples"));
    }

    [Fact]
    public async Task Vectors_are_stored_as_four_bytes_per_float_and_round_trip_bit_for_bit()
    {
        float[] vector = [0f, -0f, 1f, -1.5f, float.Epsilon, float.MaxValue, float.MinValue, float.NaN, float.PositiveInfinity,
            float.NegativeInfinity, 0.1f, 1f / 3f, BitConverter.Int32BitsToSingle(0x7FC01234) /* NaN with payload */];
        var sample = NewSample() with { Vector = vector };
        await InsertAsync(sample);

        Assert.Equal("blob", await ScalarAsync<string>("SELECT typeof(vector) FROM samples"));
        Assert.Equal(4L * vector.Length, await ScalarAsync<long>("SELECT length(vector) FROM samples"));
        var raw = await ScalarAsync<byte[]>("SELECT vector FROM samples");
        Assert.Equal(BitConverter.GetBytes(-1.5f), raw[12..16]); // little-endian float32, in order

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleAsync<Sample>("SELECT * FROM samples");
        Assert.Equal(Bits(vector), Bits(read.Vector!));
        Assert.Equal(Bits(vector), Bits(await connection.ExecuteScalarAsync<float[]>("SELECT vector FROM samples") ?? []));

        static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
    }

    [Fact]
    public async Task A_vector_read_as_a_single_column_comes_back_as_floats()
    {
        // The embedding service's cache lookup reads a vector this way: QuerySingleOrDefaultAsync<float[]>.
        float[] vector = [0.25f, -2f, 3.5f];
        await InsertAsync(NewSample() with { Vector = vector });

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var read = await connection.QuerySingleOrDefaultAsync<float[]>("SELECT vector FROM samples");

        Assert.Equal(vector, read);
        Assert.Null(await connection.QuerySingleOrDefaultAsync<float[]>("SELECT vector FROM samples WHERE 0"));
    }

    [Fact]
    public async Task An_empty_vector_round_trips_and_a_null_vector_stays_null()
    {
        var empty = NewSample() with { Vector = [] };
        var none = NewSample();
        await InsertAsync(empty);
        await InsertAsync(none);

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        var readEmpty = (await connection.QuerySingleAsync<Sample>("SELECT * FROM samples WHERE id = @Id", new { empty.Id })).Vector;
        Assert.NotNull(readEmpty);
        Assert.Empty(readEmpty);
        Assert.Null((await connection.QuerySingleAsync<Sample>("SELECT * FROM samples WHERE id = @Id", new { none.Id })).Vector);
        Assert.Equal("null", await connection.ExecuteScalarAsync<string>("SELECT typeof(vector) FROM samples WHERE id = @Id", new { none.Id }));
    }

    [Fact]
    public async Task Snake_case_columns_map_to_pascal_case_properties()
    {
        await InsertAsync(NewSample() with { ExternalId = "ext-42" });

        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal("ext-42", (await connection.QuerySingleAsync<Sample>("SELECT external_id, id FROM samples")).ExternalId);
    }
}
