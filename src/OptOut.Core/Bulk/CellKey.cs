using System.Globalization;

namespace OptOut.Core.Bulk;

/// <summary>
/// What parsing one cell of an upload's phone column gives, in 8 bytes: the number's <see cref="NumberKey"/>, or
/// <see cref="Rejected"/>. <see cref="Parse"/> returns it packed in a <c>long</c>, so that a parser copy in another
/// load context (<see cref="IParsingThreads"/>) can be called through a delegate of primitive types only.
/// </summary>
public readonly struct CellKey(long packed)
{
    /// <summary>The packed key of a cell that is not a number.</summary>
    public const long Rejected = -1;

    private readonly long _packed = packed;

    public bool IsRejected => _packed == Rejected;

    /// <summary>The cell's number; only when not <see cref="IsRejected"/>.</summary>
    public NumberKey Number => new((ulong)_packed);

    /// <summary>
    /// The cell's packed key: its number's <see cref="NumberKey"/>, or <see cref="Rejected"/> and the reason
    /// (<see cref="PhoneNumberParser.Parse"/>'s) when it is not a number. Every parser copy runs this method.
    /// </summary>
    public static long Parse(string? input, int defaultCallingCode, out string? error)
    {
        var parsed = PhoneNumberParser.Parse(input, defaultCallingCode);
        error = parsed.Error;
        return parsed.Number is { } phone ? (long)Key(phone) | (phone.IsValid ? 0 : NumberKey.FlaggedBit) : Rejected;
    }

    /// <summary>E.164 digits fit in 15 decimal digits: a ulong key keeps a million-number duplicate set small.</summary>
    private static ulong Key(PhoneNumber phone) => ulong.Parse(phone.E164.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
}
