using Platform.Contracts;
using Platform.Messaging;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed class MessageSerializerTests
{
    [Fact]
    public void Type_names_are_full_name_and_assembly_name_without_version()
    {
        Assert.Equal("Platform.Contracts.ListingScored, Platform.Contracts", MessageSerializer.TypeName(typeof(ListingScored)));
        Assert.Equal("Shared.Tests.Support.OutboxProbe, Shared.Tests", MessageSerializer.TypeName(typeof(OutboxProbe)));
    }

    [Fact]
    public void Round_trips_a_contract_with_nested_records_dictionaries_dates_and_enums()
    {
        var scored = new ListingScored
        {
            ListingId = Guid.NewGuid(), Title = "A paper", Url = null, ModelVersion = "v7", EmbeddingModelId = "minilm",
            GlobalRewards = new Dictionary<string, double> { ["quality"] = 0.5, ["novelty"] = -1.25 },
            Matches = [new SubscriberMatch { SubscriberId = Guid.NewGuid(), Score = 0.875, Rewards = new Dictionary<string, double> { ["topic"] = 1 } }],
            ScoredAt = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.FromHours(-3)),
        };

        var (message, type) = MessageSerializer.Deserialize(MessageSerializer.TypeName(typeof(ListingScored)), MessageSerializer.Serialize(scored, typeof(ListingScored)));

        Assert.Equal(typeof(ListingScored), type);
        var back = Assert.IsType<ListingScored>(message);
        Assert.Equal(scored.ListingId, back.ListingId);
        Assert.Equal(scored.ScoredAt, back.ScoredAt);
        Assert.Equal(scored.ScoredAt.Offset, back.ScoredAt.Offset);
        Assert.Equal(scored.GlobalRewards, back.GlobalRewards);
        Assert.Equal(scored.Matches[0].SubscriberId, Assert.Single(back.Matches).SubscriberId);
        Assert.Equal(0.875, back.Matches[0].Score);
    }

    [Fact]
    public void Enums_are_written_as_names()
    {
        var json = MessageSerializer.Serialize(new NotificationDelivered
        {
            SubscriberId = Guid.Empty, ListingId = Guid.Empty, Channel = NotificationChannel.Email, Score = 1, Attempts = 1, DeliveredAt = DateTimeOffset.UnixEpoch,
        }, typeof(NotificationDelivered));

        Assert.Contains("\"channel\":\"Email\"", json);
    }

    [Fact]
    public void An_unknown_type_name_is_an_error_naming_the_type()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MessageSerializer.Deserialize("Nope.Gone, Nope", "{}"));

        Assert.Contains("'Nope.Gone, Nope'", error.Message);
    }
}
