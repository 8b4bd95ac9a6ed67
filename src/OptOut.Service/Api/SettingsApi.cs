using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;
using OptOut.Service.Messaging;

namespace OptOut.Service.Api;

/// <summary>
/// <c>GET/PUT /api/accounts/{accountId}/settings</c> (docs/admin-api.md): the settings in force, and their
/// replacement through <see cref="UpdateOptOutSettings"/> like any other producer's.
/// </summary>
public static class SettingsApi
{
    /// <summary>
    /// The body of a PUT: the fields of <see cref="UpdateOptOutSettings"/> an administrator sets. <c>keywords</c> and
    /// <c>optOutMessage</c> are English's opt-out list and message, as before languages existed; every field added
    /// since is optional (left out, it keeps what the account has).
    /// </summary>
    public sealed record SettingsBody(
        string? DefaultCountryCode,
        bool? AutoOptOutEnabled,
        string? OptOutMessage,
        IReadOnlyList<string>? Keywords,
        IReadOnlyList<string>? ActiveLanguages = null,
        IReadOnlyList<LanguageSettings>? Languages = null,
        bool? DetectionEnabled = null,
        double? PossibleRevocationThreshold = null,
        bool? ContactOptInOverridesAdmin = null);

    public static async Task<IResult> Get(Guid accountId, SettingsCache settings, TimeProvider clock, CancellationToken ct) =>
        Results.Ok(View(SettingsChangedMessage.From((await settings.GetAsync(accountId, ct)).Settings, null, clock.GetUtcNow())));

    public static async Task<IResult> Put(Guid accountId, SettingsBody body, HttpContext http, IRequestClient<UpdateOptOutSettings> client,
        CancellationToken ct)
    {
        var response = await client.GetResponse<OptOutSettingsChanged, OptOutSettingsRejected>(new UpdateOptOutSettings
        {
            AccountId = accountId,
            RequestId = NewId.NextGuid(),
            DefaultCountryCode = body.DefaultCountryCode,
            AutoOptOutEnabled = body.AutoOptOutEnabled,
            OptOutMessage = body.OptOutMessage,
            Keywords = body.Keywords,
            ActiveLanguages = body.ActiveLanguages,
            Languages = body.Languages,
            DetectionEnabled = body.DetectionEnabled,
            PossibleRevocationThreshold = body.PossibleRevocationThreshold,
            ContactOptInOverridesAdmin = body.ContactOptInOverridesAdmin,
            RequestedBy = ApiKeyFilter.Actor(http),
        }, ct);

        if (response.Is(out Response<OptOutSettingsRejected>? rejected))
        {
            // Keyed by the body's field each reason is about (languages[es].optInKeywords for a language's), so the
            // panel shows it next to that field.
            var errors = rejected.Message.Errors.GroupBy(e => e.Field, e => e.Reason).ToDictionary(g => g.Key, g => g.ToArray());
            return Results.ValidationProblem(errors, title: "The settings were not changed", detail: string.Join("; ", rejected.Message.Reasons));
        }

        response.Is(out Response<OptOutSettingsChanged>? changed);
        return Results.Ok(View(changed!.Message));
    }

    /// <summary>
    /// The settings as the API shows them: the original fields (English's opt-out keywords and message, with the
    /// message's SMS length), then every shipped language with its name and whether it is active.
    /// </summary>
    private static object View(OptOutSettingsChanged settings)
    {
        var length = SmsSegments.Measure(settings.OptOutMessage);
        return new
        {
            defaultCountryCode = settings.DefaultCountryCode,
            autoOptOutEnabled = settings.AutoOptOutEnabled,
            optOutMessage = settings.OptOutMessage,
            keywords = settings.Keywords,
            message = new { length = length.Length, segments = length.Segments, encoding = length.Encoding },
            activeLanguages = settings.ActiveLanguages,
            languages = settings.Languages.Select(l => new
            {
                language = l.Language,
                name = ShippedLanguage.Find(l.Language)?.Name ?? l.Language,
                active = settings.ActiveLanguages.Contains(l.Language, StringComparer.Ordinal),
                optOutKeywords = l.OptOutKeywords,
                optInKeywords = l.OptInKeywords,
                helpKeywords = l.HelpKeywords,
                optOutMessage = l.OptOutMessage,
                optInMessage = l.OptInMessage,
                helpMessage = l.HelpMessage,
            }),
            detectionEnabled = settings.DetectionEnabled,
            possibleRevocationThreshold = settings.PossibleRevocationThreshold,
            contactOptInOverridesAdmin = settings.ContactOptInOverridesAdmin,
        };
    }
}
