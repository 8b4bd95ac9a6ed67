using OptOut.Contracts;

namespace OptOut.Core;

/// <summary>An inbound text, mapped from <see cref="InboundMessage"/> at the boundary.</summary>
public sealed record InboundText
{
    /// <summary>A body this long can't be an SMS (10 concatenated segments are ~1,600 characters; MMS text ~5,000).</summary>
    public const int MaxBodyLength = 5_000;

    public required Guid AccountId { get; init; }

    public required string? From { get; init; }

    public string? To { get; init; }

    public required string? Body { get; init; }

    /// <summary>Event time: the gateway's receivedAt, or the bus send time when the producer left it out.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Identifies the text: the gateway's message id when given, else the bus message id.</summary>
    public required string CausationId { get; init; }

    public string? ConversationId { get; init; }

    public string? CampaignId { get; init; }
}

/// <summary>
/// What an inbound text did. <see cref="Contact"/> is the sender normalized, for a keyword text only: the sender of
/// any other text is checked (an unusable number is still rejected) but not normalized.
/// </summary>
public sealed record KeywordOutcome(ResolvedSettings Settings, PhoneNumber? Contact, string? Keyword, OptChange? Change, OptDecision? Decision)
{
    public static KeywordOutcome NotAKeyword(ResolvedSettings settings) => new(settings, null, null, null, null);
}

/// <summary>
/// Keyword auto opt-out (DESIGN.md §2): when the account has it on and the whole text is a keyword, the sender is
/// opted out with source Keyword.
/// </summary>
public sealed class KeywordOptOutHandler(SettingsCache settingsCache, OptOutService optOuts)
{
    public async Task<KeywordOutcome> HandleAsync(InboundText text, CancellationToken cancellationToken = default)
    {
        List<string>? errors = null;
        if (text.AccountId == Guid.Empty)
            (errors ??= []).Add("accountId is required");
        if (text.Body is null)
            (errors ??= []).Add("body is required");
        else if (text.Body.Length == 0)
            (errors ??= []).Add("body is empty: a text without words (a picture-only MMS) can never be a keyword, so nothing is decided on it");
        else if (text.Body.Length > InboundText.MaxBodyLength)
            (errors ??= []).Add($"body is {text.Body.Length} characters; an SMS/MMS text is at most {InboundText.MaxBodyLength}");
        if (string.IsNullOrWhiteSpace(text.From))
            (errors ??= []).Add("from (the contact's number) is required");
        if (errors is not null)
            throw new InvalidMessageException(errors);

        var settings = await settingsCache.GetAsync(text.AccountId, cancellationToken).ConfigureAwait(false);
        var keyword = settings.Settings.AutoOptOutEnabled ? settings.Keywords.Match(text.Body) : null;
        if (keyword is null)
        {
            // Nine texts in ten: the sender must still be a usable number (bad input is rejected whatever the text
            // says), but only a keyword's sender is normalized and stored.
            if (PhoneNumberParser.Check(text.From, settings.Settings.DefaultCountryCode) is { } error)
                throw UnusableSender(text.From!, error);
            return KeywordOutcome.NotAKeyword(settings);
        }

        var parsed = PhoneNumberParser.Parse(text.From, settings.Settings.DefaultCountryCode);
        if (parsed.Number is null)
            throw UnusableSender(text.From!, parsed.Error!);

        var change = new OptChange
        {
            AccountId = text.AccountId,
            Phone = parsed.Number,
            State = OptState.OptedOut,
            Source = OptOutSource.Keyword,
            At = text.ReceivedAt,
            CausationId = text.CausationId,
            Actor = "contact",
            Note = text.To is null
                ? $"Contact texted \"{keyword}\""
                : $"Contact texted \"{keyword}\" to {text.To}",
            ConversationId = text.ConversationId,
            CampaignId = text.CampaignId,
        };
        var decision = await optOuts.ApplyAsync(change, cancellationToken).ConfigureAwait(false);
        return new KeywordOutcome(settings, parsed.Number, keyword, change, decision);
    }

    // The reason ends up in logs and fault headers: never the whole number (DESIGN.md privacy).
    private static InvalidMessageException UnusableSender(string from, string error)
    {
        var typed = from.Trim();
        return new InvalidMessageException($"from: {error.Replace(typed, PhoneMask.Mask(typed), StringComparison.Ordinal)}");
    }
}
