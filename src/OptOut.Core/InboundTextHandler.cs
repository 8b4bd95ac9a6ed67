using OptOut.Contracts;
using OptOut.Core.Intent;
using OptOut.Core.Outbox;

namespace OptOut.Core;

/// <summary>An inbound text, mapped from <see cref="InboundMessage"/> at the boundary.</summary>
public sealed record InboundText
{
    /// <summary>A body this long can't be an SMS (10 concatenated segments are ~1,600 characters; MMS text ~5,000).</summary>
    public const int MaxBodyLength = 5_000;

    public required AccountId AccountId { get; init; }

    public required string? From { get; init; }

    public string? To { get; init; }

    public required string? Body { get; init; }

    /// <summary>Event time: the gateway's receivedAt, or the bus send time when the producer left it out.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Identifies the text: the gateway's message id when given, else the bus message id.</summary>
    public required string CausationId { get; init; }

    public string? ConversationId { get; init; }

    public string? CampaignId { get; init; }

    /// <summary>
    /// Who publishes the events of a change this text makes (the consuming delivery; see <see cref="OptChange.Claim"/>),
    /// made only for a text that asks for a change: nine texts in ten are ordinary replies, and a claim costs a lookup
    /// on the delivery (about 2% of the inbound benchmark's CPU when every text made one).
    /// </summary>
    public Func<PublishClaim>? Claim { get; init; }
}

/// <summary>The reply an inbound text calls for: its kind, language and body (the account's message).</summary>
public sealed record InboundReply(ConfirmationKind Kind, string Language, string Body);

/// <summary>
/// What an inbound text did. <see cref="Contact"/> is the sender normalized, for a text that asks for something (the
/// sender of an ordinary reply is checked, an unusable number still rejected, but not normalized). <see cref="Change"/>
/// and <see cref="Decision"/> are set when the text asked for a change of state; <see cref="Reply"/> when a reply is due
/// (whether it is sent depends on the decision: see <see cref="RepliesNow"/>).
/// </summary>
public sealed record InboundOutcome(ResolvedSettings Settings, TextIntent Intent, PhoneNumber? Contact, OptChange? Change,
    OptDecision? Decision, InboundReply? Reply)
{
    public static InboundOutcome Nothing(ResolvedSettings settings, TextIntent intent) => new(settings, intent, null, null, null, null);

    /// <summary>True when the reply must be published now: a help reply that the rate limit let through, or the confirmation of a change this text made.</summary>
    public bool RepliesNow => Reply is not null && (Change is null || Decision?.Publishes == true);
}

/// <summary>
/// Everything a contact's text can ask for, when the account has automatic opt-out on: an opt-out
/// keyword or a detected revocation opts the sender out (source Keyword); a possible revocation is reported for review;
/// an opt-in keyword resumes a contact who opted themselves out (CTIA: START); a help keyword is answered, at most once
/// per number per <see cref="HelpReplyLimiter.Interval"/>.
/// </summary>
public sealed class InboundTextHandler(SettingsCache settingsCache, OptOutService optOuts, HelpReplyLimiter helpReplies)
{
    /// <summary>How much of the contact's text the note of a detected revocation quotes.</summary>
    public const int QuotedTextLength = 160;

    public async Task<InboundOutcome> HandleAsync(InboundText text, CancellationToken cancellationToken = default)
    {
        Validate(text);

        var settings = await settingsCache.GetAsync(text.AccountId, cancellationToken).ConfigureAwait(false);
        var intent = settings.Settings.AutoOptOutEnabled ? IntentClassifier.Classify(settings, text.Body) : TextIntent.Nothing;
        if (intent.Kind == TextIntentKind.None)
        {
            // Most texts: the sender must still be a usable number (bad input is rejected whatever the text says), but
            // only the sender of a text that asks for something is normalized.
            if (PhoneNumberParser.Check(text.From, settings.Settings.DefaultCountryCode) is { } error)
                throw UnusableSender(text.From!, error);
            return InboundOutcome.Nothing(settings, intent);
        }

        var parsed = PhoneNumberParser.Parse(text.From, settings.Settings.DefaultCountryCode);
        if (parsed.Number is not { } contact)
            throw UnusableSender(text.From!, parsed.Error!);

        var language = settings.Settings.Language(intent.Language);
        switch (intent.Kind)
        {
            case TextIntentKind.PossibleOptOut:
                return new InboundOutcome(settings, intent, contact, null, null, null);

            case TextIntentKind.Help:
                var reply = helpReplies.TryAcquire(text.AccountId, contact.E164, text.CausationId)
                    ? new InboundReply(ConfirmationKind.Help, language.Code, language.HelpMessage)
                    : null;
                return new InboundOutcome(settings, intent, contact, null, null, reply);

            case TextIntentKind.OptIn:
                var optInReply = new InboundReply(ConfirmationKind.OptIn, language.Code, language.OptInMessage);
                var optIn = Change(text, contact, intent, OptState.OptedIn, optInReply) with
                {
                    Guard = settings.Settings.ContactOptInOverridesAdmin ? OptInGuard.OptedOutOnly : OptInGuard.ContactOptOutOnly,
                };
                var optedIn = await optOuts.ApplyAsync(optIn, cancellationToken).ConfigureAwait(false);
                return new InboundOutcome(settings, intent, contact, optIn, optedIn, optInReply);

            default:
                var optOutReply = new InboundReply(ConfirmationKind.OptOut, language.Code, language.OptOutMessage);
                var optOut = Change(text, contact, intent, OptState.OptedOut, optOutReply);
                var optedOut = await optOuts.ApplyAsync(optOut, cancellationToken).ConfigureAwait(false);
                return new InboundOutcome(settings, intent, contact, optOut, optedOut, optOutReply);
        }
    }

    private static void Validate(InboundText text)
    {
        List<string>? errors = null;
        if (text.AccountId.IsEmpty)
            (errors ??= []).Add("accountId is required");
        if (text.Body is null)
            (errors ??= []).Add("body is required");
        else if (text.Body.Length == 0)
            (errors ??= []).Add("body is empty: a text without words (a picture-only MMS) can never ask for anything, so nothing is decided on it");
        else if (text.Body.Length > InboundText.MaxBodyLength)
            (errors ??= []).Add($"body is {text.Body.Length} characters; an SMS/MMS text is at most {InboundText.MaxBodyLength}");
        if (string.IsNullOrWhiteSpace(text.From))
            (errors ??= []).Add("from (the contact's number) is required");
        if (errors is not null)
            throw new InvalidMessageException(errors);
    }

    // The confirmation is sent from the number the contact texted, and kept with the change's pending events.
    private static OptChange Change(InboundText text, PhoneNumber contact, TextIntent intent, OptState state, InboundReply reply) => new()
    {
        AccountId = text.AccountId,
        Phone = contact,
        State = state,
        Source = OptOutSource.Keyword,
        At = text.ReceivedAt,
        CausationId = text.CausationId,
        Actor = "contact",
        Note = Note(text, intent),
        ConversationId = text.ConversationId,
        CampaignId = text.CampaignId,
        Detection = intent.Detection,
        Reply = new ConfirmationTarget(text.To, reply.Body, reply.Kind, reply.Language),
        Claim = text.Claim?.Invoke(),
    };

    // A keyword's note names the keyword (as before); a detected revocation's quotes the contact's words and says why.
    private static string Note(InboundText text, TextIntent intent)
    {
        var to = text.To is null ? "" : $" to {text.To}";
        if (intent.Keyword is { } keyword)
            return $"Contact texted \"{keyword}\"{to}";

        var body = text.Body!.Trim();
        var quoted = body.Length <= QuotedTextLength ? body : body[..QuotedTextLength] + "…";
        return $"Contact texted \"{quoted}\"{to}: {intent.Detection?.Reason}";
    }

    // The reason ends up in logs and fault headers: never the whole number.
    private static InvalidMessageException UnusableSender(string from, string error)
    {
        var typed = from.Trim();
        return new InvalidMessageException($"from: {error.Replace(typed, PhoneMask.Mask(typed), StringComparison.Ordinal)}");
    }
}
