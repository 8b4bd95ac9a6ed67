namespace OptOut.Service.Messaging;

/// <summary>How unconfirmed events are taken over and re-sent (configuration section <c>Outbox</c>; docs/architecture.md).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>
    /// How long whoever publishes a change's events holds them (each retry renews it) before another delivery or the
    /// sweeper may re-send them: twice a consume attempt's 30 s deadline, so a live publisher is never raced, and after a
    /// crash the events still go out well inside the 5 minutes a confirmation text may take.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each instance looks for events whose claim ran out with no message left to re-send them.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries re-sent at most per sweep.</summary>
    public int SweepBatch { get; set; } = 500;

    public void EnsureUsable()
    {
        if (ClaimTimeout < TimeSpan.FromSeconds(1))
            throw new InvalidOperationException($"{Section}:ClaimTimeout is {ClaimTimeout}; it must be at least 1 second.");
        if (SweepInterval < TimeSpan.FromMilliseconds(100))
            throw new InvalidOperationException($"{Section}:SweepInterval is {SweepInterval}; it must be at least 100 ms.");
        if (SweepBatch < 1)
            throw new InvalidOperationException($"{Section}:SweepBatch is {SweepBatch}; it must be at least 1.");
    }
}
