using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>What one written batch of an upload did: its numbers' outcomes, counted.</summary>
internal readonly record struct BatchCounts(long OptedOut, long Already, long Superseded)
{
    /// <summary>Records the outcome of number <paramref name="number"/> (its place in the scan's numbers) and counts it.</summary>
    public BatchCounts Add(NumberOutcome[] outcomes, int number, ChangeKind kind)
    {
        switch (kind)
        {
            case ChangeKind.Changed or ChangeKind.Replayed:
                outcomes[number] = NumberOutcome.OptedOut;
                return this with { OptedOut = OptedOut + 1 };
            case ChangeKind.Unchanged:
                outcomes[number] = NumberOutcome.AlreadyOptedOut;
                return this with { Already = Already + 1 };
            default:
                outcomes[number] = NumberOutcome.Superseded;
                return this with { Superseded = Superseded + 1 };
        }
    }

    public BulkUploadCounts AddTo(BulkUploadCounts counts) => counts with
    {
        OptedOut = counts.OptedOut + OptedOut,
        AlreadyOptedOut = counts.AlreadyOptedOut + Already,
        SupersededRows = counts.SupersededRows + Superseded,
    };
}
