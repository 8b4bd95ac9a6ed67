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

    private static readonly ConcurrentDictionary<string, RevocationDetector> ByLanguages = new(StringComparer.Ordinal);

    private readonly Dictionary<string, PhrasePattern[]>.AlternateLookup<ReadOnlySpan<char>> _byFirstWord;
    private readonly PhrasePattern[] _prefixFirst;
    private readonly PhrasePattern[] _substrings;
    private readonly PhraseSet[] _sets;

    private RevocationDetector(IEnumerable<string> languages)
    {
        _sets = [.. languages.Select(code => PhraseSets.Find(code)).OfType<PhraseSet>()];
        var wordPatterns = _sets.Where(s => !s.Substrings).SelectMany(s => s.Patterns).ToArray();
        _byFirstWord = wordPatterns
            .SelectMany(p => p.FirstWords.Select(w => (Word: w, Pattern: p)))
            .GroupBy(x => x.Word, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Pattern).ToArray(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixFirst = [.. wordPatterns.Where(p => !p.FirstWords.Any())];
        _substrings = [.. _sets.Where(s => s.Substrings).SelectMany(s => s.Patterns)];
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
        var text = KeywordMatcher.Normalize(body);
        if (text.Length == 0)
            return null;

        var reading = ReadNormalized(text, DetectionMethod.Phrase);
        if (reading is { Score: >= AccountSettings.RevocationScore })
            return reading;

        var (corrected, language) = CorrectTypos(text);
        if (corrected is null)
            return reading;

        if (keywords?.MatchEntry(corrected) is { Kind: KeywordKind.OptOut } entry)
        {
            return new RevocationReading(0.9, DetectionMethod.Typo, language!, corrected,
                $"\"{text}\" is a misspelling of the keyword {entry.Keyword}");
        }

        var typo = ReadNormalized(corrected, DetectionMethod.Typo);
        return typo is not null && typo.Score > (reading?.Score ?? 0)
            ? typo with { Reason = $"{typo.Reason}, read as \"{corrected}\" (a misspelling)" }
            : reading;
    }

    private RevocationReading? ReadNormalized(string text, DetectionMethod method)
    {
        Span<Range> buffer = stackalloc Range[StackWords];
        var words = Words(text, buffer);

        List<Match>? matches = null;
        for (var i = 0; i < words.Length; i++)
        {
            var word = text.AsSpan(words[i]);
            if (_byFirstWord.TryGetValue(word, out var candidates))
            {
                foreach (var pattern in candidates)
                    AddIfMatched(pattern, text, words, i, ref matches);
            }

            foreach (var pattern in _prefixFirst)
            {
                if (pattern.FirstSlotAccepts(word))
                    AddIfMatched(pattern, text, words, i, ref matches);
            }
        }

        var best = Best(matches);
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
                        (found ??= []).Add(new Match(pattern, at, at + alternative.Length, alternative));
                }
            }

            var inCompact = Best(found);
            if (inCompact is not null && (best is null || inCompact.Value.Pattern.Score > best.Value.Pattern.Score))
                best = inCompact;
        }

        if (best is not { } decided)
            return null;

        var phrase = decided.Pattern;
        var name = ShippedLanguage.Find(phrase.Language)?.Name ?? phrase.Language;
        var level = phrase.Score >= AccountSettings.RevocationScore ? "revocation" : "possible revocation";
        return new RevocationReading(phrase.Score, method, phrase.Language, decided.Words,
            string.Create(CultureInfo.InvariantCulture, $"{name} {level} phrase \"{decided.Words}\" (pattern {phrase.Source}, score {phrase.Score:0.00})"));
    }

    private static void AddIfMatched(PhrasePattern pattern, string text, ReadOnlySpan<Range> words, int start, ref List<Match>? matches)
    {
        var end = pattern.MatchAt(text, words, start);
        if (end > start)
            (matches ??= []).Add(new Match(pattern, start, end, text[words[start].Start..words[end - 1].End]));
    }

    // The best revocation that no block overlaps (a block inside it doesn't count: "STOP THIS SPAM" is not blocked by
    // "STOP THIS"); of equal scores the longer match.
    private static Match? Best(List<Match>? matches)
    {
        if (matches is null)
            return null;

        Match? best = null;
        foreach (var match in matches)
        {
            if (match.Pattern.Role != PhraseRole.Revocation)
                continue;

            var blocked = false;
            foreach (var block in matches)
            {
                if (block.Pattern.Role == PhraseRole.Block && block.Start < match.End && match.Start < block.End
                    && !(match.Start <= block.Start && block.End <= match.End))
                {
                    blocked = true;
                    break;
                }
            }

            if (!blocked && (best is null || match.Pattern.Score > best.Value.Pattern.Score
                    || (match.Pattern.Score == best.Value.Pattern.Score && match.End - match.Start > best.Value.End - best.Value.Start)))
                best = match;
        }

        return best;
    }

    // Each word corrected to the typo target of an active language it misspells; null when none is. Allocates only
    // when a word is corrected.
    private (string? Corrected, string? Language) CorrectTypos(string text)
    {
        Span<Range> buffer = stackalloc Range[StackWords];
        var words = Words(text, buffer);
        string[]? corrected = null;
        string? language = null;
        for (var i = 0; i < words.Length; i++)
        {
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

    private readonly record struct Match(PhrasePattern Pattern, int Start, int End, string Words);
}
