using System.Text;

namespace Platform.ComposeLocal;

/// <summary>
/// Compose's variable interpolation: <c>$$</c> (a literal <c>$</c>), <c>$VAR</c>, <c>${VAR}</c>,
/// <c>${VAR:-default}</c> / <c>${VAR-default}</c> (unset or empty / unset), <c>${VAR:?error}</c> / <c>${VAR?error}</c>,
/// <c>${VAR:+replacement}</c> / <c>${VAR+replacement}</c>; defaults and replacements may themselves contain
/// <c>${...}</c>. An unset variable without a default becomes an empty string (compose warns; so does this).
/// </summary>
public sealed class Interpolation(IReadOnlyDictionary<string, string> variables)
{
    private readonly List<string> errors = [];
    private readonly SortedSet<string> unset = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Variables { get; } = variables;

    /// <summary>Errors of <c>${VAR:?message}</c> (and malformed expressions) met so far, each with where it was.</summary>
    public IReadOnlyList<string> Errors => errors;

    /// <summary>Variables used without a value or default (compose: "The X variable is not set").</summary>
    public IReadOnlyCollection<string> Unset => unset;

    /// <summary>Interpolates <paramref name="text"/>; errors are collected (see <see cref="Errors"/>), not thrown.</summary>
    public string Apply(string text, string where)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$' || i + 1 >= text.Length)
            {
                output.Append(c);
                i++;
                continue;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '{')
            {
                var end = FindClosingBrace(text, i + 2);
                if (end < 0)
                {
                    errors.Add($"{where}: invalid interpolation format, '{text[i..]}' has no closing brace");
                    output.Append(text, i, text.Length - i);
                    break;
                }

                output.Append(Expand(text[(i + 2)..end], where));
                i = end + 1;
            }
            else if (IsNameStart(next))
            {
                var start = i + 1;
                var j = start;
                while (j < text.Length && IsNamePart(text[j]))
                {
                    j++;
                }

                output.Append(Lookup(text[start..j]) ?? MarkUnset(text[start..j]));
                i = j;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return output.ToString();
    }

    private string Expand(string expression, string where)
    {
        var nameLength = 0;
        while (nameLength < expression.Length && IsNamePart(expression[nameLength]))
        {
            nameLength++;
        }

        var name = expression[..nameLength];
        if (name.Length == 0 || !IsNameStart(name[0]))
        {
            errors.Add($"{where}: invalid interpolation format, '${{{expression}}}'");
            return "";
        }

        var value = Lookup(name);
        var rest = expression[nameLength..];
        if (rest.Length == 0)
        {
            return value ?? MarkUnset(name);
        }

        var colon = rest.StartsWith(':');
        var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
        var argument = rest[(colon ? 2 : 1)..];
        var present = colon ? !string.IsNullOrEmpty(value) : value is not null;
        switch (op)
        {
            case '-':
                return present ? value! : Apply(argument, where);
            case '?':
                if (!present)
                {
                    var message = Apply(argument, where);
                    errors.Add($"{where}: required variable {name} is missing a value" + (message.Length > 0 ? $": {message}" : ""));
                    return "";
                }

                return value!;
            case '+':
                return present ? Apply(argument, where) : "";
            default:
                errors.Add($"{where}: invalid interpolation format, '${{{expression}}}'");
                return "";
        }
    }

    private string? Lookup(string name) => Variables.TryGetValue(name, out var value) ? value : null;

    private string MarkUnset(string name)
    {
        unset.Add(name);
        return "";
    }

    private static int FindClosingBrace(string text, int from)
    {
        var depth = 1;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNamePart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
