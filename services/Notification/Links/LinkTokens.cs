using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Links;

public enum LinkAction : byte
{
    Like = 1,
    Dismiss = 2,
    Unsubscribe = 3,
    Preferences = 4,
}

public sealed record LinkToken(LinkAction Action, Guid SubscriberId, Guid ListingId, DateTimeOffset ExpiresAt);

public enum TokenCheck
{
    Valid,
    Invalid,
    Expired,
}

/// <summary>
/// Signed, expiring tokens for the links in emails, so no login is needed:
/// <c>base64url(version | action | subscriber | listing | expires) "." base64url(HMAC-SHA256(key, payload))</c>.
/// Anything altered fails the MAC; a valid token past its expiry is refused as expired.
/// </summary>
public sealed class LinkTokens
{
    /// <summary>Used when <c>Notification:Links:SigningKey</c> is not configured: fine for development, forgeable anywhere else.</summary>
    public const string DevelopmentKey = "platform-development-link-signing-key-change-me";
    private const byte Version = 1;
    private const int PayloadLength = 1 + 1 + 16 + 16 + 8;

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _unsubscribeLifetime;
    private readonly TimeProvider _clock;

    public LinkTokens(IOptions<NotificationOptions> options, TimeProvider clock, ILogger<LinkTokens> logger)
    {
        var configured = options.Value.Links.SigningKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            logger.LogWarning("Notification:Links:SigningKey is not set: email links are signed with the public development key. Set a secret key in production.");
            configured = DevelopmentKey;
        }
        else if (configured.Length < 32)
        {
            throw new InvalidOperationException("Notification:Links:SigningKey must be at least 32 characters.");
        }
        _key = Encoding.UTF8.GetBytes(configured);
        _lifetime = options.Value.Links.TokenLifetime;
        _unsubscribeLifetime = options.Value.Links.UnsubscribeTokenLifetime;
        _clock = clock;
    }

    public string Create(LinkAction action, Guid subscriberId, Guid listingId = default)
    {
        var payload = new byte[PayloadLength];
        payload[0] = Version;
        payload[1] = (byte)action;
        subscriberId.TryWriteBytes(payload.AsSpan(2, 16));
        listingId.TryWriteBytes(payload.AsSpan(18, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(34), (_clock.GetUtcNow() + (action == LinkAction.Unsubscribe ? _unsubscribeLifetime : _lifetime)).ToUnixTimeSeconds());
        return WebEncoders.Base64UrlEncode(payload) + "." + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, payload));
    }

    public TokenCheck Check(string? token, out LinkToken? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(token) || token.Length > 200 || token.Split('.') is not [var body, var mac])
            return TokenCheck.Invalid;
        byte[] payload, signature;
        try
        {
            payload = WebEncoders.Base64UrlDecode(body);
            signature = WebEncoders.Base64UrlDecode(mac);
        }
        catch (FormatException)
        {
            return TokenCheck.Invalid;
        }
        if (payload.Length != PayloadLength || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), signature))
            return TokenCheck.Invalid;
        if (payload[0] != Version || !Enum.IsDefined((LinkAction)payload[1]))
            return TokenCheck.Invalid;
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(34)));
        if (expires <= _clock.GetUtcNow())
            return TokenCheck.Expired;
        parsed = new LinkToken((LinkAction)payload[1], new Guid(payload.AsSpan(2, 16)), new Guid(payload.AsSpan(18, 16)), expires);
        return TokenCheck.Valid;
    }
}
