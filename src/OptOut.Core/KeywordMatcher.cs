using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using OptOut.Core.Keywords;

namespace OptOut.Core;

/// <summary>A keyword of an account's lists: as listed, what it asks for, and its language (null for a bare list).</summary>
public sealed record KeywordEntry(string Keyword, KeywordKind Kind, string? Language);

/// <summary>
/// Decides whether a whole message is a keyword and which: Unicode NFKC, case-insensitive, accents
/// folded (ARRET = ARRÊT), surrounding whitespace, punctuation, quotes and emoji stripped, inner whitespace collapsed,
/// and a keyword repeated ("STOP STOP") still matches. Built once per settings version and cached with them.
/// </summary>
/// <remarks>
/// A message made only of keywords, the same or different ones ("STOP STOP", "Stop. Unsubscribe!", "QUIT END"),
/// is a keyword text too: there is nothing else in it to read it as. When its keywords are of different kinds, an
/// opt-out keyword wins, then help, then opt-in ("START STOP" is a STOP): compliance comes first (the FCC's 2024
/// revocation rule, 47 CFR 64.1200(a)(10), lists these words as revocations), and help changes no state. A keyword
/// inside other words ("please stop texting me") is not matched here: that is <see cref="Intent.RevocationDetector"/>'s.
/// </remarks>
public sealed class KeywordMatcher
{
    /// <summary>
    /// Longer messages are never keywords; they are rejected before any normalization work. As long as a text can be
    /// (<see cref="InboundText.MaxBodyLength"/>): "STOP" with a hundred 🛑 after it, or a keyword repeated in anger,
    /// is still a STOP. Most long replies are ruled out by their first letter anyway.
    /// </summary>
    public const int MaxBodyLength = InboundText.MaxBodyLength;

    // Covers every body up to MaxBodyLength unless NFKC expands it (ligatures, squared words), which is rare.
    private const int StackBufferLength = 256;

    private const int Start = int.MaxValue;
    private const int Unreached = -1;

    private const char Dropped = '\0';

    // Quotes are dropped rather than turned into spaces so "Don't" stays one word. The modifier letters are
    // apostrophe look-alikes that Unicode files under letters; the acute accents are typed as apostrophes on
    // some keyboards. Full-width forms need no entry: NFKC turns them into ASCII first.
    private static readonly SearchValues<char> Quotes =
        SearchValues.Create("'\"`\u00B4\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u2032\u2033\u2034\u2035\u2036\u2037"
            + "\u02B9\u02BA\u02BB\u02BC\u02BD\u02C8\u02CA\u02CB\u00AB\u00BB\u2039\u203A\u1FEF\u1FFD");

    // What each ASCII character folds to: itself upper-cased, a space, or nothing (quotes).
    private static readonly char[] AsciiFold = BuildAsciiFold();

    // Spacing accents whose NFKC form is a space plus a combining mark: that space would split "DON´T" in two.
    private static readonly SearchValues<char> SpacingAcutes = SearchValues.Create("\u00B4\u1FFD");

    // Latin letters with accents, by code point from U+00C0, folded to their base letter (upper case); '\0' for none.
    private const char LatinFoldStart = '\u00C0';
    private static readonly char[] LatinFold = BuildLatinFold();

    // Longest first, so the keyword reported for "STOP ALL" is STOP ALL, not STOP; _entries[i] is _keywords[i]'s.
    private readonly string[] _keywords;
    private readonly KeywordEntry[] _entries;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly SearchValues<char> _firstCharacters;

    /// <summary>Builds a matcher for a bare list of opt-out keywords; keywords are normalized like message bodies.</summary>
    public KeywordMatcher(IEnumerable<string> keywords)
        : this(Entries(keywords))
    {
    }

    /// <summary>
    /// Builds a matcher for keywords of several kinds and languages. When two normalize alike, an opt-out one is kept,
    /// else the first (settings are validated so this never happens in a saved account; a file saved before languages
    /// existed may have added a word a language now ships).
    /// </summary>
    public KeywordMatcher(IEnumerable<KeywordEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);

        var byNormalized = new Dictionary<string, KeywordEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var normalized = Normalize(entry.Keyword);
            if (normalized.Length == 0)
                continue;
            if (!byNormalized.TryGetValue(normalized, out var kept) || (kept.Kind != KeywordKind.OptOut && entry.Kind == KeywordKind.OptOut))
                byNormalized[normalized] = entry;
        }

        var ordered = byNormalized.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        _keywords = [.. ordered.Select(p => p.Key)];
        _entries = [.. ordered.Select(p => p.Value)];
        _exact = _keywords.Select((k, i) => KeyValuePair.Create(k, i)).ToFrozenDictionary(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _firstCharacters = SearchValues.Create(_keywords.Select(k => k[0]).Distinct().ToArray());
    }

    /// <summary>The matcher of an account: every keyword of each active language.</summary>
    public static KeywordMatcher For(AccountSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KeywordMatcher(settings.Languages
            .Where(l => settings.IsActive(l.Code))
            .SelectMany(l => new[] { KeywordKind.OptOut, KeywordKind.Help, KeywordKind.OptIn }
                .SelectMany(kind => l.Keywords(kind).Select(k => new KeywordEntry(k, kind, l.Code)))));
    }

    /// <summary>The keyword the message matches, as listed, or null. For a message of several keywords, see the remarks.</summary>
    public string? Match(string? body) => MatchEntry(body)?.Keyword;

    /// <summary>The keyword entry the message matches, or null.</summary>
    public KeywordEntry? MatchEntry(string? body)
    {
        var text = body.AsSpan().Trim();
        if (text.IsEmpty || text.Length > MaxBodyLength || _keywords.Length == 0 || CannotStartAKeyword(text))
            return null;

        return Folded(Prepare(text), this, static (normalized, matcher) =>
            normalized.IsEmpty ? null
            : matcher._exact.TryGetValue(normalized, out var index) ? matcher._entries[index]
            : matcher.MatchSequence(normalized));
    }

    private static IEnumerable<KeywordEntry> Entries(IEnumerable<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        return keywords.Select(k => new KeywordEntry(k?.Trim().ToUpperInvariant() ?? "", KeywordKind.OptOut, null));
    }

    // Most replies are ruled out by their first letter, before any normalization. Only decided when that letter
    // and everything around it is ASCII: a combining mark after it would let NFKC turn it into another letter.
    private bool CannotStartAKeyword(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsAscii(c))
                return false;

            var folded = AsciiFold[c];
            if (folded is Dropped or ' ')
                continue;

            return (i + 1 == text.Length || char.IsAscii(text[i + 1])) && !_firstCharacters.Contains(folded);
        }

        return false;
    }

    /// <summary>
    /// The normalized form both message bodies and keywords are compared in: NFKC, upper case (invariant), accents of
    /// Latin letters folded (Ê → E, Ừ → U, Đ → D), quotes and apostrophes removed, combining marks and invisible format
    /// characters (zero-width joiners, variation selectors) removed, every other character that is not a letter or digit (punctuation, symbols, emoji,
    /// whitespace) turned into a space, spaces collapsed and trimmed. <c>"  Stop!! 🛑"</c> → <c>STOP</c>,
    /// <c>"opt-out"</c> → <c>OPT OUT</c>, <c>"Don't stop"</c> → <c>DONT STOP</c>.
    /// </summary>
    public static string Normalize(string? text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
            return string.Empty;

        return Folded(Prepare(trimmed), text!, static (normalized, original) =>
            original.AsSpan().SequenceEqual(normalized) ? original : normalized.ToString());
    }

    private delegate TResult FoldedFunc<in TState, out TResult>(ReadOnlySpan<char> normalized, TState state);

    // Folds the prepared text into a buffer on the stack (or rented, for a long text) and hands it to use.
    private static TResult Folded<TState, TResult>(ReadOnlySpan<char> source, TState state, FoldedFunc<TState, TResult> use)
    {
        char[]? rented = null;
        Span<char> buffer = source.Length <= StackBufferLength
            ? stackalloc char[source.Length]
            : rented = ArrayPool<char>.Shared.Rent(source.Length);
        try
        {
            return use(buffer[..Fold(source, buffer)], state);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Multi-keyword bodies: can the words be split into a sequence of whole keywords? Keywords may span several
    // words (OPT OUT), so this walks word starts reachable by whole keywords, keeping at each the most compelling
    // keyword seen on the way (opt-out, then help, then opt-in; the first of equals). An ordinary reply fails at the
    // first word and costs a handful of comparisons.
    private KeywordEntry? MatchSequence(ReadOnlySpan<char> normalized)
    {
        var length = normalized.Length;
        Span<int> firstKeyword = length < StackBufferLength ? stackalloc int[length + 1] : new int[length + 1];
        firstKeyword.Fill(Unreached);
        firstKeyword[0] = Start;

        var furthest = 0;
        for (var position = 0; position <= furthest && position < length; position++)
        {
            var first = firstKeyword[position];
            if (first == Unreached)
                continue;

            var rest = normalized[position..];
            for (var k = 0; k < _keywords.Length; k++)
            {
                var keyword = _keywords[k];
                if (!rest.StartsWith(keyword, StringComparison.Ordinal))
                    continue;

                var end = position + keyword.Length;
                var best = first == Start || Priority(k) > Priority(first) ? k : first;
                if (end == length)
                    return _entries[best];
                if (normalized[end] != ' ')
                    continue;

                var reached = firstKeyword[end + 1];
                if (reached == Unreached || Priority(best) > Priority(reached))
                    firstKeyword[end + 1] = best;
                furthest = Math.Max(furthest, end + 1);
            }
        }

        return null;
    }

    private int Priority(int index) => _entries[index].Kind switch
    {
        KeywordKind.OptOut => 2,
        KeywordKind.Help => 1,
        _ => 0,
    };

    // ASCII is already NFKC and can't hold invalid UTF-16, so the common case costs one vectorized scan.
    private static ReadOnlySpan<char> Prepare(ReadOnlySpan<char> text)
    {
        if (Ascii.IsValid(text))
            return text;

        text = Sanitize(text);
        try
        {
            return text.IsNormalized(NormalizationForm.FormKC) ? text : text.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // ICU refuses some code points Sanitize does not know about; matching on the un-normalized text is
            // still better than failing the message.
            return text;
        }
    }

    // NFKC throws on lone surrogates and noncharacters, which a misbehaving gateway can send; and the spacing
    // acute must become an apostrophe before NFKC splits it into a space and a combining accent.
    private static ReadOnlySpan<char> Sanitize(ReadOnlySpan<char> text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean;)
        {
            clean = Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) == OperationStatus.Done
                && !IsNoncharacter(rune) && !SpacingAcutes.Contains(text[i]);
            i += consumed;
        }

        if (clean)
            return text;

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var status = Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed);
            if (status != OperationStatus.Done || IsNoncharacter(rune))
                builder.Append('\uFFFD');
            else if (SpacingAcutes.Contains(text[i]))
                builder.Append('\'');
            else
                builder.Append(text.Slice(i, consumed));
            i += consumed;
        }

        return builder.ToString();
    }

    private static bool IsNoncharacter(Rune rune) =>
        (rune.Value & 0xFFFE) == 0xFFFE || rune.Value is >= 0xFDD0 and <= 0xFDEF;

    // Writes the folded form of NFKC text; never writes more characters than it reads.
    private static int Fold(ReadOnlySpan<char> source, Span<char> destination)
    {
        var written = 0;
        var pendingSpace = false;
        for (var i = 0; i < source.Length;)
        {
            var c = source[i];
            if (char.IsAscii(c))
            {
                i++;
                var folded = AsciiFold[c];
                if (folded == ' ')
                {
                    pendingSpace = true;
                }
                else if (folded != Dropped)
                {
                    if (pendingSpace && written > 0)
                        destination[written++] = ' ';
                    pendingSpace = false;
                    destination[written++] = folded;
                }

                continue;
            }

            Rune.DecodeFromUtf16(source[i..], out var rune, out var consumed);
            i += consumed;
            if (rune.IsBmp && Quotes.Contains((char)rune.Value))
                continue;

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber:
                    var upper = Rune.ToUpperInvariant(rune);
                    if (upper.Utf16SequenceLength != consumed)
                        upper = rune;
                    if (upper.Value - LatinFoldStart is >= 0 and var offset && offset < LatinFold.Length && LatinFold[offset] != Dropped)
                        upper = new Rune(LatinFold[offset]);
                    if (pendingSpace && written > 0)
                        destination[written++] = ' ';
                    pendingSpace = false;
                    written += upper.EncodeToUtf16(destination[written..]);
                    break;

                // Marks decorate the letter before them and format characters are invisible: neither may split a
                // word ("S\u200BTOP" reads as STOP), and next to an emoji they vanish with it.
                case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.Format:
                    break;

                default:
                    pendingSpace = true;
                    break;
            }
        }

        return written;
    }

    // Each Latin letter whose canonical decomposition is an ASCII letter and marks (É, Ñ, Ü, Ừ…), plus the few that
    // have none but are read as one (Đ, Ø, Ł). Only Latin: Hangul and kana decompose too, into letters that matter.
    private static char[] BuildLatinFold()
    {
        var fold = new char[0x1F00 - LatinFoldStart];
        for (var c = LatinFoldStart; c < 0x1F00; c++)
        {
            if (c is >= '\u0250' and < '\u1E00')
                continue;
            var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
            if (decomposed.Length > 1 && char.IsAsciiLetter(decomposed[0])
                && decomposed.AsSpan(1).ToString().All(m => CharUnicodeInfo.GetUnicodeCategory(m) == UnicodeCategory.NonSpacingMark))
                fold[c - LatinFoldStart] = char.ToUpperInvariant(decomposed[0]);
        }

        foreach (var (letter, folded) in (ReadOnlySpan<(char, char)>)[('Đ', 'D'), ('đ', 'D'), ('Ø', 'O'), ('ø', 'O'), ('Ł', 'L'), ('ł', 'L')])
            fold[letter - LatinFoldStart] = folded;
        return fold;
    }

    private static char[] BuildAsciiFold()
    {
        var fold = new char[128];
        for (var c = '\0'; c < 128; c++)
            fold[c] = char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : Quotes.Contains(c) ? Dropped : ' ';
        return fold;
    }
}
