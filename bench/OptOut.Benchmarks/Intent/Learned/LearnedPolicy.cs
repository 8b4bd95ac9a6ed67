using OptOut.Core;

namespace OptOut.Benchmarks.Intent.Learned;

/// <summary>
/// How the learned tier combines with the phrase tier, on the model's revocation level
/// (<see cref="LearnedPrediction.Level"/>): where the phrases read less than a revocation, a level from
/// <see cref="ReviewAt"/> up raises the reading to a possible revocation and from <see cref="RevocationAt"/> up to a
/// revocation (<see cref="Raise"/>); where the phrases read a revocation and the level is at most
/// <see cref="LowerAt"/>, the reading is lowered to a possible one, which every account reviews (<see cref="Lower"/>).
/// </summary>
internal sealed record LearnedPolicy(bool Raise, bool Lower, double RevocationAt, double ReviewAt, double LowerAt)
{
    /// <summary>Phrases alone: the learned tier changes nothing.</summary>
    public static readonly LearnedPolicy Off = new(false, false, 1, 1, 0);

    /// <summary>
    /// The level on the detector's score scale, so an account's possible-revocation threshold keeps its meaning:
    /// <see cref="RevocationAt"/> maps to <see cref="AccountSettings.RevocationScore"/>, <see cref="ReviewAt"/> to the
    /// default threshold, linearly between and on either side.
    /// </summary>
    public double Score(double level)
    {
        const double revocation = AccountSettings.RevocationScore;
        const double review = AccountSettings.DefaultPossibleRevocationThreshold;
        if (level >= RevocationAt)
            return revocation + (1 - revocation) * (level - RevocationAt) / Math.Max(1 - RevocationAt, 1e-9);
        if (level >= ReviewAt)
            return review + (revocation - review) * (level - ReviewAt) / (RevocationAt - ReviewAt);
        return review * level / ReviewAt;
    }
}
