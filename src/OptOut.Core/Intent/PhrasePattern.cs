using System.Globalization;

namespace OptOut.Core.Intent;

/// <summary>What a phrase pattern says about a text it matches.</summary>
internal enum PhraseRole
{
    /// <summary>The words ask to stop texting, with the pattern's score ("STOP TEXT~ ME").</summary>
    Revocation,

    /// <summary>
    /// The words use a stop word in another sense or negate it ("DONT STOP", "BUS STOP", "STOP THE WAR"): a revocation
    /// match that overlaps this one, without containing it whole, is not counted.
    /// </summary>
    Block,

    /// <summary>
    /// A negation ("DONT", "NEVER", "NO"): a revocation match that starts right after it (within a few words, or
    /// directly for substrings) is not counted, unless the negation is part of the match ("DONT TEXT ME").
    /// </summary>
    Negation,

    /// <summary>
    /// A condition that turns a revocation into a possible one ("DONT TEXT ME SO EARLY", "NOT ON WEEKENDS"): a revocation
    /// match this overlaps scores at most this pattern's score, so a person reads it.
    /// </summary>
    Soften,

    /// <summary>Words that make a negation none ("WHY DONT YOU STOP", "DIDNT I TELL YOU TO STOP"): a negation this overlaps doesn't count.</summary>
    NotNegation,
}

/// <summary>
/// One hand-written phrase of <see cref="PhraseSet"/>, over the words of a normalized text
/// (<see cref="KeywordMatcher.Normalize"/>: upper case, accents folded, punctuation gone). Syntax, words separated by
/// spaces:
/// <list type="bullet">
/// <item><c>A|B</c>: one word, any of these; <c>TEXT~</c>: a word starting with TEXT (TEXTS, TEXTING).</item>
/// <item><c>?A|B</c>: an optional word; <c>*</c>: up to three words of anything, <c>**</c> up to six.</item>
/// <item><c>^</c> first (<c>^STOP</c>): the phrase starts the text; <c>$</c> last: it ends it; <c>#N</c> last: the text has at most N words.</item>
/// <item><c>!</c> after the first word: the text as typed has a sentence break there ("STOP. Who is this?", "Stop!").</item>
/// </list>
/// A phrase of several words needs two that are not optional, or an anchor: a phrase that one word matches alone is
/// written as that word, so a lost <c>?</c> can't quietly turn "CANCEL MY TEXTS" into "CANCEL".
/// For languages written without spaces between words (Chinese, and Korean whose spacing varies) a pattern is a plain
/// substring of the text with its spaces removed; <c>|</c> separates alternatives.
/// </summary>
internal sealed class PhrasePattern
{
    private const int MaxGapWords = 3;

    private readonly Slot[] _slots;

    private PhrasePattern(string language, string source, PhraseRole role, double score, Slot[] slots, bool atStart, bool atEnd,
        int maxWords, string[] substrings)
    {
        Language = language;
        Source = source;
        Role = role;
        Score = score;
        _slots = slots;
        AtStart = atStart;
        AtEnd = atEnd;
        MaxWords = maxWords;
        Substrings = substrings;
    }

    public string Language { get; }

    /// <summary>The pattern as written: what a decision reports as matched.</summary>
    public string Source { get; }

    public PhraseRole Role { get; }

    public double Score { get; }

    public bool AtStart { get; }

    public bool AtEnd { get; }

    public int MaxWords { get; }

    /// <summary>For a substring pattern, its alternatives (spaces removed); empty for a word pattern.</summary>
    public string[] Substrings { get; }

    /// <summary>The exact words the pattern's first slot accepts: its index keys, when <see cref="StartsWithPrefix"/> is false.</summary>
    public IEnumerable<string> FirstWords => _slots[0].Words;

    /// <summary>True when the first slot accepts words by prefix (<c>TEXT~</c>): such a pattern is tried at every word.</summary>
    public bool StartsWithPrefix => _slots.Length > 0 && _slots[0].Prefixes.Length > 0;

    /// <summary>The first letters of the words and prefixes its first slot accepts.</summary>
    public IEnumerable<char> FirstLetters => _slots[0].Words.Concat(_slots[0].Prefixes).Where(w => w.Length > 0).Select(w => w[0]).Distinct();

    /// <summary>True when the pattern has a gap (<c>*</c>, <c>**</c>): a broad pattern, which a block inside it still blocks.</summary>
    public bool HasGaps => _slots.Any(s => s.Gap > 0);

    public static PhrasePattern Parse(string language, string source, PhraseRole role, double score, bool substring)
    {
        if (substring)
        {
            var alternatives = source.Split('|').Select(a => KeywordMatcher.Normalize(a).Replace(" ", "", StringComparison.Ordinal))
                .Where(a => a.Length > 0).ToArray();
            if (alternatives.Length == 0)
                throw new FormatException($"empty pattern '{source}'");
            return new PhrasePattern(language, source, role, score, [], false, false, int.MaxValue, alternatives);
        }

        var parts = source.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var atStart = parts.Count > 0 && parts[0].StartsWith('^');
        if (atStart && parts[0].Length == 1)
            parts.RemoveAt(0);
        else if (atStart)
            parts[0] = parts[0][1..];
        var maxWords = int.MaxValue;
        if (parts.Count > 0 && parts[^1].StartsWith('#'))
        {
            maxWords = int.Parse(parts[^1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
            parts.RemoveAt(parts.Count - 1);
        }

        var atEnd = parts.Count > 0 && parts[^1] == "$";
        if (atEnd)
            parts.RemoveAt(parts.Count - 1);

        var slots = parts.Select(Slot.Parse).ToArray();
        if (slots.Length == 0 || slots[0].Optional || slots[0].Gap > 0 || slots[0].Break || (slots[^1].Gap > 0 && !atEnd))
            throw new FormatException($"pattern '{source}' must start with a word and not end with a gap");
        if (slots.Skip(1).Any(s => s.Break) && !(slots.Length > 1 && slots[1].Break && atStart))
            throw new FormatException($"pattern '{source}': ! only right after the first word of a ^ pattern");
        if (slots.Length > 1 && slots.Count(s => s is { Optional: false, Gap: 0, Break: false }) < 2 && !atStart && !atEnd && maxWords == int.MaxValue)
            throw new FormatException($"pattern '{source}' has one word that is not optional: write it as that word alone");
        return new PhrasePattern(language, source, role, score, slots, atStart, atEnd, maxWords, []);
    }

    /// <summary>Does the first slot accept this word (used for prefix-first patterns, which the index can't key)?</summary>
    public bool FirstSlotAccepts(ReadOnlySpan<char> word) => _slots[0].Accepts(word);

    /// <summary>
    /// The end (exclusive word index) of a match that starts at <paramref name="start"/>, or -1.
    /// <paramref name="breakAfterFirst"/>: the text as typed has a sentence break after its first word.
    /// </summary>
    public int MatchAt(ReadOnlySpan<char> text, ReadOnlySpan<Range> words, int start, bool breakAfterFirst)
    {
        if ((AtStart && start != 0) || words.Length > MaxWords)
            return -1;
        return Match(text, words, start, 0, breakAfterFirst);
    }

    private int Match(ReadOnlySpan<char> text, ReadOnlySpan<Range> words, int position, int slotIndex, bool breakAfterFirst)
    {
        if (slotIndex == _slots.Length)
            return !AtEnd || position == words.Length ? position : -1;

        var slot = _slots[slotIndex];
        if (slot.Break)
            return position == 1 && (breakAfterFirst || words.Length == 1) ? Match(text, words, position, slotIndex + 1, breakAfterFirst) : -1;
        if (slot.Gap > 0)
        {
            for (var skip = 0; skip <= slot.Gap && position + skip <= words.Length; skip++)
            {
                var end = Match(text, words, position + skip, slotIndex + 1, breakAfterFirst);
                if (end >= 0)
                    return end;
            }

            return -1;
        }

        if (position < words.Length && slot.Accepts(text[words[position]]))
        {
            var end = Match(text, words, position + 1, slotIndex + 1, breakAfterFirst);
            if (end >= 0)
                return end;
        }

        return slot.Optional ? Match(text, words, position, slotIndex + 1, breakAfterFirst) : -1;
    }

    private sealed record Slot(string[] Words, string[] Prefixes, bool Optional, int Gap, bool Break = false)
    {
        public static Slot Parse(string part)
        {
            if (part == "*")
                return new Slot([], [], false, MaxGapWords);
            if (part == "**")
                return new Slot([], [], false, MaxGapWords * 2);
            if (part == "!")
                return new Slot([], [], false, 0, Break: true);

            var optional = part.StartsWith('?');
            var alternatives = (optional ? part[1..] : part).Split('|', StringSplitOptions.RemoveEmptyEntries);
            if (alternatives.Length == 0 || alternatives.Any(a => a.Contains(' ', StringComparison.Ordinal)))
                throw new FormatException($"bad pattern word '{part}'");
            return new Slot(
                [.. alternatives.Where(a => !a.EndsWith('~')).Select(a => KeywordMatcher.Normalize(a))],
                [.. alternatives.Where(a => a.EndsWith('~')).Select(a => KeywordMatcher.Normalize(a[..^1]))],
                optional,
                0);
        }

        public bool Accepts(ReadOnlySpan<char> word)
        {
            foreach (var exact in Words)
            {
                if (word.SequenceEqual(exact))
                    return true;
            }

            foreach (var prefix in Prefixes)
            {
                if (word.StartsWith(prefix, StringComparison.Ordinal))
                    return true;
            }

            return false;
        }
    }
}
