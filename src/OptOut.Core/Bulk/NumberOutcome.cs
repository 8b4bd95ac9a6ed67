namespace OptOut.Core.Bulk;

/// <summary>What applying an upload did to one of its distinct numbers: one byte per number, kept for the report.</summary>
public enum NumberOutcome : byte
{
    /// <summary>Not applied yet.</summary>
    None = 0,

    /// <summary>The upload opted the number out (or, resumed, found its own opt-out in the number's history).</summary>
    OptedOut = 1,

    /// <summary>The number was already opted out.</summary>
    AlreadyOptedOut = 2,

    /// <summary>A newer opt-in keeps the number opted in.</summary>
    Superseded = 3,
}
