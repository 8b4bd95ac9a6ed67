using MassTransit.Testing;

namespace OptOut.Service.Tests.Harness;

/// <summary>
/// What MassTransit's test harness has already seen, without waiting.
/// <para>Its synchronous <c>Select</c> does not just list: with no match yet it blocks (holding the list's lock) until one
/// arrives, the harness goes inactive or <c>TestTimeout</c> passes; and an enumeration stopped early (<c>Any</c>,
/// <c>First</c>) disposes its cancellation registrations while still holding that lock, so it deadlocks with the
/// inactivity callback if that fires at the same moment (the callback waits for the lock, the dispose for the
/// callback). That hung a whole test run (<c>When_a_csv_of_numbers_is_uploaded</c>'s set-up) about one time in five.
/// With a token that is already cancelled, <c>Select</c> only lists what is there and registers nothing. Polling
/// loops with their own deadlines (<see cref="ServiceHarness.WaitForConsumed"/>) do the waiting.</para>
/// </summary>
public static class HarnessLists
{
    /// <summary>Lists only what is already there: the harness's enumeration ends at once and never registers a callback.</summary>
    public static readonly CancellationToken NoWait = new(canceled: true);

    public static IEnumerable<IReceivedMessage> SeenNow(this IReceivedMessageList list, Func<IReceivedMessage, bool> filter) =>
        list.Select(m => filter(m), NoWait);

    public static IEnumerable<IReceivedMessage<T>> SeenNow<T>(this IReceivedMessageList list)
        where T : class =>
        list.Select<T>(NoWait);

    public static IEnumerable<IPublishedMessage<T>> SeenNow<T>(this IPublishedMessageList list, Func<IPublishedMessage<T>, bool>? filter = null)
        where T : class =>
        list.Select<T>(NoWait).Where(m => filter?.Invoke(m) ?? true);
}
