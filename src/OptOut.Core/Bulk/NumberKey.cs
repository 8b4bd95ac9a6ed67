using System.Globalization;

namespace OptOut.Core.Bulk;

/// <summary>
/// One number of an upload in 8 bytes, so that a million-row upload's numbers take 8 MB: the E.164 digits (at most
/// 15, below bit 50) and <see cref="FlaggedBit"/> when the number is possible but not valid. Sorted by
/// <see cref="Packed"/>, keys put the valid numbers first, in phone order, then the flagged ones in phone order.
/// </summary>
public readonly struct NumberKey(ulong packed)
{
    /// <summary>Set in a key whose number is possible but not valid (flagged); below it, the E.164 digits.</summary>
    public const long FlaggedBit = 1L << 60;

    private const ulong DigitsMask = FlaggedBit - 1;

    private readonly ulong _packed = packed;

    /// <summary>The digits and the flag as one value: what sorting and storing in 8 bytes use.</summary>
    public ulong Packed => _packed;

    /// <summary>The number's E.164 digits, without the <c>+</c>.</summary>
    public ulong Digits => _packed & DigitsMask;

    /// <summary>Possible but not a valid number: opted out anyway, and flagged in the report.</summary>
    public bool IsFlagged => (_packed & FlaggedBit) != 0;

    /// <summary>The phone number the key stands for.</summary>
    public PhoneNumber ToPhone() => PhoneNumber.FromStored(string.Create(CultureInfo.InvariantCulture, $"+{Digits}"), !IsFlagged);
}
