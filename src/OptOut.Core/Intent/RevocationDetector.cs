using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using OptOut.Contracts;
using OptOut.Core.Keywords;

namespace OptOut.Core.Intent;

/// <summary>
/// Reads a text that is not a keyword for a natural-language revocation of consent (FCC 24-24: "any reasonable means").
/// Hand-written phrases per language (<see cref="PhraseSet"/>) over the normalized words of the text, with phrases that
/// block them (negations such as "DONT STOP", other senses such as "BUS STOP" or "STOP THE WAR"), and misspelt keywords
/// corrected first. The highest-scoring phrase that no block overlaps decides; the reading says which and why.
/// </summary>
/// <remarks>
/// Why phrases and not a model: every decision is deterministic and explainable to an auditor in one line, the cost is
/// a few dictionary lookups per word (the inbound benchmark runs it on every ordinary reply), nothing is downloaded, and
/// a missed phrase is fixed by adding it, with the corpus spec showing what that does to precision. Figures, on the
/// test part of the corpus that tuning never read: README "Benchmarks" (<c>intent</c>).
/// </remarks>
public sealed class RevocationDetector
{
    private const int StackWords = 128;

    // A negation blocks a revocation that starts within this many words after it ("DONT EVER UNSUBSCRIBE ME").
    private const int NegationReach = 3;

    private static readonly ConcurrentDictionary<string, RevocationDetector> ByLanguages = new(StringComparer.Ordinal);

    private readonly Dictionary<string, PhrasePattern[]>.AlternateLookup<ReadOnlySpan<char>> _byFirstWord;
    // Patterns whose first word is matched by prefix, by the first letter of each of their first words: a word is
    // tried against those that could start with its letter only.
    private readonly Dictionary<char, PhrasePattern[]> _prefixFirst;
    private readonly PhrasePattern[] _substrings;
    private readonly PhraseSet[] _sets;

    // Typo targets and their not-typos of every active language: a word that is one of them is never corrected.
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _neverCorrected;

    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _fillers;

    private RevocationDetector(IEnumerable<string> languages)
    {
        _sets = [.. languages.Select(code => PhraseSets.Find(code)).OfType<PhraseSet>()];
        var wordPatterns = _sets.Where(s => !s.Substrings).SelectMany(s => s.Patterns).ToArray();
        _byFirstWord = wordPatterns
            .Where(p => !p.StartsWithPrefix)
            .SelectMany(p => p.FirstWords.Select(w => (Word: w, Pattern: p)))
            .GroupBy(x => x.Word, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Pattern).ToArray(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixFirst = wordPatterns.Where(p => p.StartsWithPrefix)
            .SelectMany(p => p.FirstLetters.Select(c => (Letter: c, Pattern: p)))
            .GroupBy(x => x.Letter)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Pattern).Distinct().ToArray());
        _substrings = [.. _sets.Where(s => s.Substrings).SelectMany(s => s.Patterns)];
        _neverCorrected = _sets.SelectMany(s => s.TypoTargets.Concat(s.NotTypos)).ToHashSet(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _fillers = _sets.SelectMany(s => s.Fillers).ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The detector for these languages (codes of <see cref="ShippedLanguages"/>); built once per set and shared.</summary>
    public static RevocationDetector For(IReadOnlyList<string> languages)
    {
        ArgumentNullException.ThrowIfNull(languages);
        return ByLanguages.GetOrAdd(string.Join(',', languages), static (_, l) => new RevocationDetector(l), languages);
    }

    /// <summary>
    /// The reading of a text, or null when nothing in it reads as a revocation. <paramref name="keywords"/>, when given,
    /// lets a misspelt keyword that is the whole text ("unsubcribe") be read as that keyword.
    /// </summary>
    public RevocationReading? Read(string? body, KeywordMatcher? keywords = null)
    {
        var reading = ReadText(body, keywords);
        if (reading is { Score: >= AccountSettings.RevocationScore } || body is null)
            return reading;

        // A text of several sentences is also read one sentence at a time: a phrase or a block doesn't run on into the
        // next sentence ("I said STOP. This is the 4th time" is not "STOP THIS"), and an opt-out keyword that is a
        // sentence of its own is a revocation ("I never gave you permission to text me. Stop.", "Baja. Ya no vivo ahí").
        var sentences = Sentences(body);
        if (sentences is null)
            return reading;
        foreach (var sentence in sentences)
        {
            var inSentence = KeywordSentence(sentence, keywords) ?? ReadText(sentence, keywords);
            if (inSentence is not null && inSentence.Score > (reading?.Score ?? 0))
                reading = inSentence with { Reason = $"{inSentence.Reason}, in the sentence \"{KeywordMatcher.Normalize(sentence)}\"" };
        }

        return reading;
    }

    // An opt-out keyword that is a whole sentence of a longer text (two letters at least: "T." ends many a name).
    private static RevocationReading? KeywordSentence(string sentence, KeywordMatcher? keywords)
    {
        if (keywords is null || sentence.Count(char.IsLetter) < 2 || keywords.MatchEntry(sentence) is not { Kind: KeywordKind.OptOut } entry)
            return null;
        return new RevocationReading(0.9, DetectionMethod.Phrase, entry.Language ?? AccountSettings.AlwaysActiveLanguage, entry.Keyword,
            $"the opt-out keyword {entry.Keyword} as a sentence of its own");
    }

    // The sentences of a text, when it has two or more with letters in them; null otherwise (most replies), so a
    // one-sentence text costs one scan.
    private static List<string>? Sentences(string body)
    {
        List<string>? sentences = null;
        var start = 0;
        for (var i = 0; i <= body.Length; i++)
        {
            if (i < body.Length && body[i] is not ('.' or '!' or '?' or ';' or '\n' or '…' or '。' or '！' or '？' or '；'))
                continue;
            var piece = body.AsSpan(start, i - start).Trim();
            if (piece.ContainsAnyExcept(SentenceNoise))
            {
                if (start == 0 && i == body.Length)
                    return null;
                (sentences ??= []).Add(piece.ToString());
            }

            start = i + 1;
        }

        return sentences is { Count: >= 2 } ? sentences : null;
    }

    private static readonly System.Buffers.SearchValues<char> SentenceNoise = System.Buffers.SearchValues.Create(" \t\r\"'“”‘’«»()[]-–—,:*~");

    private RevocationReading? ReadText(string? body, KeywordMatcher? keywords)
    {
        var text = KeywordMatcher.Normalize(body);
        if (text.Length == 0)
            return null;

        // The text's words, found once for the three readings below (a corrected text has its own).
        Span<Range> buffer = stackalloc Range[StackWords];
        var words = Words(text, buffer);
        if (SpelledOut(text, words, keywords) is { } spelled)
            return spelled;

        var breakAfterFirst = BreakAfterFirstWord(body!);
        var reading = ReadNormalized(text, words, DetectionMethod.Phrase, breakAfterFirst);
        if (reading is { Score: >= AccountSettings.RevocationScore })
            return reading;

        if (KeywordWithFillers(text, words, keywords, DetectionMethod.Phrase) is { } withFillers)
            return withFillers;

        var (corrected, language) = CorrectTypos(text, words);
        if (corrected is null)
            return reading;

        if (keywords?.MatchEntry(corrected) is { Kind: KeywordKind.OptOut } entry)
        {
            return new RevocationReading(0.9, DetectionMethod.Typo, entry.Language ?? language!, entry.Keyword,
                $"\"{text}\" is a misspelling of the keyword {entry.Keyword}");
        }

        var correctedWords = Words(corrected, new Range[corrected.AsSpan().Count(' ') + 1]);
        if (KeywordWithFillers(corrected, correctedWords, keywords, DetectionMethod.Typo) is { } typoWithFillers)
            return typoWithFillers with { Reason = $"{typoWithFillers.Reason}, read as \"{corrected}\" (a misspelling)" };

        var typo = ReadNormalized(corrected, correctedWords, DetectionMethod.Typo, breakAfterFirst);
        return typo is not null && typo.Score > (reading?.Score ?? 0)
            ? typo with { Reason = $"{typo.Reason}, read as \"{corrected}\" (a misspelling)" }
            : reading;
    }

    // A keyword spelt out letter by letter ("S.T.O.P.", "s t o p").
    private static RevocationReading? SpelledOut(string text, ReadOnlySpan<Range> words, KeywordMatcher? keywords)
    {
        if (keywords is null || words.Length < 3)
            return null;
        foreach (var word in words)
        {
            if (word.End.Value - word.Start.Value != 1)
                return null;
        }

        var joined = text.Replace(" ", "", StringComparison.Ordinal);
        if (keywords.MatchEntry(joined) is not { Kind: KeywordKind.OptOut } entry)
            return null;
        return new RevocationReading(0.9, DetectionMethod.Typo, entry.Language ?? AccountSettings.AlwaysActiveLanguage, entry.Keyword,
            $"the opt-out keyword {entry.Keyword}, spelt out (\"{text}\")");
    }

    // An opt-out keyword with nothing but filler words around it ("STOP PLEASE", "YES STOP", "BAJA XFA", "HINTO NA PO"):
    // there is nothing else in the text to read it as.
    private RevocationReading? KeywordWithFillers(string text, ReadOnlySpan<Range> words, KeywordMatcher? keywords, DetectionMethod method)
    {
        if (keywords is null)
            return null;

        var first = 0;
        var last = words.Length - 1;
        while (first <= last && _fillers.Contains(text.AsSpan(words[first])))
            first++;
        while (last >= first && _fillers.Contains(text.AsSpan(words[last])))
            last--;
        if (first > last || (first == 0 && last == words.Length - 1))
            return null;

        var core = text[words[first].Start..words[last].End];
        if (keywords.MatchEntry(core) is not { Kind: KeywordKind.OptOut } entry)
            return null;

        var language = entry.Language ?? AccountSettings.AlwaysActiveLanguage;
        return new RevocationReading(0.9, method, language, entry.Keyword,
            $"the opt-out keyword {entry.Keyword}, with only filler words around it (\"{text}\")");
    }

    // "STOP. Who is this?", "Stop! I never signed up", "ALTO 🛑": the first word stands alone, as a keyword would.
    private static bool BreakAfterFirstWord(string body)
    {
        var text = body.AsSpan().TrimStart();
        var i = 0;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '\'' or '\u2019' || char.GetUnicodeCategory(text[i]) is UnicodeCategory.NonSpacingMark))
            i++;
        while (i < text.Length && text[i] == ' ')
            i++;
        if (i >= text.Length)
            return true;
        var next = text[i];
        return next is '.' or '!' or '?' or ',' or ';' or ':' or '…' or '-' or '¡' or '¿' or '。' or '！' or '，'
            || char.IsSurrogate(next) || char.GetUnicodeCategory(next) is UnicodeCategory.OtherSymbol;
    }

    private RevocationReading? ReadNormalized(string text, ReadOnlySpan<Range> words, DetectionMethod method, bool breakAfterFirst)
    {

        List<Match>? matches = null;
        for (var i = 0; i < words.Length; i++)
        {
            var word = text.AsSpan(words[i]);
            if (_byFirstWord.TryGetValue(word, out var candidates))
            {
                foreach (var pattern in candidates)
                    AddIfMatched(pattern, text, words, i, breakAfterFirst, ref matches);
            }

            if (word.Length > 0 && _prefixFirst.TryGetValue(word[0], out var byLetter))
            {
                foreach (var pattern in byLetter)
                {
                    if (pattern.FirstSlotAccepts(word))
                        AddIfMatched(pattern, text, words, i, breakAfterFirst, ref matches);
                }
            }
        }

        var best = Best(matches, NegationReach);
        if (_substrings.Length > 0 && !System.Text.Ascii.IsValid(text))
        {
            var compact = text.Replace(" ", "", StringComparison.Ordinal);
            List<Match>? found = null;
            foreach (var pattern in _substrings)
            {
                foreach (var alternative in pattern.Substrings)
                {
                    var at = compact.IndexOf(alternative, StringComparison.Ordinal);
                    if (at >= 0)
                        (found ??= []).Add(new Match(pattern, at, at + alternative.Length, alternative, pattern.Score));
                }
            }

            var inCompact = Best(found, 0);
            if (inCompact is not null && (best is null || inCompact.Value.Score > best.Value.Score))
                best = inCompact;
        }

        if (best is not { } decided)
            return null;

        var phrase = decided.Pattern;
        var name = ShippedLanguage.Find(phrase.Language)?.Name ?? phrase.Language;
        var level = decided.Score >= AccountSettings.RevocationScore ? "revocation" : "possible revocation";
        var softened = decided.Score < phrase.Score ? ", made a possible one by a condition in the text" : "";
        return new RevocationReading(decided.Score, method, phrase.Language, decided.Words,
            string.Create(CultureInfo.InvariantCulture, $"{name} {level} phrase \"{decided.Words}\" (pattern {phrase.Source}, score {decided.Score:0.00}{softened})"));
    }

    private static void AddIfMatched(PhrasePattern pattern, string text, ReadOnlySpan<Range> words, int start, bool breakAfterFirst,
        ref List<Match>? matches)
    {
        var end = pattern.MatchAt(text, words, start, breakAfterFirst);
        if (end > start)
            (matches ??= []).Add(new Match(pattern, start, end, text[words[start].Start..words[end - 1].End], pattern.Score));
    }

    // The best revocation that no block overlaps and no negation precedes by at most `reach` positions. A block or
    // negation inside a narrow match doesn't count ("STOP THIS SPAM" is not blocked by "STOP THIS", "DONT TEXT ME" not
    // negated by its DONT); inside a broad one (with gaps) a block still does ("CANCEL MY RENEWAL NOT THE TEXTS"). A
    // softener it overlaps, or that follows it closely, caps its score ("DONT TEXT ME SO EARLY" is for review). Of equal scores the longer match.
    private static Match? Best(List<Match>? matches, int reach)
    {
        if (matches is null)
            return null;

        Match? best = null;
        foreach (var candidate in matches)
        {
            if (candidate.Pattern.Role != PhraseRole.Revocation)
                continue;

            var match = candidate;
            var blocked = false;
            foreach (var other in matches)
            {
                var overlaps = other.Start < match.End && match.Start < other.End;
                var inside = match.Start <= other.Start && other.End <= match.End;
                if (other.Pattern.Role == PhraseRole.Soften && (overlaps || (other.Start >= match.End && other.Start - match.End <= reach))
                    && other.Pattern.Score < match.Score)
                    match = match with { Score = other.Pattern.Score };
                if (inside && (!match.Pattern.HasGaps || other.Pattern.Role == PhraseRole.Negation))
                    continue;
                if ((other.Pattern.Role == PhraseRole.Block && overlaps)
                    || (other.Pattern.Role == PhraseRole.Negation && other.End <= match.Start && match.Start - other.End <= reach
                        && !matches.Exists(n => n.Pattern.Role == PhraseRole.NotNegation && n.Start < other.End && other.Start < n.End)))
                {
                    blocked = true;
                    break;
                }
            }

            if (!blocked && (best is null || match.Score > best.Value.Score
                    || (match.Score == best.Value.Score && match.End - match.Start > best.Value.End - best.Value.Start)))
                best = match;
        }

        return best;
    }

    // Each word corrected to the typo target of an active language it misspells; null when none is. Allocates only
    // when a word is corrected.
    private (string? Corrected, string? Language) CorrectTypos(string text, ReadOnlySpan<Range> words)
    {
        string[]? corrected = null;
        string? language = null;
        for (var i = 0; i < words.Length; i++)
        {
            if (_neverCorrected.Contains(text.AsSpan(words[i])))
                continue;
            foreach (var set in _sets)
            {
                if (TypoCorrector.Correct(text.AsSpan(words[i]), set.TypoTargets, set.NotTypos) is { } target)
                {
                    if (corrected is null)
                    {
                        corrected = new string[words.Length];
                        for (var w = 0; w < words.Length; w++)
                            corrected[w] = text[words[w]];
                    }

                    corrected[i] = target;
                    language ??= set.Language;
                    break;
                }
            }
        }

        return corrected is null ? (null, null) : (string.Join(' ', corrected), language);
    }

    private static ReadOnlySpan<Range> Words(string text, Span<Range> buffer)
    {
        var count = text.AsSpan().Count(' ') + 1;
        var words = count <= buffer.Length ? buffer[..count] : new Range[count];
        var start = 0;
        var n = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                words[n++] = new Range(start, i);
                start = i + 1;
            }
        }

        return words[..n];
    }

    private readonly record struct Match(PhrasePattern Pattern, int Start, int End, string Words, double Score);
}
