using OptOut.Contracts;
using OptOut.Core.Keywords;

namespace OptOut.Core.Intent;

/// <summary>What an inbound text asks for.</summary>
public enum TextIntentKind
{
    /// <summary>An ordinary reply: nothing to do.</summary>
    None,

    /// <summary>A revocation: a keyword, or words a reasonable person reads as one (opted out, confirmation sent).</summary>
    OptOut,

    /// <summary>An opt-in keyword: resume a contact who opted themselves out.</summary>
    OptIn,

    /// <summary>A help keyword: answer with the help message.</summary>
    Help,

    /// <summary>Possibly a revocation: published for a person to review, the number left as it is.</summary>
    PossibleOptOut,
}

/// <summary>
/// The reading of one text: what it asks for, in which language, and how that was decided (null only for
/// <see cref="TextIntentKind.None"/> with nothing matched at all).
/// </summary>
public sealed record TextIntent(TextIntentKind Kind, string Language, OptOutDetection? Detection)
{
    public static readonly TextIntent Nothing = new(TextIntentKind.None, AccountSettings.AlwaysActiveLanguage, null);

    /// <summary>The keyword that matched, as listed, for a keyword text.</summary>
    public string? Keyword => Detection is { Method: DetectionMethod.Keyword } d ? d.Matched : null;
}

/// <summary>
/// Reads a text with an account's settings: first the keywords of its active languages (the whole text, normalized),
/// then, when detection is on, the natural-language detector, whose score decides between revocation (at least
/// <see cref="AccountSettings.RevocationScore"/>), possible revocation (at least the account's threshold) and nothing.
/// </summary>
public static class IntentClassifier
{
    public static TextIntent Classify(ResolvedSettings settings, string? body)
    {
        ArgumentNullException.ThrowIfNull(settings);

        if (settings.Keywords.MatchEntry(body) is { } entry)
        {
            var language = entry.Language ?? AccountSettings.AlwaysActiveLanguage;
            return new TextIntent(Kind(entry.Kind), language, new OptOutDetection
            {
                Method = DetectionMethod.Keyword,
                Language = language,
                Matched = entry.Keyword,
                Score = 1,
                Reason = $"the text is the {Named(entry.Kind)} keyword {entry.Keyword} ({ShippedLanguage.Find(language)?.Name ?? language})",
            });
        }

        if (settings.Detector?.Read(body, settings.Keywords) is not { } reading)
            return TextIntent.Nothing;

        var kind = reading.Score >= AccountSettings.RevocationScore ? TextIntentKind.OptOut
            : reading.Score >= settings.Settings.PossibleRevocationThreshold ? TextIntentKind.PossibleOptOut
            : TextIntentKind.None;
        return new TextIntent(kind, reading.Language, reading.ToDetection());
    }

    private static TextIntentKind Kind(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => TextIntentKind.OptOut,
        KeywordKind.OptIn => TextIntentKind.OptIn,
        _ => TextIntentKind.Help,
    };

    private static string Named(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => "opt-out",
        KeywordKind.OptIn => "opt-in",
        _ => "help",
    };
}
