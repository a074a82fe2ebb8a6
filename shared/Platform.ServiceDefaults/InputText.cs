namespace Platform.ServiceDefaults;

/// <summary>How every API normalises free text it accepts: NUL bytes removed, trimmed, and blank meaning absent.</summary>
public static class InputText
{
    public static string? Clean(string? value)
    {
        var text = value?.Replace("\0", "", StringComparison.Ordinal).Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
