namespace OptOut.Core.Bulk;

/// <summary>
/// What the scan keeps of one row of an upload, in 8 bytes: the row was rejected, it repeats a number of an earlier
/// row (<see cref="DuplicateOf"/>), or it is a number's first row, holding the number's place in the upload's sorted
/// distinct numbers (<see cref="FirstRowAt"/>), where the apply stage leaves its outcome.
/// </summary>
public readonly struct RowKey
{
    private const long RejectedValue = -1;

    /// <summary>Above <see cref="NumberKey.FlaggedBit"/>: a repeat keeps its number's digits and flag below it.</summary>
    private const long DuplicateBit = 1L << 61;

    private readonly long _packed;

    private RowKey(long packed) => _packed = packed;

    public static RowKey Rejected => new(RejectedValue);

    public static RowKey DuplicateOf(NumberKey number) => new((long)number.Packed | DuplicateBit);

    public static RowKey FirstRowAt(int place) => new(place);

    public bool IsRejected => _packed == RejectedValue;

    /// <summary>A repeat of an earlier row's number (a rejected row, all bits set, is not one).</summary>
    public bool IsDuplicate => (_packed & (DuplicateBit | long.MinValue)) == DuplicateBit;

    /// <summary>A number's first row.</summary>
    public bool IsFirstRow => _packed >= 0 && (_packed & DuplicateBit) == 0;

    /// <summary>The number a <see cref="IsDuplicate"/> row repeats.</summary>
    public NumberKey DuplicateNumber => new((ulong)(_packed & ~DuplicateBit));

    /// <summary>The place of a first row's number in the sorted distinct numbers.</summary>
    public int Place => (int)_packed;
}
