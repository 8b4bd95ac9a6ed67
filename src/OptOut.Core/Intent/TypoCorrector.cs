namespace OptOut.Core.Intent;

/// <summary>
/// Reads a misspelt keyword as the keyword ("STPO", "UNSUBCRIBE", "UNSUSCRIBE"): one edit (an insertion, deletion,
/// substitution or swap of neighbours) for words of 4–8 letters, two for longer ones, and any word that is the target
/// with letters held down ("STOOOOOP", "BAJAA": runs of one letter read as one). Real words that close to a
/// keyword (SHOP and STEP for STOP) are listed per language and never corrected. Only a word about as long as the
/// target, starting with one of its first two letters, is compared at all, so an ordinary reply costs a few checks.
/// </summary>
internal static class TypoCorrector
{
    private const int MinLength = 4;

    private const int LongWord = 9;

    /// <summary>The target the word is a misspelling of, or null (also null when the word is the target itself).</summary>
    public static string? Correct(ReadOnlySpan<char> word, IReadOnlyList<string> targets, IReadOnlyList<string> notTypos)
    {
        if (word.Length < MinLength)
            return null;

        Span<char> collapsed = stackalloc char[word.Length];
        var collapsedLength = Collapse(word, collapsed);
        foreach (var target in targets)
        {
            if (collapsedLength < word.Length && !word.SequenceEqual(target) && IsCollapsedForm(collapsed[..collapsedLength], target))
                return target;

            var allowed = target.Length >= LongWord ? 2 : 1;
            if (Math.Abs(target.Length - word.Length) > allowed
                || (word[0] != target[0] && word[0] != target[1] && word[1] != target[0] && !word[1..].SequenceEqual(target.AsSpan(1))))
                continue;
            // An inflection (UNSUBSCRIBED, STOPPING) or a prefixed word (N'ARRÊTEZ → NARRETEZ) is not a misspelling:
            // correcting it would read the word it was built from, losing a negation or a tense.
            if (word.SequenceEqual(target) || word.StartsWith(target) || word.EndsWith(target) || Distance(word, target, allowed) > allowed)
                continue;

            foreach (var real in notTypos)
            {
                if (word.SequenceEqual(real))
                    return null;
            }

            return target;
        }

        return null;
    }

    private static int Collapse(ReadOnlySpan<char> word, Span<char> destination)
    {
        var n = 0;
        foreach (var c in word)
        {
            if (n == 0 || destination[n - 1] != c)
                destination[n++] = c;
        }

        return n;
    }

    private static bool IsCollapsedForm(ReadOnlySpan<char> collapsed, string target)
    {
        Span<char> buffer = stackalloc char[target.Length];
        return collapsed.SequenceEqual(buffer[..Collapse(target, buffer)]);
    }

    // Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring), stopped early
    // once every cell of a row passes the limit.
    private static int Distance(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int limit)
    {
        Span<int> previous2 = stackalloc int[b.Length + 1];
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }

            if (rowMin > limit)
                return rowMin;
            var recycled = previous2;
            previous2 = previous;
            previous = current;
            current = recycled;
        }

        return previous[b.Length];
    }
}
