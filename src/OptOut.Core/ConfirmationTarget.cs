using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>
/// Where and what to send as a reply to a contact: the confirmation of an opt-out or opt-in, or the help message. A
/// confirmation is kept with its change's <see cref="Outbox.PendingEvents"/>, so a re-send after a crash sends the same text.
/// </summary>
public sealed record ConfirmationTarget(string? From, string Body, ConfirmationKind Kind = ConfirmationKind.OptOut, string Language = "en");
