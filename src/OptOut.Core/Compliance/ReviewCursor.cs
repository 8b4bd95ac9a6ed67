namespace OptOut.Core.Compliance;

/// <summary>
/// Where a page of an account's review list ended (<see cref="IReviewStore.ListAsync"/>): the last item's place in the
/// list order, not an offset, so items added, resolved or closed between two pages never make a page repeat or skip
/// one that kept its place. The order is open items by (deadline, id) ascending, then the others by (received time, id)
/// descending; the id (compared as its standard big-endian bytes, i.e. its <c>N</c> string) breaks ties of equal times.
/// </summary>
/// <param name="Open">Whether the last item was in the open part of the list.</param>
/// <param name="At">Its deadline (open part) or received time (the rest).</param>
/// <param name="Id">Its id.</param>
public readonly record struct ReviewCursor(bool Open, DateTimeOffset At, Guid Id)
{
    /// <summary>The cursor after <paramref name="item"/>, as it stands now.</summary>
    public static ReviewCursor After(ReviewItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var open = item.State == ReviewState.Open;
        return new(open, open ? item.Deadline : item.ReceivedAt, item.Id);
    }

    /// <summary>The order the stores use for the id tie-break: the <c>N</c> string, which sorts as the standard UUID bytes.</summary>
    public static string OrderKey(Guid id) => id.ToString("N");
}
