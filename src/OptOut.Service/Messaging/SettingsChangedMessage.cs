using System.Globalization;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>
/// An account's settings as <see cref="OptOutSettingsChanged"/> carries them: every field in full, every shipped
/// language's lists and messages whether active or not. The admin API's settings view is built from the same shape, so
/// what GET shows and what a PUT answers can't drift apart.
/// </summary>
public static class SettingsChangedMessage
{
    public static OptOutSettingsChanged From(AccountSettings settings, Guid? requestId, DateTimeOffset changedAt) => new()
    {
        AccountId = settings.AccountId,
        RequestId = requestId,
        DefaultCountryCode = settings.DefaultCountryCode.ToString(CultureInfo.InvariantCulture),
        AutoOptOutEnabled = settings.AutoOptOutEnabled,
        OptOutMessage = settings.OptOutMessage,
        Keywords = settings.Keywords,
        ActiveLanguages = settings.ActiveLanguages,
        Languages = [.. settings.Languages.Select(l => l.ToContract())],
        DetectionEnabled = settings.DetectionEnabled,
        PossibleRevocationThreshold = settings.PossibleRevocationThreshold,
        ContactOptInOverridesAdmin = settings.ContactOptInOverridesAdmin,
        ReviewDeadlineBusinessDays = settings.ReviewDeadlineBusinessDays,
        TimeZone = settings.TimeZone,
        ChangedBy = settings.UpdatedBy,
        ChangedAt = settings.UpdatedAt ?? changedAt,
    };
}
