using System.CommandLine.Parsing;
using System.Globalization;

namespace Platform.Cli;

/// <summary>Durations on the command line: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c> or a TimeSpan (<c>00:00:02</c>).</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
            [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours)];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0)
            {
                value = make(number);
                return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>A TimeSpan option that takes <c>2s</c>-style values.</summary>
    public static System.CommandLine.Option<TimeSpan> Option(string name, TimeSpan defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => r.Tokens.Count == 0 ? defaultValue : Parse(r),
    };

    /// <summary>A System.CommandLine custom parser for a TimeSpan option.</summary>
    public static TimeSpan Parse(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(token, out var value))
            return value;
        result.AddError($"'{token}' is not a duration (e.g. 500ms, 2s, 5m, 1h).");
        return default;
    }

    public static string Format(TimeSpan span) =>
        span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0} ms"
        : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0.0} s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{(int)span.TotalHours} h {span.Minutes} min";
}
