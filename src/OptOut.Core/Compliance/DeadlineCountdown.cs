namespace OptOut.Core.Compliance;

/// <summary>What the review panel shows beside an open item: the time left before its deadline passes.</summary>
/// <param name="TimeLeft">Deadline minus now; zero or negative once it has passed (by how much it is overdue).</param>
/// <param name="BusinessDaysLeft">
/// Whole business days after today (local) before the deadline: at receipt it is the deadline's N, on the last
/// business day 0 (only <see cref="TimeLeft"/> is left), and 0 once overdue.
/// </param>
public readonly record struct DeadlineCountdown(TimeSpan TimeLeft, int BusinessDaysLeft)
{
    /// <summary>The deadline has passed: the item is due for its automatic opt-out.</summary>
    public bool IsOverdue => TimeLeft <= TimeSpan.Zero;
}
