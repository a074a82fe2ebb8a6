using System.Globalization;
using System.Text;

namespace Platform.Embedding.Encoding;

/// <summary>
/// The parts of BERT's uncased normaliser that FastBertTokenizer cannot do under InvariantGlobalization (where
/// <see cref="string.Normalize()"/> is a no-op, so "café" would become [UNK] instead of "cafe"):
/// drop NUL, U+FFFD and every "Other" category char (control, format, surrogate, private use, unassigned) except
/// tab, CR and LF; strip accents (canonical decomposition, then drop non-spacing marks). Lowercasing, whitespace
/// and punctuation splitting are left to the tokenizer.
/// </summary>
internal static class BertTextNormalizer
{
    private const int HangulBase = 0xAC00, HangulLast = 0xD7A3, JamoLBase = 0x1100, JamoVBase = 0x1161, JamoTBase = 0x11A7;
    private const int JamoVCount = 21, JamoTCount = 28;

    public static string Normalize(string text)
    {
        var firstChange = IndexOfFirstChange(text);
        if (firstChange < 0)
            return text;

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, firstChange);
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in text.AsSpan(firstChange).EnumerateRunes())
        {
            if (IsDropped(rune))
                continue;
            if (rune.IsBmp && AccentFoldingTable.Folded.TryGetValue((char)rune.Value, out var folded))
                builder.Append(folded);
            else if (rune.Value is >= HangulBase and <= HangulLast)
                AppendJamo(builder, rune.Value - HangulBase);
            else
                builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
        }
        return builder.ToString();
    }

    private static int IndexOfFirstChange(string text)
    {
        var index = 0;
        foreach (var rune in text.AsSpan().EnumerateRunes())
        {
            if (IsDropped(rune) || rune.Value is >= HangulBase and <= HangulLast
                || (rune.IsBmp && AccentFoldingTable.Folded.ContainsKey((char)rune.Value)))
                return index;
            index += rune.Utf16SequenceLength;
        }
        return -1;
    }

    // EnumerateRunes turns a lone surrogate into U+FFFD, so malformed UTF-16 is dropped here too.
    private static bool IsDropped(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r')
        && (rune.Value == 0xFFFD || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);

    // Unicode's algorithmic decomposition of a precomposed Hangul syllable into its leading, vowel and trailing jamo.
    private static void AppendJamo(StringBuilder builder, int syllableIndex)
    {
        builder.Append((char)(JamoLBase + syllableIndex / (JamoVCount * JamoTCount)));
        builder.Append((char)(JamoVBase + syllableIndex % (JamoVCount * JamoTCount) / JamoTCount));
        if (syllableIndex % JamoTCount != 0)
            builder.Append((char)(JamoTBase + syllableIndex % JamoTCount));
    }
}
