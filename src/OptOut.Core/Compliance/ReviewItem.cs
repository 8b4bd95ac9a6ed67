using OptOut.Contracts;

namespace OptOut.Core.Compliance;

/// <summary>
/// A possible revocation on an account's review list (today published as <see cref="OptOutReviewRequested"/>): the
/// contact's text, how the detector read it, and the business-day <see cref="Deadline"/> by which it must be decided
/// (<see cref="BusinessCalendar"/>). Stored by <see cref="IReviewStore"/>; the due-work claim is kept beside it in the
/// store and is not part of the item (only the store's due list and claim need it).
/// </summary>
/// <param name="AccountId">The account whose list it is on.</param>
/// <param name="Id">
/// Derived by the caller from the text's causation id (a name-based GUID), so a redelivered text adds no second item
/// (<see cref="IReviewStore.TryAddAsync"/>). Unique across accounts.
/// </param>
/// <param name="Phone">The contact's number, E.164.</param>
/// <param name="Text">What the contact wrote.</param>
/// <param name="Reason">The detector's reason for asking a person.</param>
/// <param name="Score">The detector's score, 0–1.</param>
/// <param name="Detection">How the text was read, kept as evidence.</param>
/// <param name="ReceivedAt">When the text was received (UTC).</param>
/// <param name="Deadline">The instant the item becomes due (UTC): open at or after it, it is opted out automatically.</param>
/// <param name="State">Where it stands; only <see cref="ReviewState.Open"/> ever changes.</param>
/// <param name="ResolvedBy">Who closed it (an administrator, or the service); null while open.</param>
/// <param name="ResolvedAt">When it was closed; null while open.</param>
/// <param name="Note">The resolver's note.</param>
/// <param name="ConversationId">The conversation of the text, when the producer sent one.</param>
/// <param name="CampaignId">The campaign of the text, when the producer sent one.</param>
/// <param name="ProviderMessageId">The SMS provider's id of the text.</param>
/// <param name="To">Our number the text was sent to, E.164: an opt-out's confirmation is sent from it.</param>
public sealed record ReviewItem(
    AccountId AccountId,
    Guid Id,
    string Phone,
    string Text,
    string? Reason,
    double Score,
    OptOutDetection? Detection,
    DateTimeOffset ReceivedAt,
    DateTimeOffset Deadline,
    ReviewState State = ReviewState.Open,
    string? ResolvedBy = null,
    DateTimeOffset? ResolvedAt = null,
    string? Note = null,
    string? ConversationId = null,
    string? CampaignId = null,
    string? ProviderMessageId = null,
    string? To = null);
