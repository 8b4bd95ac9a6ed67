using System.Globalization;

namespace OptOut.Core;

/// <summary>
/// The one layout and paging of <see cref="IBulkChangeLog"/>, shared by every store: a recorded stretch is kept in parts
/// of at most <see cref="PhonesPerPart"/> numbers, the part with the stretch's numbers i… at position + i; a page walks
/// the parts in position order. A cursor is <c>"position:skip"</c>: the part the next page starts in, and how many of
/// its numbers the pages before took.
/// </summary>
public static class ChangeLogPages
{
    /// <summary>How many numbers one part lists at most (one page of a dispatch).</summary>
    public const int PhonesPerPart = 1_000;

    /// <summary>
    /// Where a list converted from a store's earlier layout starts (-2^62): before every stretch an upload records
    /// (their positions are 0 or more), so a listing from the start begins with it.
    /// </summary>
    public const long ConvertedPosition = -(1L << 62);

    /// <summary>Checks the arguments of <see cref="IBulkChangeLog.RecordChangesAsync"/>.</summary>
    public static void CheckRecord(string causationId, long position, IReadOnlyList<string> phones)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentNullException.ThrowIfNull(phones);
    }

    /// <summary>The parts a stretch is kept in (none for a stretch that changed nothing).</summary>
    public static IEnumerable<ChangeLogPart> Split(long position, IReadOnlyList<string> phones)
    {
        for (var i = 0; i < phones.Count; i += PhonesPerPart)
        {
            var part = new string[Math.Min(PhonesPerPart, phones.Count - i)];
            for (var j = 0; j < part.Length; j++)
                part[j] = phones[i + j];
            yield return new ChangeLogPart(position + i, part);
        }
    }

    /// <summary>
    /// Where a page starts: checks the arguments of <see cref="IBulkChangeLog.ListChangesAsync"/> and reads the cursor. The store
    /// reads <see cref="Start.Parts"/> parts from position <see cref="Start.From"/> on, in position order, and hands
    /// them to <see cref="Page"/>.
    /// </summary>
    public static Start StartOf(string causationId, string? after, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(causationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // Enough parts for the page, and one more to tell whether a page follows it.
        var parts = (limit / PhonesPerPart) + 2;
        if (after is null)
            return new Start(long.MinValue, 0, limit, parts);
        var colon = after.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(after.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
                      && int.TryParse(after.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
            return new Start(from, skip, limit, parts);
        throw new ArgumentException($"'{after}' is not a cursor of a bulk change log", nameof(after));
    }

    /// <summary>
    /// The page: up to the limit of numbers from the parts read (those from <see cref="Start.From"/> on, in position
    /// order, at most <see cref="Start.Parts"/> of them), skipping what the page before took.
    /// </summary>
    public static ChangedNumbers Page(Start start, IEnumerable<ChangeLogPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var phones = new List<string>(Math.Min(start.Limit, PhonesPerPart));
        var read = 0;
        var position = start.From;
        foreach (var part in parts)
        {
            read++;
            position = part.Position;
            var first = position == start.From ? Math.Min(start.Skip, part.Phones.Count) : 0;
            if (phones.Count == start.Limit && first < part.Phones.Count)
                return new ChangedNumbers(phones, Cursor(position, first));

            var take = Math.Min(part.Phones.Count - first, start.Limit - phones.Count);
            for (var i = first; i < first + take; i++)
                phones.Add(part.Phones[i]);
            if (first + take < part.Phones.Count)
                return new ChangedNumbers(phones, Cursor(position, first + take));
        }

        // Every part read was used up: if there may be more, the next page starts after the last of them.
        return new ChangedNumbers(phones, read == start.Parts ? Cursor(position + 1, 0) : null);
    }

    private static string Cursor(long position, int skip) => string.Create(CultureInfo.InvariantCulture, $"{position}:{skip}");

    /// <summary>Where a page starts: from which position, skipping how many numbers of that part, and how many parts to read.</summary>
    public readonly record struct Start(long From, int Skip, int Limit, int Parts);
}

/// <summary>One part of a recorded stretch: the numbers at <paramref name="Position"/> and after, in recorded order.</summary>
public readonly record struct ChangeLogPart(long Position, IReadOnlyList<string> Phones);
