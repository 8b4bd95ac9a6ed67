namespace OptOut.Core.Keywords;

/// <summary>
/// One language's keyword lists and reply messages as an account has them in force: the shipped ones with the
/// account's additions and removals (<see cref="LanguageCustomization"/>).
/// </summary>
public sealed record LanguageKeywords(
    string Code,
    IReadOnlyList<string> OptOut,
    IReadOnlyList<string> OptIn,
    IReadOnlyList<string> Help,
    string OptOutMessage,
    string OptInMessage,
    string HelpMessage)
{
    public IReadOnlyList<string> Keywords(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => OptOut,
        KeywordKind.OptIn => OptIn,
        _ => Help,
    };

    public string Message(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => OptOutMessage,
        KeywordKind.OptIn => OptInMessage,
        _ => HelpMessage,
    };

    /// <summary>This language as the bus contracts carry it (an update that sets it whole, or the settings in force).</summary>
    public OptOut.Contracts.LanguageSettings ToContract() => new()
    {
        Language = Code,
        OptOutKeywords = OptOut,
        OptInKeywords = OptIn,
        HelpKeywords = Help,
        OptOutMessage = OptOutMessage,
        OptInMessage = OptInMessage,
        HelpMessage = HelpMessage,
    };

    /// <summary>The shipped lists and messages, unchanged.</summary>
    public static LanguageKeywords Shipped(ShippedLanguage language) => new(
        language.Code, language.OptOut, language.OptIn, language.Help, language.OptOutMessage, language.OptInMessage, language.HelpMessage);
}
