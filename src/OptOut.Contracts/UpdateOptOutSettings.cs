namespace OptOut.Contracts;

/// <summary>
/// Replace an account's opt-out settings.
/// <para>Sent by: the admin panel. Consumed by: the opt-out service, which publishes <see cref="OptOutSettingsChanged"/>
/// or, when any field is invalid, <see cref="OptOutSettingsRejected"/> with every reason and changes nothing.</para>
/// </summary>
public sealed record UpdateOptOutSettings
{
    /// <summary>The account. Required.</summary>
    public Guid AccountId { get; init; }

    /// <summary>Optional: the caller's id, echoed in the answer.</summary>
    public Guid? RequestId { get; init; }

    /// <summary>Country calling code applied to numbers typed without one, such as <c>1</c> or <c>44</c> (a leading <c>+</c> is accepted).</summary>
    public string? DefaultCountryCode { get; init; }

    /// <summary>
    /// Whether a keyword text opts the sender out automatically. Required: an update without it is rejected, never
    /// read as false (a producer that forgot the field would otherwise turn keyword opt-out off).
    /// </summary>
    public bool? AutoOptOutEnabled { get; init; }

    /// <summary>The confirmation text sent after a conversation opt-out: 1–320 characters.</summary>
    public string? OptOutMessage { get; init; }

    /// <summary>Optional: the full keyword list; null keeps the current list. Must contain STOP.</summary>
    public IReadOnlyList<string>? Keywords { get; init; }

    /// <summary>The user who changed the settings.</summary>
    public string? RequestedBy { get; init; }
}
