namespace OptOut.Core.Keywords;

/// <summary>
/// A language the service ships keywords and messages for (<see cref="ShippedLanguages.All"/>; the source of every
/// keyword is in docs/keywords.md). After <see cref="KeywordMatcher.Normalize"/> no keyword appears twice across all
/// shipped languages and kinds, so a bare text means one thing whichever languages an account has active.
/// </summary>
public sealed record ShippedLanguage
{
    /// <summary>ISO 639-1 code: <c>en</c>, <c>es</c>…</summary>
    public required string Code { get; init; }

    /// <summary>The language's English name, for the panel.</summary>
    public required string Name { get; init; }

    public required IReadOnlyList<string> OptOut { get; init; }

    public required IReadOnlyList<string> OptIn { get; init; }

    public required IReadOnlyList<string> Help { get; init; }

    public required string OptOutMessage { get; init; }

    public required string OptInMessage { get; init; }

    public required string HelpMessage { get; init; }

    public IReadOnlyList<string> Keywords(KeywordKind kind) => LanguageKeywords.Shipped(this).Keywords(kind);

    public string Message(KeywordKind kind) => LanguageKeywords.Shipped(this).Message(kind);

    /// <summary>The shipped language with this code (case-insensitive), or null.</summary>
    public static ShippedLanguage? Find(string? code) =>
        ShippedLanguages.All.FirstOrDefault(l => string.Equals(l.Code, code?.Trim(), StringComparison.OrdinalIgnoreCase));
}
