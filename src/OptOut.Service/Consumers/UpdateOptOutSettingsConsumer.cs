using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Account settings (DESIGN.md §1): an invalid update changes nothing and says every reason.</summary>
public sealed class UpdateOptOutSettingsConsumer(SettingsCache cache, ISettingsStore store, OptOutTelemetry telemetry, TimeProvider clock)
    : IConsumer<UpdateOptOutSettings>
{
    public async Task Consume(ConsumeContext<UpdateOptOutSettings> context)
    {
        var update = context.Message;
        var current = await cache.GetAsync(update.AccountId, context.CancellationToken);
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
            await context.Publish(rejected);
            if (context.ResponseAddress is not null)
                await context.RespondAsync(rejected);
            return;
        }

        await store.SaveAsync(settings, context.CancellationToken);
        cache.Set(settings);
        var changed = SettingsChangedMessage.From(settings, update.RequestId, clock.GetUtcNow());
        await context.Publish(changed);
        if (context.ResponseAddress is not null)
            await context.RespondAsync(changed);
    }
}

/// <summary>
/// Runs on a temporary queue per service instance, so every instance drops its cached copy when any instance
/// changes an account's settings.
/// </summary>
public sealed class SettingsChangedCacheConsumer(SettingsCache cache) : IConsumer<OptOutSettingsChanged>
{
    public Task Consume(ConsumeContext<OptOutSettingsChanged> context)
    {
        cache.Invalidate(context.Message.AccountId);
        return Task.CompletedTask;
    }
}
