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
        IEnumerable<string>? negations = null, IEnumerable<string>? notNegations = null, IEnumerable<string>? typoTargets = null,
        IEnumerable<string>? notTypos = null, IEnumerable<string>? fillers = null, IEnumerable<(string Pattern, double Score)>? softeners = null)
    {
        Language = language;
        Substrings = substrings;
        var sources = revocations.Select(r => (r.Pattern, Role: PhraseRole.Revocation, r.Score))
            .Concat(blocks.Select(b => (Pattern: b, Role: PhraseRole.Block, Score: 0.0)))
            .Concat((negations ?? []).Select(n => (Pattern: n, Role: PhraseRole.Negation, Score: 0.0)))
            .Concat((notNegations ?? []).Select(n => (Pattern: n, Role: PhraseRole.NotNegation, Score: 0.0)))
            .Concat((softeners ?? []).Select(n => (n.Pattern, Role: PhraseRole.Soften, n.Score)));
        var patterns = new List<PhrasePattern>();
        var errors = new List<string>();
        foreach (var (pattern, role, score) in sources)
        {
            try
            {
                patterns.Add(PhrasePattern.Parse(language, pattern, role, score, substrings));
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        // Every mistake at once: these are written by hand, and found by the first spec that reads a text.
        if (errors.Count > 0)
            throw new FormatException($"{language} phrases: " + string.Join("; ", errors));
        Patterns = patterns;
        TypoTargets = [.. (typoTargets ?? []).Select(KeywordMatcher.Normalize)];
        NotTypos = [.. (notTypos ?? []).Select(KeywordMatcher.Normalize)];
        Fillers = [.. (fillers ?? []).Select(KeywordMatcher.Normalize)];
    }

    /// <summary>Words that add nothing around a keyword ("STOP PLEASE", "BAJA XFA", "HINTO NA PO"): a keyword with only these is a revocation.</summary>
    public IReadOnlyList<string> Fillers { get; }

    public string Language { get; }

    /// <summary>True for languages written without spaces between words: patterns are substrings of the text with its spaces removed.</summary>
    public bool Substrings { get; }

    public IReadOnlyList<PhrasePattern> Patterns { get; }

    /// <summary>Words whose misspellings ("STPO", "UNSUBCRIBE") are read as the word.</summary>
    public IReadOnlyList<string> TypoTargets { get; }

    /// <summary>Real words one edit away from a typo target ("SHOP", "STEP"): never corrected.</summary>
    public IReadOnlyList<string> NotTypos { get; }
}
