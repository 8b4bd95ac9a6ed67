namespace OptOut.Contracts;

/// <summary>Whether the platform may text a number. Travels as a string on the wire.</summary>
public enum OptState
{
    /// <summary>The contact must not be texted again.</summary>
    OptedOut,

    /// <summary>The contact may be texted (opted back in).</summary>
    OptedIn,
}

/// <summary>What caused an opt-out or opt-in. Travels as a string on the wire.</summary>
public enum OptOutSource
{
    /// <summary>The contact texted an opt-out keyword (STOP, QUIT, …).</summary>
    Keyword,

    /// <summary>An administrator opted the number out from the admin panel.</summary>
    Manual,

    /// <summary>A message sender opted the contact out from a conversation.</summary>
    Messenger,

    /// <summary>A row of a bulk CSV upload.</summary>
    BulkUpload,

    /// <summary>Another service, through the API.</summary>
    Api,
}

/// <summary>Who asked for an <see cref="OptOutRequested"/>. A subset of <see cref="OptOutSource"/>.</summary>
public enum OptOutRequestSource
{
    /// <summary>An administrator, from the admin panel. No confirmation text is sent.</summary>
    Manual,

    /// <summary>A message sender, from a conversation. One confirmation text is sent.</summary>
    Messenger,

    /// <summary>Another service. No confirmation text is sent.</summary>
    Api,
}

/// <summary>What happened to one input of an <see cref="OptOutRequested"/> or <see cref="OptInRequested"/>.</summary>
public enum OptOutOutcome
{
    /// <summary>The number was opted out by this request.</summary>
    OptedOut,

    /// <summary>The number was opted back in by this request.</summary>
    OptedIn,

    /// <summary>The number was already opted out; nothing changed.</summary>
    AlreadyOptedOut,

    /// <summary>An opt-in for a number that is not opted out; nothing changed.</summary>
    NotOptedOut,

    /// <summary>The input is not a usable phone number; <c>reason</c> says why.</summary>
    Rejected,

    /// <summary>A newer change to this number (by event time) already exists; this older request changed nothing.</summary>
    Superseded,
}

/// <summary>Which reply a <see cref="ConfirmationMessageRequested"/> carries. Travels as a string on the wire.</summary>
public enum ConfirmationKind
{
    /// <summary>The opt-out confirmation (also what an absent <c>kind</c> means, as sent before the field existed).</summary>
    OptOut,

    /// <summary>The confirmation that a contact who texted an opt-in keyword (START…) is subscribed again.</summary>
    OptIn,

    /// <summary>The answer to a help keyword (HELP…): who is texting and how to opt out.</summary>
    Help,
}

/// <summary>How an inbound text was recognised as what it asks for. Travels as a string on the wire.</summary>
public enum DetectionMethod
{
    /// <summary>The whole text is a keyword of the account's lists (after normalization).</summary>
    Keyword,

    /// <summary>A revocation phrase of one of the account's active languages ("stop texting me", "remove me from your list").</summary>
    Phrase,

    /// <summary>A misspelt opt-out keyword ("unsubcribe", "stpo") with little or nothing else in the text.</summary>
    Typo,
}
