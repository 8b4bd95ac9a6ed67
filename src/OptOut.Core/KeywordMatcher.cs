namespace OptOut.Core;

/// <summary>
/// Decides whether a whole message is an opt-out keyword (DESIGN.md §2): Unicode NFKC, case-insensitive,
/// surrounding whitespace, punctuation, quotes and emoji stripped, inner whitespace collapsed, and a keyword
/// repeated ("STOP STOP") still matches. Built once per settings version and cached with them.
/// </summary>
public sealed class KeywordMatcher
{
    public KeywordMatcher(IEnumerable<string> keywords) => throw new NotImplementedException();

    /// <summary>The keyword the message matches (in its normalized form), or null.</summary>
    public string? Match(string? body) => throw new NotImplementedException();

    /// <summary>The normalized form both message bodies and keywords are compared in.</summary>
    public static string Normalize(string? text) => throw new NotImplementedException();
}
