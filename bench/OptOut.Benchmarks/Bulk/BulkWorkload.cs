using System.Globalization;
using System.Text;

namespace OptOut.Benchmarks.Bulk;

/// <summary>What a generated row is meant to be (the parse-only pass checks libphonenumber agrees).</summary>
internal enum RowKind
{
    /// <summary>A number not seen earlier in the file.</summary>
    New,

    /// <summary>A number seen earlier in the file, written in another format.</summary>
    Duplicate,

    /// <summary>Not a usable number: too short, letters, local-only 7 digits, empty.</summary>
    Invalid,
}

/// <summary>One generated row: what it is, the unique number it carries (for New and Duplicate), its phone cell and its CSV line.</summary>
internal readonly record struct BulkRow(RowKind Kind, long Unique, string Cell, string Line);

/// <summary>
/// The rows of a realistic upload, generated deterministically from a seed, so the CSV can be streamed to a file and
/// generated again in lock step to check what the service reports, without holding either in memory:
/// <list type="bullet">
/// <item>about 85% distinct valid US numbers (real area codes, exchanges 200-999) in mixed formats, some quoted;</item>
/// <item>about 5% repeats of an earlier number in another format;</item>
/// <item>about 10% invalid cells (too short, letters, local-only 7 digits, empty);</item>
/// <item>a name and an e-mail column around the phone column, names with commas quoted, CRLF line ends.</item>
/// </list>
/// About 20% of the rows carry a number that is already opted out before the upload (<see cref="IsPreOptedOut"/>);
/// the benchmark seeds those through the store.
/// </summary>
/// <remarks>
/// Distinct numbers come from a bijection of the unique index over the whole number space (multiply by a constant
/// coprime with its size), so they are scattered over the key space the way a real list is, and the index of any
/// number seen on the bus is recovered exactly (<see cref="UniqueOf"/>): the observer counts events in a bit array
/// instead of a set of strings.
/// </remarks>
internal sealed class BulkWorkload
{
    public const string Header = "Name,Phone,Email";

    private const double InvalidShare = 0.10;
    private const double DuplicateShare = 0.05;

    /// <summary>20% of all rows: 0.20 / 0.85 of the distinct numbers, in ten-thousandths.</summary>
    private const int PreOptedOutPer10K = 2_353;

    private const long PerAreaCode = 800 * 10_000; // exchanges 200-999, lines 0000-9999
    private const long Multiplier = 1_000_003; // prime, does not divide the space size
    private const long Offset = 7_777_777;

    private static readonly int[] AreaCodes =
        [201, 202, 203, 205, 206, 212, 213, 214, 215, 216, 303, 305, 312, 313, 404, 415, 503, 602, 617, 646, 702, 713, 718, 773, 818, 917, 972];

    private static readonly long Space = AreaCodes.Length * PerAreaCode;

    private static readonly string[] FirstNames =
        ["Ann", "Bob", "Carmen", "Dev", "Eve", "Farid", "Grace", "Hiro", "Ines", "José", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya"];

    private static readonly string[] LastNames =
        ["Smith", "Garcia", "Nguyen", "Okafor", "Müller", "Kowalski", "Haddad", "Tanaka", "O'Brien", "Johnson", "Silva", "Cohen"];

    private static readonly string[] Words = ["n/a", "unknown", "call me", "none", "555-CALL", "tbd", "-", "no phone"];

    private readonly long _inverse = ModularInverse(Multiplier, Space);

    public BulkWorkload(int rows, int seed)
    {
        Rows = rows;
        Seed = seed;
    }

    public int Rows { get; }

    public int Seed { get; }

    /// <summary>The E.164 number of a distinct number's index.</summary>
    public static string E164(long unique)
    {
        var (area, exchange, line) = Split(unique);
        return string.Create(CultureInfo.InvariantCulture, $"+1{area}{exchange}{line:D4}");
    }

    /// <summary>Whether a distinct number is opted out before the upload (about 20% of the rows).</summary>
    public static bool IsPreOptedOut(long unique) => (ulong)(unique * 2_654_435_761L) % 10_007 % 10_000 < PreOptedOutPer10K;

    /// <summary>The index of a distinct number from its E.164 form, or -1 when it is not one of this workload's numbers.</summary>
    public long UniqueOf(string e164)
    {
        if (e164.Length != 12 || !e164.StartsWith("+1", StringComparison.Ordinal)
            || !int.TryParse(e164.AsSpan(2, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var area)
            || !long.TryParse(e164.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var local))
            return -1;
        var a = Array.IndexOf(AreaCodes, area);
        var exchange = local / 10_000;
        if (a < 0 || exchange < 200)
            return -1;
        var n = a * PerAreaCode + (exchange - 200) * 10_000 + local % 10_000;
        return (long)((UInt128)(ulong)((n - Offset % Space + Space) % Space) * (ulong)_inverse % (ulong)Space);
    }

    /// <summary>The rows, in file order; the same sequence every time.</summary>
    public IEnumerable<BulkRow> Generate()
    {
        var random = new Random(Seed);
        long unique = 0;
        var line = new StringBuilder(128);
        for (var row = 1; row <= Rows; row++)
        {
            var roll = random.NextDouble();
            RowKind kind;
            long number = -1;
            string cell;
            if (roll < InvalidShare)
            {
                kind = RowKind.Invalid;
                cell = Invalid(random);
            }
            else if (roll < InvalidShare + DuplicateShare && unique > 0)
            {
                kind = RowKind.Duplicate;
                number = random.NextInt64(unique);
                cell = Format(number, random);
            }
            else
            {
                kind = RowKind.New;
                number = unique++;
                cell = Format(number, random);
            }

            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            line.Clear();
            // Some exports write "Last, First", which needs quotes; some phone cells are quoted for no reason at all.
            if (random.Next(20) == 0)
                line.Append('"').Append(last).Append(", ").Append(first).Append('"');
            else
                line.Append(first).Append(' ').Append(last);
            line.Append(',');
            if (random.Next(7) == 0)
                line.Append('"').Append(cell).Append('"');
            else
                line.Append(cell);
            line.Append(',');
            if (random.Next(10) != 0)
                line.Append(first.ToLowerInvariant()).Append('.').Append(last.ToLowerInvariant().Replace("'", "", StringComparison.Ordinal))
                    .Append(row.ToString(CultureInfo.InvariantCulture)).Append("@example.com");
            yield return new BulkRow(kind, number, cell, line.ToString());
        }
    }

    /// <summary>Streams the CSV to <paramref name="path"/> (CRLF, UTF-8 without BOM) and returns what it holds.</summary>
    public WorkloadCounts WriteCsv(string path)
    {
        var counts = new WorkloadCounts();
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16) { NewLine = "\r\n" };
        writer.WriteLine(Header);
        foreach (var row in Generate())
        {
            writer.WriteLine(row.Line);
            counts.Add(row);
        }

        return counts;
    }

    private static (int Area, long Exchange, long Line) Split(long unique)
    {
        var n = (long)((UInt128)(ulong)unique * Multiplier % (ulong)Space + Offset) % Space;
        return (AreaCodes[n / PerAreaCode], 200 + n % PerAreaCode / 10_000, n % 10_000);
    }

    private static string Format(long unique, Random random)
    {
        var (a, e, l) = Split(unique);
        var culture = CultureInfo.InvariantCulture;
        return random.Next(8) switch
        {
            0 => string.Create(culture, $"({a}) {e}-{l:D4}"),
            1 => string.Create(culture, $"{a}.{e}.{l:D4}"),
            2 => string.Create(culture, $"1-{a}-{e}-{l:D4}"),
            3 => string.Create(culture, $"+1 {a} {e} {l:D4}"),
            4 => string.Create(culture, $"{a}{e}{l:D4}"),
            5 => string.Create(culture, $"{a}-{e}-{l:D4}"),
            6 => string.Create(culture, $"+1{a}{e}{l:D4}"),
            _ => string.Create(culture, $" ({a}){e}-{l:D4} "),
        };
    }

    private static string Invalid(Random random)
    {
        var culture = CultureInfo.InvariantCulture;
        return random.Next(6) switch
        {
            // Local only: seven digits without an area code.
            0 => string.Create(culture, $"{random.Next(200, 1000)}-{random.Next(10_000):D4}"),
            // Too short.
            1 => random.Next(10_000, 1_000_000).ToString(culture),
            2 => string.Create(culture, $"{random.Next(200, 1000)}-{random.Next(100):D2}"),
            // Letters: words, and a letter O typed for a zero.
            3 => Words[random.Next(Words.Length)],
            4 => string.Create(culture, $"{random.Next(200, 1000)}-{random.Next(200, 1000)}-O{random.Next(1_000):D3}"),
            _ => "",
        };
    }

    private static long ModularInverse(long value, long modulus)
    {
        long t = 0, next = 1, r = modulus, nextR = value;
        while (nextR != 0)
        {
            var q = r / nextR;
            (t, next) = (next, t - q * next);
            (r, nextR) = (nextR, r - q * nextR);
        }

        if (r != 1)
            throw new InvalidOperationException("the multiplier must be coprime with the number space");
        return t < 0 ? t + modulus : t;
    }
}

/// <summary>What a generated file holds, by construction.</summary>
internal sealed class WorkloadCounts
{
    public long Rows { get; private set; }

    public long Invalid { get; private set; }

    public long Duplicates { get; private set; }

    public long Distinct { get; private set; }

    public long PreOptedOut { get; private set; }

    /// <summary>Distinct numbers not opted out before: the upload's new opt-outs, one ConversationOptStateChanged each.</summary>
    public long NewOptOuts => Distinct - PreOptedOut;

    public void Add(BulkRow row)
    {
        Rows++;
        switch (row.Kind)
        {
            case RowKind.Invalid:
                Invalid++;
                break;
            case RowKind.Duplicate:
                Duplicates++;
                break;
            default:
                Distinct++;
                if (BulkWorkload.IsPreOptedOut(row.Unique))
                    PreOptedOut++;
                break;
        }
    }
}
