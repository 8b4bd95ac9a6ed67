using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The compare-and-swap of one opt-out record as a single-document update, which MongoDB applies atomically, so it
/// needs no transaction: the filter matches the expected version, and the update sets the next record, pushes the
/// history entry and sets the transition's pending events (<see cref="PendingDocument"/>) in the same statement.
/// </summary>
internal static class MongoCompareAndSwap
{
    public static readonly FilterDefinitionBuilder<OptOutDocument> Filter = Builders<OptOutDocument>.Filter;

    /// <summary>The record of one number in one account (the unique index's key).</summary>
    public static FilterDefinition<OptOutDocument> KeyFilter(AccountId accountId, string phone) =>
        Filter.Eq(x => x.AccountId, accountId) & Filter.Eq(x => x.Phone, phone);

    /// <summary>Throws unless the write moves the version forward.</summary>
    public static void Validate(OptOutWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteVersion.EnsureAdvances(write.Record.Version, write.ExpectedVersion, "Record", nameof(write));
    }

    /// <summary>
    /// The compare-and-swap update: match the expected version, set the next record, append the entry, and replace the
    /// pending events when the write carries them (a write without leaves the number's entry as it is).
    /// </summary>
    public static (FilterDefinition<OptOutDocument> Filter, UpdateDefinition<OptOutDocument> Update) For(OptOutWrite write)
    {
        var record = write.Record;
        var filter = KeyFilter(record.AccountId, record.Phone) & Filter.Eq(x => x.Version, write.ExpectedVersion);
        var update = Builders<OptOutDocument>.Update
            .Set(x => x.State, record.State)
            .Set(x => x.Source, record.Source)
            .Set(x => x.Note, record.Note)
            .Set(x => x.Actor, record.Actor)
            .Set(x => x.StateAt, record.StateAt.ToUniversalTime())
            .Set(x => x.CreatedAt, record.CreatedAt.ToUniversalTime())
            .Set(x => x.UpdatedAt, record.UpdatedAt.ToUniversalTime())
            .Set(x => x.Flagged, record.Flagged)
            .Set(x => x.Version, record.Version);
        if (write.Appended is { } entry)
            update = update.Push(x => x.History, HistoryDocument.From(entry));
        if (write.Pending is { } pending)
            update = update.Set(x => x.Pending, PendingDocument.From(pending));
        return (filter, update);
    }
}
