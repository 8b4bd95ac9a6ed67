namespace OptOut.Core.Compliance;

/// <summary>A time zone id <see cref="AccountTimeZone"/> can't resolve; the message gives the id and why.</summary>
public sealed class UnknownTimeZoneException : ArgumentException
{
    public UnknownTimeZoneException(string? timeZoneId, string reason)
        : base(reason, "timeZone") => TimeZoneId = timeZoneId;

    /// <summary>The id as given (null when none was).</summary>
    public string? TimeZoneId { get; }
}
