using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace OptOut.Core.Bulk;

/// <summary>
/// Parses one cell of an upload's phone column into its scan key (<see cref="CellParser.Parse"/>); a rejected cell
/// gives <see cref="CellParser.Rejected"/> and the reason.
/// </summary>
/// <remarks>Primitive types only, so that a copy of the parser in another load context can be called through it.</remarks>
internal delegate long CellParse(string? input, int defaultCallingCode, out string? error);

/// <summary>
/// The parsers of an upload's parsing threads (<see cref="BulkUploadOptions.ParseThreads"/>): the first thread uses
/// <see cref="PhoneNumberParser"/> as everything else does, every other thread a copy of its own, loaded in its own
/// <see cref="AssemblyLoadContext"/> with its own libphonenumber.
/// </summary>
/// <remarks>
/// libphonenumber keeps its compiled regular expressions in statics, and .NET's <c>Regex</c> caches one scratch runner
/// per instance: two threads parsing with one libphonenumber mostly build runners (measured on a 2-core machine:
/// 1,000,000 cells took 1.9–2.0 s on one thread and 3.3–3.5 s on two). Each copy has its own statics, so the threads
/// share nothing and two take 1.1–1.3 s. A copy is the same code from the same files, loaded once per thread index
/// for the life of the process (about 5 MB each); its results are the same values (specs compare them).
/// Where the assemblies have no file to load a copy from (a single-file publish), every thread uses the shared parser:
/// correct, only slower.
/// </remarks>
internal static class CellParser
{
    /// <summary>The key of a cell that is not a number.</summary>
    public const long Rejected = -1;

    /// <summary>Set in a key whose number is possible but not valid (flagged); below it, the E.164 digits.</summary>
    public const long FlaggedBit = 1L << 60;

    private static readonly ConcurrentDictionary<int, Lazy<CellParse>> Copies = new();

    /// <summary>The parser thread <paramref name="worker"/> (0, 1, …) uses.</summary>
    public static CellParse For(int worker)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(worker);
        return worker == 0 ? Parse : Copies.GetOrAdd(worker, static w => new Lazy<CellParse>(() => LoadCopy(w))).Value;
    }

    /// <summary>
    /// The cell's key: its number's E.164 digits, with <see cref="FlaggedBit"/> when the number is possible but not
    /// valid; <see cref="Rejected"/> and the reason (<see cref="PhoneNumberParser.Parse"/>'s) when it is not a number.
    /// </summary>
    public static long Parse(string? input, int defaultCallingCode, out string? error)
    {
        var parsed = PhoneNumberParser.Parse(input, defaultCallingCode);
        error = parsed.Error;
        return parsed.Number is { } phone ? (long)Key(phone) | (phone.IsValid ? 0 : FlaggedBit) : Rejected;
    }

    /// <summary>E.164 digits fit in 15 decimal digits: a ulong key keeps a million-number duplicate set small.</summary>
    private static ulong Key(PhoneNumber phone) => ulong.Parse(phone.E164.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="parse"/> runs in a copy of its own (false: the shared parser).</summary>
    public static bool IsCopy(CellParse parse) => AssemblyLoadContext.GetLoadContext(parse.Method.Module.Assembly) is Copy;

    private static CellParse LoadCopy(int worker)
    {
        var core = typeof(CellParser).Assembly;
        var libphonenumber = typeof(PhoneNumbers.PhoneNumberUtil).Assembly;
        if (string.IsNullOrEmpty(core.Location) || string.IsNullOrEmpty(libphonenumber.Location))
            return Parse;

        var copy = new Copy($"libphonenumber {worker}", [core, libphonenumber]).LoadFromAssemblyName(core.GetName());
        var method = copy.GetType(typeof(CellParser).FullName!, throwOnError: true)!.GetMethod(nameof(Parse),
            BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(int), typeof(string).MakeByRefType()])!;
        return method.CreateDelegate<CellParse>();
    }

    /// <summary>A load context with its own copies of the given assemblies; everything else comes from the default context.</summary>
    private sealed class Copy(string name, Assembly[] own) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            foreach (var assembly in own)
            {
                if (AssemblyName.ReferenceMatchesDefinition(assemblyName, assembly.GetName()))
                    return LoadFromAssemblyPath(assembly.Location);
            }

            return null;
        }
    }
}
