using System.Text.Json;

namespace Platform.Scoring.Evaluation;

/// <summary>One row of an evaluation file (the shapes in ../shared/data/README.md); missing fields are empty.</summary>
public sealed record EvalListing(string Id, string Title, string Abstract, IReadOnlyList<string> Categories, string Date, double Upvotes)
{
    public static IReadOnlyList<EvalListing> ReadJsonl(string path) =>
        [.. File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(Parse)];

    public static EvalListing Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        string Str(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        var categories = r.TryGetProperty("categories", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToList()
            : c.ValueKind == JsonValueKind.String ? [.. (c.GetString() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)] : [];
        var upvotes = r.TryGetProperty("upvotes", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetDouble() : 0;
        var date = Str("date");
        return new EvalListing(Str("id"), Str("title"), Str("abstract"), categories, date.Length >= 10 ? date[..10] : date, upvotes);
    }
}

/// <summary>Official names of arXiv categories: the interest sentence of a simulated subscriber.</summary>
public static class ArxivCategoryNames
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["cs.AI"] = "Artificial Intelligence", ["cs.AR"] = "Hardware Architecture", ["cs.CC"] = "Computational Complexity",
        ["cs.CE"] = "Computational Engineering, Finance, and Science", ["cs.CG"] = "Computational Geometry",
        ["cs.CL"] = "Computation and Language", ["cs.CR"] = "Cryptography and Security", ["cs.CV"] = "Computer Vision and Pattern Recognition",
        ["cs.CY"] = "Computers and Society", ["cs.DB"] = "Databases", ["cs.DC"] = "Distributed, Parallel, and Cluster Computing",
        ["cs.DL"] = "Digital Libraries", ["cs.DM"] = "Discrete Mathematics", ["cs.DS"] = "Data Structures and Algorithms",
        ["cs.ET"] = "Emerging Technologies", ["cs.FL"] = "Formal Languages and Automata Theory", ["cs.GL"] = "General Literature",
        ["cs.GR"] = "Graphics", ["cs.GT"] = "Computer Science and Game Theory", ["cs.HC"] = "Human-Computer Interaction",
        ["cs.IR"] = "Information Retrieval", ["cs.IT"] = "Information Theory", ["cs.LG"] = "Machine Learning",
        ["cs.LO"] = "Logic in Computer Science", ["cs.MA"] = "Multiagent Systems", ["cs.MM"] = "Multimedia",
        ["cs.MS"] = "Mathematical Software", ["cs.NA"] = "Numerical Analysis", ["cs.NE"] = "Neural and Evolutionary Computing",
        ["cs.NI"] = "Networking and Internet Architecture", ["cs.OH"] = "Other Computer Science", ["cs.OS"] = "Operating Systems",
        ["cs.PF"] = "Performance", ["cs.PL"] = "Programming Languages", ["cs.RO"] = "Robotics", ["cs.SC"] = "Symbolic Computation",
        ["cs.SD"] = "Sound", ["cs.SE"] = "Software Engineering", ["cs.SI"] = "Social and Information Networks",
        ["cs.SY"] = "Systems and Control", ["eess.AS"] = "Audio and Speech Processing", ["eess.IV"] = "Image and Video Processing",
        ["eess.SP"] = "Signal Processing", ["eess.SY"] = "Systems and Control", ["stat.ML"] = "Machine Learning",
        ["math.IT"] = "Information Theory", ["math.OC"] = "Optimization and Control", ["q-bio.NC"] = "Neurons and Cognition",
        ["physics.comp-ph"] = "Computational Physics", ["quant-ph"] = "Quantum Physics", ["econ.TH"] = "Theoretical Economics",
        ["q-fin.CP"] = "Computational Finance", ["math.NA"] = "Numerical Analysis", ["math.PR"] = "Probability", ["stat.ME"] = "Methodology",
    };
}
