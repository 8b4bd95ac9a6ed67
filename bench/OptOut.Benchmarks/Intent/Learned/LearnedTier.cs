using OptOut.Core;
using OptOut.Core.Intent;

namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>What the learned tier did to the phrase tier's reading.</summary>
internal enum LearnedChange
{
    /// <summary>The phrase reading stands.</summary>
    None,

    /// <summary>The model read more than the phrases did (a possible revocation, or a revocation).</summary>
    Raised,

    /// <summary>The phrases read a revocation the model is confident is not one: it is put up for review instead.</summary>
    Lowered,
}

/// <summary>
/// Combines the phrase tier's reading of a text with the learned model's (<see cref="LearnedPolicy"/>), on the
/// detector's score scale. Phrases that read a revocation decide, unless the policy lowers and the model is confident
/// the text is not one: then it is a possible revocation at <see cref="AccountSettings.MaxPossibleRevocationThreshold"/>,
/// which every account reviews (compliance first: a reading the phrases call a revocation is never dropped to
/// nothing). Where the phrases read less, the model may raise the reading. Keywords never get here: the keyword tier
/// decides those first.
/// </summary>
internal static class LearnedTier
{
    public static (double Score, LearnedChange Change) Decide(RevocationReading? phrase, LearnedPrediction prediction, LearnedPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var phraseScore = phrase?.Score ?? 0;
        if (phraseScore >= AccountSettings.RevocationScore)
        {
            return policy.Lower && prediction.Level <= policy.LowerAt
                ? (AccountSettings.MaxPossibleRevocationThreshold, LearnedChange.Lowered)
                : (phraseScore, LearnedChange.None);
        }

        if (policy.Raise)
        {
            var learned = policy.Score(prediction.Level);
            if (learned > phraseScore && learned >= AccountSettings.MinPossibleRevocationThreshold)
                return (learned, LearnedChange.Raised);
        }

        return (phraseScore, LearnedChange.None);
    }
}
