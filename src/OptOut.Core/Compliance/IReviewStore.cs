using OptOut.Contracts;

namespace OptOut.Core.Compliance;

/// <summary>
/// The review list of possible revocations (issue 15), one list per account, and the due work several service
/// instances share: an item still open at its deadline is opted out automatically, exactly once, even across restarts
/// (the store is the record, not a scheduled message: Debian's RabbitMQ has no delayed-message plugin). Every write is
/// one conditional single-item (or single-statement) update, so none needs a multi-document transaction.
/// </summary>
/// <remarks>
/// The due-work claim (until when one instance holds an item) is stored on the item but is not part of
/// <see cref="ReviewItem"/>: only <see cref="ListDueAsync"/> and <see cref="TryClaimDueAsync"/> read it. A new item is
/// unclaimed.
/// </remarks>
public interface IReviewStore
{
    /// <summary>
    /// Adds an open item; false, writing nothing, when an item with its id already exists (a redelivered text: the id
    /// is derived from its causation id). Ids are unique across accounts.
    /// </summary>
    Task<bool> TryAddAsync(ReviewItem item, CancellationToken cancellationToken = default);

    /// <summary>The account's item with that id, or null (also for another account's item).</summary>
    Task<ReviewItem?> GetAsync(AccountId accountId, Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> of the account's items after <paramref name="after"/> (null: from the start), in
    /// list order (<see cref="ReviewCursor"/>): open items by deadline first, then the others newest received first.
    /// With <paramref name="state"/>, only items in that state. The next page starts after
    /// <see cref="ReviewCursor.After"/> of the last item; a page shorter than the limit is the last.
    /// </summary>
    Task<IReadOnlyList<ReviewItem>> ListAsync(
        AccountId accountId, ReviewState? state, ReviewCursor? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many of the account's items are in each state (every state present, 0 when none).</summary>
    Task<IReadOnlyDictionary<ReviewState, long>> CountsAsync(AccountId accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes an open item as <paramref name="resolution"/> (any state but <see cref="ReviewState.Open"/>), recording
    /// who, when and the note. Only an open item changes: false, writing nothing, when it was resolved already (by an
    /// administrator, the deadline, or a later revocation) or does not exist in the account. A closed item never
    /// goes back.
    /// </summary>
    Task<bool> TryResolveAsync(AccountId accountId, Guid id, ReviewState resolution, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// A later keyword or detected revocation from <paramref name="phone"/> (E.164) closes every open item of that
    /// number in the account as <see cref="ReviewState.ClosedByRevocation"/>; answers how many it closed.
    /// </summary>
    Task<int> CloseOpenForNumberAsync(AccountId accountId, string phone, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> open items of every account whose deadline passed at <paramref name="now"/>
    /// (deadline &lt;= now) and whose claim, if any, ran out (claimed until &lt;= now), oldest deadline first: the
    /// auto opt-out's due work (the one read across accounts). Listing claims nothing: take each with
    /// <see cref="TryClaimDueAsync"/>.
    /// </summary>
    Task<IReadOnlyList<ReviewItem>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims a due item until <paramref name="claimedUntil"/> (its lease: if the claimer dies, another instance takes
    /// it then) when it is still open, due and unclaimed at <paramref name="now"/>. One conditional update, so of
    /// concurrent claimers on any number of instances exactly one wins; false for the others.
    /// </summary>
    Task<bool> TryClaimDueAsync(AccountId accountId, Guid id, DateTimeOffset claimedUntil, DateTimeOffset now,
        CancellationToken cancellationToken = default);
}
