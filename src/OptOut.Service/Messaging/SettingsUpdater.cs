using MassTransit;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Messaging;

/// <summary>What an <see cref="UpdateOptOutSettings"/> did: the settings now in force, or every reason it changed nothing.</summary>
public sealed record SettingsUpdate(OptOutSettingsChanged? Changed, OptOutSettingsRejected? Rejected);

/// <summary>
/// Account settings, for the consumer of <see cref="UpdateOptOutSettings"/> and the admin API alike: an
/// invalid update changes nothing and says every reason; a valid one is stored, cached here at once, and announced
/// (<see cref="OptOutSettingsChanged"/>, which makes every other instance drop its cached copy).
/// </summary>
public sealed class SettingsUpdater(SettingsCache cache, ISettingsStore store, OptOutTelemetry telemetry, TimeProvider clock)
{
    public async Task<SettingsUpdate> ApplyAsync(UpdateOptOutSettings update, IPublishEndpoint endpoint, CancellationToken cancellationToken)
    {
        var current = await cache.GetAsync(update.AccountId, cancellationToken);
        var (settings, errors) = AccountSettings.Validate(update, current.Settings, clock.GetUtcNow());
        if (settings is null)
        {
            telemetry.Rejected(nameof(UpdateOptOutSettings), "settings");
            var rejected = new OptOutSettingsRejected
            {
                AccountId = update.AccountId,
                RequestId = update.RequestId,
                Reasons = errors.ConvertAll(e => e.Reason),
                Errors = errors,
            };
            await endpoint.Publish(rejected, cancellationToken);
            return new(null, rejected);
        }

        await store.SaveAsync(settings, cancellationToken);
        cache.Set(settings);
        var changed = SettingsChangedMessage.From(settings, update.RequestId, clock.GetUtcNow());
        await endpoint.Publish(changed, cancellationToken);
        return new(changed, null);
    }
}
