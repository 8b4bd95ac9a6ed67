namespace OptOut.Core.Intent;

/// <summary>
/// One language's revocation phrases, the phrases that block them, and the keywords a misspelling of which is
/// corrected before the phrases are read (<see cref="RevocationDetector"/>). Written by hand from the FCC's wording
/// (47 CFR 64.1200(a)(10): words "a reasonable person would understand" as a revocation) and tuned only on the
/// development part of the labelled corpus (corpus/intent/dev.tsv).
/// </summary>
internal sealed class PhraseSet
{
    public PhraseSet(string language, bool substrings, IEnumerable<(string Pattern, double Score)> revocations, IEnumerable<string> blocks,
        IEnumerable<string>? typoTargets = null, IEnumerable<string>? notTypos = null)
    {
        Language = language;
        Substrings = substrings;
        Patterns =
        [
            .. revocations.Select(r => PhrasePattern.Parse(language, r.Pattern, PhraseRole.Revocation, r.Score, substrings)),
            .. blocks.Select(b => PhrasePattern.Parse(language, b, PhraseRole.Block, 0, substrings)),
        ];
        TypoTargets = [.. (typoTargets ?? []).Select(KeywordMatcher.Normalize)];
        NotTypos = [.. (notTypos ?? []).Select(KeywordMatcher.Normalize)];
    }

    public string Language { get; }

    /// <summary>True for languages written without spaces between words: patterns are substrings of the text with its spaces removed.</summary>
    public bool Substrings { get; }

    public IReadOnlyList<PhrasePattern> Patterns { get; }

    /// <summary>Words whose misspellings ("STPO", "UNSUBCRIBE") are read as the word.</summary>
    public IReadOnlyList<string> TypoTargets { get; }

    /// <summary>Real words one edit away from a typo target ("SHOP", "STEP"): never corrected.</summary>
    public IReadOnlyList<string> NotTypos { get; }
}
