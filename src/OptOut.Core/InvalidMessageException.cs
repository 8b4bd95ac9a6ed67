namespace OptOut.Core;

/// <summary>
/// A message that can never succeed (bad input). Consumer definitions exclude it from retry, so the message goes
/// to the error queue at once with this exception's message as the fault reason, and the queue moves on.
/// </summary>
public sealed class InvalidMessageException : Exception
{
    public InvalidMessageException(IReadOnlyList<string> reasons)
        : base("Rejected: " + string.Join("; ", reasons)) => Reasons = reasons;

    public InvalidMessageException(string reason)
        : this([reason])
    {
    }

    public IReadOnlyList<string> Reasons { get; }
}
