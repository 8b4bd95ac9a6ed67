using System.Reflection;
using OptOut.Core;

namespace OptOut.Storage.Tests;

/// <summary>
/// Builds <see cref="PhoneNumber"/> values for the store suite. Only Core's parser may build one (its constructor
/// is internal); the stores never parse, they key on the E.164 string, so the suite uses the constructor directly
/// rather than depend on libphonenumber's rules, which Core's own tests cover.
/// </summary>
internal static class TestPhones
{
    private static readonly ConstructorInfo Constructor = typeof(PhoneNumber).GetConstructor(
        BindingFlags.Instance | BindingFlags.NonPublic, [typeof(string), typeof(bool)])
        ?? throw new InvalidOperationException("PhoneNumber(string e164, bool isValid) not found.");

    public static PhoneNumber Of(string e164, bool isValid = true) => (PhoneNumber)Constructor.Invoke([e164, isValid]);

    /// <summary>A distinct US number per index, in the fictional 555-01xx range.</summary>
    public static PhoneNumber Us(int index) => Of($"+1555201{index:D4}");
}
