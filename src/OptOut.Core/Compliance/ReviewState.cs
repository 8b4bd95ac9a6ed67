namespace OptOut.Core.Compliance;

/// <summary>
/// Where a possible revocation on the review list stands (issue 15). Only <see cref="Open"/> ever changes: every other
/// state is final, so a late resolve, a second instance's auto opt-out or a later STOP can never undo a decision.
/// </summary>
public enum ReviewState
{
    /// <summary>Waiting for an administrator, until its deadline.</summary>
    Open,

    /// <summary>An administrator read it as a revocation: the number was opted out.</summary>
    OptedOut,

    /// <summary>An administrator read it as not a revocation: the number stays as it was.</summary>
    NotARevocation,

    /// <summary>Still open at its deadline: opted out automatically (compliance first, FCC 24-24).</summary>
    AutoOptedOut,

    /// <summary>A later keyword or detected revocation from the same number opted it out, which closed the item.</summary>
    ClosedByRevocation,
}
