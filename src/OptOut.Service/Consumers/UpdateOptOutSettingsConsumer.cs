using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Account settings, answering a request client with either outcome.</summary>
public sealed class UpdateOptOutSettingsConsumer(SettingsUpdater updater) : IConsumer<UpdateOptOutSettings>
{
    public async Task Consume(ConsumeContext<UpdateOptOutSettings> context)
    {
        var update = await updater.ApplyAsync(context.Message, context, context.CancellationToken);
        if (context.ResponseAddress is null)
            return;
        if (update.Rejected is { } rejected)
            await context.RespondAsync(rejected);
        else
            await context.RespondAsync(update.Changed!);
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
