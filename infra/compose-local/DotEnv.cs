using System.Text;

namespace Platform.ComposeLocal;

/// <summary>
/// Reads an env file the way docker compose reads <c>.env</c>: <c>KEY=VALUE</c> lines, blank lines and <c>#</c>
/// comments ignored, an optional <c>export </c> prefix, values unquoted (trimmed, a <c> #</c> starts a comment),
/// single-quoted (literal) or double-quoted (<c>\n</c>, <c>\"</c>, <c>\\</c> escapes; may span lines).
/// </summary>
public static class DotEnv
{
    public static IReadOnlyDictionary<string, string> Load(string path) => Parse(File.ReadAllText(path), path);

    public static IReadOnlyDictionary<string, string> Parse(string text, string source = "env file")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"{source}, line {i + 1}: expected KEY=VALUE, got '{line}'.");
            }

            var key = line[..equals].Trim();
            var raw = line[(equals + 1)..].TrimStart();
            string value;
            if (raw.StartsWith('\'') || raw.StartsWith('"'))
            {
                var quote = raw[0];
                var builder = new StringBuilder();
                var rest = raw[1..];
                var closed = false;
                while (true)
                {
                    for (var j = 0; j < rest.Length; j++)
                    {
                        var c = rest[j];
                        if (quote == '"' && c == '\\' && j + 1 < rest.Length)
                        {
                            var next = rest[++j];
                            builder.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => next });
                        }
                        else if (c == quote)
                        {
                            closed = true;
                            break;
                        }
                        else
                        {
                            builder.Append(c);
                        }
                    }

                    if (closed || i + 1 >= lines.Length)
                    {
                        break;
                    }

                    builder.Append('\n');
                    rest = lines[++i];
                }

                if (!closed)
                {
                    throw new FormatException($"{source}: unterminated quoted value of {key}.");
                }

                value = builder.ToString();
            }
            else
            {
                var comment = raw.IndexOf(" #", StringComparison.Ordinal);
                value = (comment >= 0 ? raw[..comment] : raw).Trim();
            }

            result[key] = value;
        }

        return result;
    }
}
