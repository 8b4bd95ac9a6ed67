using OptOut.Contracts;
namespace OptOut.Core.Bulk;

/// <summary>
/// A page of the records an upload changed, in the change log's order (<see cref="IBulkChangeLog"/>): the page's numbers,
/// then their records in one read. A number whose record is gone is left out (no store deletes one today).
/// </summary>
internal static class ChangedRecords
{
    public static async Task<(List<OptOutRecord> Records, string? Next)> PageAsync(IBulkChangeLog changes, IOptOutStore store,
        AccountId accountId, string causationId, string? after, int limit, CancellationToken cancellationToken)
    {
        var page = await changes.ListChangesAsync(accountId, causationId, after, limit, cancellationToken).ConfigureAwait(false);
        var records = new List<OptOutRecord>(page.Phones.Count);
        if (page.Phones.Count == 0)
            return (records, page.Next);

        var found = await store.FindManyAsync(accountId, page.Phones as IReadOnlyCollection<string> ?? [.. page.Phones], cancellationToken)
            .ConfigureAwait(false);
        foreach (var phone in page.Phones)
        {
            if (found.TryGetValue(phone, out var record))
                records.Add(record);
        }

        return (records, page.Next);
    }
}
