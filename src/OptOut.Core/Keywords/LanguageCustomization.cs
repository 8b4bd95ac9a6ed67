namespace OptOut.Core.Keywords;

/// <summary>
/// What an account changed in one shipped language, as stores keep it: keywords added to and removed from each
/// shipped list, and messages of its own (null: the shipped one). Kept as a difference, not as full lists, so a keyword
/// the service ships later reaches every account that did not remove it (compliance first).
/// </summary>
public sealed record LanguageCustomization
{
    public required string Code { get; init; }

    public IReadOnlyList<string> AddedOptOut { get; init; } = [];

    public IReadOnlyList<string> RemovedOptOut { get; init; } = [];

    public IReadOnlyList<string> AddedOptIn { get; init; } = [];

    public IReadOnlyList<string> RemovedOptIn { get; init; } = [];

    public IReadOnlyList<string> AddedHelp { get; init; } = [];

    public IReadOnlyList<string> RemovedHelp { get; init; } = [];

    public string? OptOutMessage { get; init; }

    public string? OptInMessage { get; init; }

    public string? HelpMessage { get; init; }

    /// <summary>True when nothing differs from the shipped language (such an entry is not stored).</summary>
    public bool IsEmpty => AddedOptOut.Count + RemovedOptOut.Count + AddedOptIn.Count + RemovedOptIn.Count + AddedHelp.Count + RemovedHelp.Count == 0
        && OptOutMessage is null && OptInMessage is null && HelpMessage is null;

    /// <summary>The language in force: the shipped lists minus what was removed, plus what was added (in that order).</summary>
    public LanguageKeywords Apply(ShippedLanguage shipped) => new(
        shipped.Code,
        Merge(shipped.OptOut, RemovedOptOut, AddedOptOut),
        Merge(shipped.OptIn, RemovedOptIn, AddedOptIn),
        Merge(shipped.Help, RemovedHelp, AddedHelp),
        OptOutMessage ?? shipped.OptOutMessage,
        OptInMessage ?? shipped.OptInMessage,
        HelpMessage ?? shipped.HelpMessage);

    /// <summary>The difference between a language's lists and messages in force and the shipped ones.</summary>
    public static LanguageCustomization Between(ShippedLanguage shipped, LanguageKeywords inForce) => new()
    {
        Code = shipped.Code,
        AddedOptOut = Except(inForce.OptOut, shipped.OptOut),
        RemovedOptOut = Except(shipped.OptOut, inForce.OptOut),
        AddedOptIn = Except(inForce.OptIn, shipped.OptIn),
        RemovedOptIn = Except(shipped.OptIn, inForce.OptIn),
        AddedHelp = Except(inForce.Help, shipped.Help),
        RemovedHelp = Except(shipped.Help, inForce.Help),
        OptOutMessage = inForce.OptOutMessage == shipped.OptOutMessage ? null : inForce.OptOutMessage,
        OptInMessage = inForce.OptInMessage == shipped.OptInMessage ? null : inForce.OptInMessage,
        HelpMessage = inForce.HelpMessage == shipped.HelpMessage ? null : inForce.HelpMessage,
    };

    // Keywords compare by their normalized form: "OPT-OUT" removed is "OPT OUT" removed.
    private static List<string> Merge(IReadOnlyList<string> shipped, IReadOnlyList<string> removed, IReadOnlyList<string> added)
    {
        var gone = removed.Select(KeywordMatcher.Normalize).ToHashSet(StringComparer.Ordinal);
        var list = shipped.Where(k => !gone.Contains(KeywordMatcher.Normalize(k))).ToList();
        var present = list.Select(KeywordMatcher.Normalize).ToHashSet(StringComparer.Ordinal);
        list.AddRange(added.Where(k => present.Add(KeywordMatcher.Normalize(k))));
        return list;
    }

    private static List<string> Except(IReadOnlyList<string> list, IReadOnlyList<string> other)
    {
        var exclude = other.Select(KeywordMatcher.Normalize).ToHashSet(StringComparer.Ordinal);
        return list.Where(k => !exclude.Contains(KeywordMatcher.Normalize(k))).ToList();
    }
}
