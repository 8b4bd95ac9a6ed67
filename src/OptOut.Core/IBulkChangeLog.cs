using OptOut.Contracts;
namespace OptOut.Core;

/// <summary>
/// The numbers each bulk upload changed, for dispatching its events and for undo: a list per upload (its causation
/// id) in the upload's own order. An explicit list, not an index of every history entry's causation id: an index is one
/// more B-tree insert in every write (keyword STOPs included), and it was 16% of a million-number upload's writes
/// (SQLite).
/// </summary>
/// <remarks>
/// One order for every store: the numbers of each recorded stretch in the order they were recorded, stretches in the
/// order of their positions. <see cref="ChangeLogPages"/> does the paging, so every store keeps its numbers in parts
/// of <see cref="ChangeLogPages.PhonesPerPart"/> by position and pages them alike.
/// </remarks>
public interface IBulkChangeLog
{
    /// <summary>
    /// Records <paramref name="phones"/> as the numbers one stretch of the upload changed, the stretch that starts at
    /// <paramref name="position"/> (the place of its first number in the upload, 0 or more). Recording a stretch replaces
    /// what was recorded for it and for every stretch after it: a resumed upload redoes everything after its
    /// checkpoint. Idempotent: recording the same stretch again leaves the same list.
    /// </summary>
    Task RecordChangesAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> of the numbers recorded for <paramref name="causationId"/>, in recorded order,
    /// starting after <paramref name="after"/> (null: from the start; else the <see cref="ChangedNumbers.Next"/> of the
    /// page before). A cursor from anywhere else is an <see cref="ArgumentException"/>.
    /// </summary>
    Task<ChangedNumbers> ListChangesAsync(AccountId accountId, string causationId, string? after, int limit,
        CancellationToken cancellationToken = default);
}

/// <summary>
/// A page of <see cref="IBulkChangeLog.ListChangesAsync"/>: E.164 numbers, and the cursor of the page after it (null: this is
/// the last page). A page may hold fewer numbers than asked for and still have a cursor (the list's parts ran out before
/// the store could tell there were no more), and the page after it may then be empty. The cursor is opaque to callers;
/// they store it (an upload's dispatch checkpoint) and pass it back.
/// </summary>
public sealed record ChangedNumbers(IReadOnlyList<string> Phones, string? Next);
