using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace OptOut.Core;

/// <summary>Retry settings for store calls. The defaults suit a database that fails over in seconds.</summary>
public sealed record StoreResilienceOptions
{
    /// <summary>Retries after the first attempt (4: five attempts in all).</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>First backoff; it doubles per retry, with jitter so competing consumers don't retry in lockstep.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Builds the Polly pipeline that guards a store's own I/O (docs/architecture.md, "Who retries what"). Each store passes a narrow
/// predicate naming only the errors that a retry can fix (a busy database, a lost connection, a primary stepping
/// down); everything else, including a duplicate key or bad data, surfaces at once so MassTransit can route the
/// message. Core stays free of database types: the predicate is the store's.
/// </summary>
public static partial class StoreResilience
{
    public static ResiliencePipeline Create(
        string storeName, Func<Exception, bool> isTransient, ILogger? logger = null, StoreResilienceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(isTransient);
        options ??= new StoreResilienceOptions();
        logger ??= NullLogger.Instance;

        if (options.MaxRetryAttempts < 1)
            return ResiliencePipeline.Empty;

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && isTransient(e)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                OnRetry = args =>
                {
                    // Only the exception types the predicate let through reach here (connection and lock errors);
                    // their messages carry no phone numbers, so logging them keeps the privacy rule.
                    LogRetry(logger, args.Outcome.Exception, storeName, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Store} store call failed transiently (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, Exception? exception, string store, int attempt, TimeSpan delay);
}
