namespace OptOut.Contracts;

/// <summary>
/// How the service read an inbound text: the evidence of why a contact was opted out (or why a text was put up for
/// review). Carried by <see cref="ConversationOptStateChanged.Detection"/>, <see cref="OptOutReviewRequested.Detection"/>
/// and kept in the number's history.
/// </summary>
public sealed record OptOutDetection
{
    /// <summary>Keyword (the whole text is one), Phrase (natural language) or Typo (a misspelt keyword).</summary>
    public DetectionMethod Method { get; init; }

    /// <summary>The language of the keyword or phrase that matched, as an ISO 639-1 code (<c>en</c>, <c>es</c>, <c>zh</c>…).</summary>
    public string? Language { get; init; }

    /// <summary>What matched: the keyword as listed (<c>ARRÊT</c>), or the phrase pattern (<c>STOP TEXTING</c>).</summary>
    public string? Matched { get; init; }

    /// <summary>
    /// How sure the detector is that the text is a revocation, 0–1. A keyword is 1; a phrase at or above 0.8 is a
    /// revocation; at or above the account's possible-revocation threshold it is put up for review.
    /// </summary>
    public double Score { get; init; }

    /// <summary>The decision in words a person understands, for the admin panel and the auditor.</summary>
    public string? Reason { get; init; }
}
