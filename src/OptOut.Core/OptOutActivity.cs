using System.Diagnostics;

namespace OptOut.Core;

/// <summary>
/// The trace spans of the rules: one per change applied to the store (<c>optout.apply</c>), a child of the consume
/// span of the message that caused it. Tags never carry a whole phone number.
/// </summary>
public static class OptOutActivity
{
    public const string SourceName = "OptOut.Core";

    public static readonly ActivitySource Source = new(SourceName);
}
