using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Api.Responses;
using OptOut.Service.Messaging;

namespace OptOut.Service.Api;

/// <summary>
/// <c>GET/PUT settings</c> (docs/admin-api.md): the settings in force, and their replacement, applied in-process as
/// the consumer of <see cref="UpdateOptOutSettings"/> applies any other producer's (<see cref="SettingsUpdater"/>).
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
        bool? ContactOptInOverridesAdmin = null,
        int? ReviewDeadlineBusinessDays = null,
        string? TimeZone = null);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/settings", Get);
        api.MapPut("/settings", Put).ProducesWriteProblems();
    }

    private static async Task<Ok<SettingsResponse>> Get(AccountId accountId, SettingsCache settings, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(SettingsResponse.From(SettingsChangedMessage.From((await settings.GetAsync(accountId, ct)).Settings, null, clock.GetUtcNow())));

    private static async Task<Results<Ok<SettingsResponse>, Accepted<RequestQueuedResponse>, ValidationProblem, ProblemHttpResult>> Put(AccountId accountId,
        SettingsBody body, HttpContext http, AdminWrites writes)
    {
        var requestId = NewId.NextGuid();
        var update = new UpdateOptOutSettings
        {
            AccountId = accountId,
            RequestId = requestId,
            DefaultCountryCode = body.DefaultCountryCode,
            AutoOptOutEnabled = body.AutoOptOutEnabled,
            OptOutMessage = body.OptOutMessage,
            Keywords = body.Keywords,
            ActiveLanguages = body.ActiveLanguages,
            Languages = body.Languages,
            DetectionEnabled = body.DetectionEnabled,
            PossibleRevocationThreshold = body.PossibleRevocationThreshold,
            ContactOptInOverridesAdmin = body.ContactOptInOverridesAdmin,
            ReviewDeadlineBusinessDays = body.ReviewDeadlineBusinessDays,
            TimeZone = body.TimeZone,
            RequestedBy = ApiKeyFilter.Actor(http),
        };
        var write = await writes.UpdateSettingsAsync(update);
        switch (write.Status)
        {
            case AdminWriteStatus.Done when write.Outcome!.Rejected is { } rejected:
                // Keyed by the body's field each reason is about (languages[es].optInKeywords for a language's), so the
                // panel shows it next to that field.
                var errors = rejected.Errors.GroupBy(e => e.Field, e => e.Reason).ToDictionary(g => g.Key, g => g.ToArray());
                return TypedResults.ValidationProblem(errors, title: "The settings were not changed", detail: string.Join("; ", rejected.Reasons));
            case AdminWriteStatus.Done:
                return TypedResults.Ok(SettingsResponse.From(write.Outcome.Changed!));
            case AdminWriteStatus.Queued:
                return AdminApi.Queued(requestId);
            default:
                return AdminApi.Failed(write);
        }
    }
}
