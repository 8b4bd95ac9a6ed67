using OptOut.Contracts;

namespace OptOut.Core.Intent;

/// <summary>What <see cref="RevocationDetector"/> read in a text: how sure it is that it revokes consent, and why.</summary>
public sealed record RevocationReading(double Score, DetectionMethod Method, string Language, string Matched, string Reason)
{
    public OptOutDetection ToDetection() => new()
    {
        Method = Method,
        Language = Language,
        Matched = Matched,
        Score = Score,
        Reason = Reason,
    };
}
