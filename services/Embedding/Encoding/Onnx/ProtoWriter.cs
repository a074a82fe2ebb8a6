namespace Platform.Embedding.Encoding.Onnx;

/// <summary>Just enough protobuf writing for ONNX graphs: varints, length-delimited fields and verbatim copies.</summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream _bytes = new();

    public ProtoWriter Int(int field, long value)
    {
        Varint((ulong)field << 3);
        Varint((ulong)value);
        return this;
    }

    public ProtoWriter Str(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    public ProtoWriter Msg(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Varint((ulong)field << 3 | 2);
        Varint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    /// <summary>Appends an already encoded field (tag included) unchanged.</summary>
    public ProtoWriter Raw(ReadOnlySpan<byte> encodedField)
    {
        _bytes.Write(encodedField);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
