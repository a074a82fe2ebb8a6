using System.Runtime.InteropServices;

namespace Platform.Embedding.Encoding.Onnx;

/// <summary>
/// Dynamic int8 quantization of an ONNX model, the scheme of ONNX Runtime's <c>quantize_dynamic</c> (which is Python
/// tooling, not part of the .NET packages): every <c>MatMul</c> whose right-hand side is a constant fp32 matrix
/// becomes a <c>com.microsoft.DynamicQuantizeMatMul</c> with int8 weights and one symmetric scale per output column;
/// activations are quantized to uint8 per tensor at run time by the operator itself. A bias <c>Add</c> right after such
/// a product is folded into the operator's bias input (saving one pass over the output). Products of two activations
/// (attention scores) and every other operator stay fp32. The rewrite works on the protobuf wire format and copies
/// everything it does not touch byte for byte.
/// </summary>
public static class Int8WeightQuantizer
{
    // ModelProto / GraphProto / NodeProto / TensorProto / ValueInfoProto field numbers (onnx.proto).
    private const int ModelGraph = 7, ModelOpsetImport = 8;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeDomain = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int Float = 1, Int8 = 3;

    public const string MicrosoftDomain = "com.microsoft";

    /// <param name="model">A serialized ONNX ModelProto with weights stored inside it (no external data).</param>
    /// <param name="reduceRange">Quantize weights to 7 bits (±63), as <c>reduce_range</c> does: avoids int16 saturation
    /// in the u8·s8 kernels of CPUs without VNNI, at a small cost in accuracy.</param>
    public static QuantizedModel Quantize(byte[] model, bool reduceRange = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modelFields = ProtoField.ReadAll(model).ToList();
        var graphField = modelFields.SingleOrDefault(f => f.Number == ModelGraph);
        if (graphField.Payload.IsEmpty)
            throw new InvalidDataException("The ONNX model has no graph.");

        var graphFields = ProtoField.ReadAll(graphField.Payload).ToList();
        var weights = graphFields.Where(f => f.Number == GraphInitializer)
            .Select(f => ReadFloatMatrix(f.Payload))
            .OfType<FloatMatrix>()
            .ToDictionary(w => w.Name);
        var biasLengths = graphFields.Where(f => f.Number == GraphInitializer)
            .Select(f => ReadFloatVectorLength(f.Payload))
            .Where(b => b.Name is not null)
            .ToDictionary(b => b.Name!, b => b.Length);
        var nodes = graphFields.Where(f => f.Number == GraphNode).Select(f => ReadNode(f.Payload)).ToList();

        var quantizable = nodes.Where(n => n.OpType == "MatMul" && n.Domain == "" && n.Inputs.Count == 2 && weights.ContainsKey(n.Inputs[1])).ToList();
        var quantizedWeights = quantizable.Select(n => n.Inputs[1]).ToHashSet();
        // A weight that some other node also reads stays in the graph in fp32 as well.
        var stillRead = nodes.Except(quantizable).SelectMany(n => n.Inputs).ToHashSet();
        var biasAdds = FoldableBiasAdds(quantizable, nodes, biasLengths, weights, graphFields);

        var graph = new ProtoWriter();
        var nodeIndex = 0;
        foreach (var field in graphFields)
        {
            switch (field.Number)
            {
                case GraphNode:
                    var node = nodes[nodeIndex++];
                    if (quantizable.Contains(node))
                        graph.Msg(GraphNode, QuantizedNode(node, biasAdds.GetValueOrDefault(node)));
                    else if (biasAdds.ContainsValue(node))
                        break; // folded into the product before it
                    else
                        graph.Raw(field.Encoded.Span);
                    break;
                case GraphInitializer when ReadName(field.Payload, TensorName) is { } name && quantizedWeights.Contains(name) && !stillRead.Contains(name):
                    break;
                case GraphInput when ReadName(field.Payload, ValueInfoName) is { } name && quantizedWeights.Contains(name) && !stillRead.Contains(name):
                    break; // IR < 4 lists initializers among the inputs as well
                default:
                    graph.Raw(field.Encoded.Span);
                    break;
            }
        }
        foreach (var name in quantizedWeights)
        {
            var (values, scales) = QuantizeColumns(weights[name], reduceRange ? 63 : 127);
            graph.Msg(GraphInitializer, Tensor(name + "_int8", Int8, [weights[name].Rows, weights[name].Columns], MemoryMarshal.AsBytes(values.AsSpan())));
            graph.Msg(GraphInitializer, Tensor(name + "_scale", Float, [weights[name].Columns], MemoryMarshal.AsBytes(scales.AsSpan())));
        }

        var output = new ProtoWriter();
        foreach (var field in modelFields)
        {
            if (field.Number == ModelGraph)
                output.Msg(ModelGraph, graph);
            else
                output.Raw(field.Encoded.Span);
        }
        var hasMicrosoftOpset = modelFields.Any(f => f.Number == ModelOpsetImport && ReadName(f.Payload, OpsetDomain) == MicrosoftDomain);
        if (!hasMicrosoftOpset && quantizable.Count > 0)
            output.Msg(ModelOpsetImport, new ProtoWriter().Str(OpsetDomain, MicrosoftDomain).Int(OpsetVersion, 1));

        var quantizedParameters = quantizedWeights.Sum(n => (long)weights[n].Rows * weights[n].Columns);
        return new QuantizedModel(output.ToArray(), quantizable.Count, quantizedParameters);
    }

    /// <summary>Symmetric per-column quantization: column j is stored as round(w / s_j) with s_j = max|w_·j| / limit.</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizeColumns(FloatMatrix weight, int limit)
    {
        var (rows, columns, data) = (weight.Rows, weight.Columns, weight.Data);
        var scales = new float[columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                scales[c] = MathF.Max(scales[c], MathF.Abs(data[r * columns + c]));
        for (var c = 0; c < columns; c++)
            scales[c] = scales[c] > 0 ? scales[c] / limit : 1f;

        var values = new sbyte[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                values[r * columns + c] = (sbyte)Math.Clamp(MathF.Round(data[r * columns + c] / scales[c]), -limit, limit);
        return (values, scales);
    }

    /// <summary>
    /// Quantized products whose only reader is an <c>Add</c> of a constant vector of the product's width (the layer's
    /// bias), mapped to that Add. Graph outputs are never folded away.
    /// </summary>
    private static Dictionary<OnnxNode, OnnxNode> FoldableBiasAdds(List<OnnxNode> quantizable, List<OnnxNode> nodes,
        Dictionary<string, long> biasLengths, Dictionary<string, FloatMatrix> weights, List<ProtoField> graphFields)
    {
        var graphOutputs = graphFields.Where(f => f.Number == GraphOutput).Select(f => ReadName(f.Payload, ValueInfoName)).ToHashSet();
        var readers = nodes.SelectMany(n => n.Inputs.Select(input => (input, n))).ToLookup(x => x.input, x => x.n);
        var folds = new Dictionary<OnnxNode, OnnxNode>();
        foreach (var product in quantizable)
        {
            var output = product.Outputs[0];
            if (graphOutputs.Contains(output) || readers[output].Count() != 1)
                continue;
            var add = readers[output].Single();
            if (add.OpType != "Add" || add.Domain != "" || add.Inputs.Count != 2)
                continue;
            var bias = add.Inputs[0] == output ? add.Inputs[1] : add.Inputs[0];
            if (biasLengths.TryGetValue(bias, out var length) && length == weights[product.Inputs[1]].Columns)
                folds[product] = add;
        }
        return folds;
    }

    private static ProtoWriter QuantizedNode(OnnxNode node, OnnxNode? biasAdd)
    {
        var weight = node.Inputs[1];
        var writer = new ProtoWriter()
            .Str(NodeInput, node.Inputs[0])
            .Str(NodeInput, weight + "_int8")
            .Str(NodeInput, weight + "_scale");
        if (biasAdd is not null)
        {
            var bias = biasAdd.Inputs[0] == node.Outputs[0] ? biasAdd.Inputs[1] : biasAdd.Inputs[0];
            writer.Str(NodeInput, "").Str(NodeInput, bias); // no zero point (symmetric), then the bias
        }
        foreach (var output in biasAdd?.Outputs ?? node.Outputs)
            writer.Str(NodeOutput, output);
        return writer.Str(NodeName, node.Name + "_int8").Str(NodeOpType, "DynamicQuantizeMatMul").Str(NodeDomain, MicrosoftDomain);
    }

    private static ProtoWriter Tensor(string name, int dataType, long[] dims, ReadOnlySpan<byte> raw)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
            tensor.Int(TensorDims, dim);
        return tensor.Int(TensorDataType, dataType).Str(TensorName, name).Bytes(TensorRawData, raw);
    }

    private static OnnxNode ReadNode(ReadOnlyMemory<byte> payload)
    {
        List<string> inputs = [], outputs = [];
        string name = "", opType = "", domain = "";
        foreach (var field in ProtoField.ReadAll(payload))
        {
            switch (field.Number)
            {
                case NodeInput: inputs.Add(field.AsString()); break;
                case NodeOutput: outputs.Add(field.AsString()); break;
                case NodeName: name = field.AsString(); break;
                case NodeOpType: opType = field.AsString(); break;
                case NodeDomain: domain = field.AsString(); break;
            }
        }
        return new OnnxNode(name, opType, domain, inputs, outputs);
    }

    private static FloatMatrix? ReadFloatMatrix(ReadOnlyMemory<byte> tensor)
    {
        var dims = ProtoField.ReadInts(tensor, TensorDims);
        var dataType = ProtoField.ReadInts(tensor, TensorDataType).SingleOrDefault();
        if (dims.Count != 2 || dataType != Float)
            return null;
        var name = ReadName(tensor, TensorName) ?? "";
        var count = checked((int)(dims[0] * dims[1]));
        var bytes = ProtoField.ReadAll(tensor).FirstOrDefault(f => f.Number is TensorRawData or TensorFloatData && f.WireType == ProtoField.LengthDelimitedType).Payload;
        if (bytes.Length != count * sizeof(float))
            return null; // external data or an unexpected encoding: leave this weight in fp32
        return new FloatMatrix(name, (int)dims[0], (int)dims[1], MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray());
    }

    private static (string? Name, long Length) ReadFloatVectorLength(ReadOnlyMemory<byte> tensor)
    {
        var dims = ProtoField.ReadInts(tensor, TensorDims);
        var dataType = ProtoField.ReadInts(tensor, TensorDataType).SingleOrDefault();
        return dims.Count == 1 && dataType == Float ? (ReadName(tensor, TensorName), dims[0]) : (null, 0);
    }

    private static string? ReadName(ReadOnlyMemory<byte> message, int number)
    {
        foreach (var field in ProtoField.ReadAll(message))
            if (field.Number == number && field.WireType == ProtoField.LengthDelimitedType)
                return field.AsString();
        return null;
    }

    internal sealed record FloatMatrix(string Name, int Rows, int Columns, float[] Data);

    private sealed record OnnxNode(string Name, string OpType, string Domain, List<string> Inputs, List<string> Outputs);
}

/// <summary>The rewritten model and what was quantized.</summary>
public sealed record QuantizedModel(byte[] Model, int QuantizedMatMuls, long QuantizedParameters);
