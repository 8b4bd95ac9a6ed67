namespace OptOut.Service.Messaging;

/// <summary>
/// Gives up waiting on work that has not finished within a deadline (or once the caller is cancelled): the work is
/// left to end on its own, and the caller's retry tries again. For the one wait nothing else bounds: RabbitMQ.Client
/// 7.2.x can leave a publish awaiting its broker confirm for ever on a channel that died in a broker restart
/// (rabbitmq-dotnet-client#1930), and MassTransit hands it the channel's token, not the consume's.
/// </summary>
public static class Deadline
{
    /// <summary>
    /// <paramref name="work"/> itself when it has already finished (no timer, no state machine: the common case),
    /// else a task that ends with it, or with a <see cref="TimeoutException"/> naming <paramref name="what"/> after
    /// <paramref name="deadline"/>.
    /// </summary>
    public static Task Within(Task work, TimeSpan deadline, string what, CancellationToken cancellationToken) =>
        work.IsCompleted ? work : WaitAsync(work, deadline, what, cancellationToken);

    private static async Task WaitAsync(Task work, TimeSpan deadline, string what, CancellationToken cancellationToken)
    {
        try
        {
            await work.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{what} took longer than {deadline}; abandoned so it can be retried", ex);
        }
    }
}
