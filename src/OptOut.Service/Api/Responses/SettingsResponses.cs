using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Service.Api.Responses;

/// <summary>
/// <c>GET settings</c> and the answer to <c>PUT settings</c>: the original fields (English's opt-out keywords and
/// message, with the message's SMS length), then every shipped language with its name and whether it is active.
/// </summary>
public sealed record SettingsResponse(
    string DefaultCountryCode,
    bool AutoOptOutEnabled,
    string OptOutMessage,
    IReadOnlyList<string> Keywords,
    MessageLengthResponse Message,
    IReadOnlyList<string> ActiveLanguages,
    IReadOnlyList<LanguageSettingsResponse> Languages,
    bool DetectionEnabled,
    double PossibleRevocationThreshold,
    bool ContactOptInOverridesAdmin,
    int ReviewDeadlineBusinessDays,
    string TimeZone)
{
    public static SettingsResponse From(OptOutSettingsChanged settings)
    {
        var length = SmsSegments.Measure(settings.OptOutMessage);
        return new(
            settings.DefaultCountryCode,
            settings.AutoOptOutEnabled,
            settings.OptOutMessage,
            settings.Keywords,
            new(length.Length, length.Segments, length.Encoding),
            settings.ActiveLanguages,
            [.. settings.Languages.Select(l => new LanguageSettingsResponse(
                l.Language,
                ShippedLanguage.Find(l.Language)?.Name ?? l.Language,
                settings.ActiveLanguages.Contains(l.Language, StringComparer.Ordinal),
                l.OptOutKeywords,
                l.OptInKeywords,
                l.HelpKeywords,
                l.OptOutMessage,
                l.OptInMessage,
                l.HelpMessage))],
            settings.DetectionEnabled,
            settings.PossibleRevocationThreshold,
            settings.ContactOptInOverridesAdmin,
            settings.ReviewDeadlineBusinessDays,
            settings.TimeZone);
    }
}

/// <summary>The opt-out message as SMS: its length in its encoding (<c>GSM-7</c> or <c>UCS-2</c>) and the segments it costs.</summary>
public sealed record MessageLengthResponse(int Length, int Segments, string Encoding);

/// <summary>One shipped language's lists and replies, active or not.</summary>
public sealed record LanguageSettingsResponse(
    string? Language,
    string? Name,
    bool Active,
    IReadOnlyList<string>? OptOutKeywords,
    IReadOnlyList<string>? OptInKeywords,
    IReadOnlyList<string>? HelpKeywords,
    string? OptOutMessage,
    string? OptInMessage,
    string? HelpMessage);
