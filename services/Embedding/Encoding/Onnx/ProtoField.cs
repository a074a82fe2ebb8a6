namespace Platform.Embedding.Encoding.Onnx;

/// <summary>
/// One field of a protobuf message as read from the wire: its number, wire type, value (a varint, or the bytes of a
/// length-delimited field) and <see cref="Encoded"/>, the whole field tag included, for copying it unchanged.
/// </summary>
public readonly record struct ProtoField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Encoded)
{
    public const int VarintType = 0;
    public const int Fixed64Type = 1;
    public const int LengthDelimitedType = 2;
    public const int Fixed32Type = 5;

    public string AsString() => System.Text.Encoding.UTF8.GetString(Payload.Span);

    /// <summary>Every field of <paramref name="message"/>, in wire order.</summary>
    public static IEnumerable<ProtoField> ReadAll(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var start = position;
            var tag = ReadVarint(message.Span, ref position);
            var number = checked((int)(tag >> 3));
            var wireType = (int)(tag & 7);
            ulong varint = 0;
            var payload = ReadOnlyMemory<byte>.Empty;
            switch (wireType)
            {
                case VarintType:
                    varint = ReadVarint(message.Span, ref position);
                    break;
                case Fixed64Type:
                    payload = Take(message, ref position, 8);
                    break;
                case LengthDelimitedType:
                    var length = checked((int)ReadVarint(message.Span, ref position));
                    payload = Take(message, ref position, length);
                    break;
                case Fixed32Type:
                    payload = Take(message, ref position, 4);
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {wireType} at byte {start}.");
            }
            yield return new ProtoField(number, wireType, varint, payload, message[start..position]);
        }
    }

    /// <summary>The values of a repeated integer field, packed (one length-delimited field) or not.</summary>
    public static List<long> ReadInts(ReadOnlyMemory<byte> message, int number)
    {
        var values = new List<long>();
        foreach (var field in ReadAll(message))
        {
            if (field.Number != number)
                continue;
            if (field.WireType == VarintType)
            {
                values.Add((long)field.Varint);
                continue;
            }
            var position = 0;
            while (position < field.Payload.Length)
                values.Add((long)ReadVarint(field.Payload.Span, ref position));
        }
        return values;
    }

    private static ReadOnlyMemory<byte> Take(ReadOnlyMemory<byte> message, ref int position, int length)
    {
        if (length < 0 || position + length > message.Length)
            throw new InvalidDataException($"Truncated protobuf field at byte {position}.");
        var slice = message.Slice(position, length);
        position += length;
        return slice;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
                throw new InvalidDataException("Truncated protobuf varint.");
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("Malformed protobuf varint.");
    }
}
