using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Core.Bulk;

/// <summary>
/// Lists the account's stored numbers (a walk of the store's key, no lookups) while the scan reads the file, so that
/// the apply stage reads only the records of the upload's numbers among them (a fifth of a typical upload) and inserts
/// the rest unread. Disposing it stops a listing still running: nothing of the upload runs on after the call.
/// </summary>
internal sealed class KnownNumbersListing : IAsyncDisposable
{
    /// <summary>Numbers listed per store round trip.</summary>
    public const int Page = 10_000;

    private readonly IOptOutStore _store;
    private readonly CancellationTokenSource _stop;
    private readonly Task<ulong[]?> _listed;
    private int _limit;

    private KnownNumbersListing(IOptOutStore store, AccountId accountId, int limit, CancellationToken cancellationToken)
    {
        _store = store;
        _limit = limit;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _listed = Task.Run(() => ListAsync(accountId, token), token);
    }

    /// <summary>Starts listing; an account with more than <paramref name="maxListed"/> numbers is not listed (<see cref="BulkUploadOptions.MaxListedNumbers"/>).</summary>
    public static KnownNumbersListing Start(IOptOutStore store, AccountId accountId, int maxListed, CancellationToken cancellationToken) =>
        new(store, accountId, maxListed, cancellationToken);

    /// <summary>
    /// The keys of the account's numbers (E.164 digits), sorted; null when the account has too many. A listing still
    /// running now is of an account much larger than the file may be: past twice the file's numbers, reading them is
    /// cheaper than listing on (a 10-row upload must not list a million numbers).
    /// </summary>
    public Task<ulong[]?> FinishAsync(int fileNumbers)
    {
        Volatile.Write(ref _limit, (int)Math.Min(_limit, Math.Max(2L * fileNumbers, Page)));
        return _listed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _listed.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Per number of the scan, whether it had a record when the account was listed (all true when it wasn't).</summary>
    public static bool[] Existed(NumberKey[] numbers, ulong[]? known)
    {
        var existed = new bool[numbers.Length];
        if (known is null)
        {
            Array.Fill(existed, true);
            return existed;
        }

        // Both lists are sorted (the numbers in two runs: valid, then flagged), so one walk of each finds them all.
        var previous = 0UL;
        for (int i = 0, k = 0; i < numbers.Length; i++)
        {
            var number = numbers[i].Digits;
            if (number < previous)
                k = 0;
            previous = number;
            while (k < known.Length && known[k] < number)
                k++;
            existed[i] = k < known.Length && known[k] == number;
        }

        return existed;
    }

    private async Task<ulong[]?> ListAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var keys = new List<ulong>();
        string? after = null;
        while (true)
        {
            var page = await _store.ListPhonesAsync(accountId, after, Page, cancellationToken).ConfigureAwait(false);
            if (keys.Count + page.Count > Volatile.Read(ref _limit))
                return null;
            foreach (var phone in page)
            {
                // Stored numbers are E.164; anything else can't be one of the upload's numbers.
                if (phone.StartsWith('+') && ulong.TryParse(phone.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var key))
                    keys.Add(key);
            }

            if (page.Count < Page)
                break;
            after = page[^1];
        }

        var sorted = keys.ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
