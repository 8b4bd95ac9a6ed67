using Microsoft.Extensions.Logging;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Compliance;
using OptOut.Core.Outbox;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, for single-node runs and the crash tests, in every role the host
/// needs (one object, so every role shares the file's one writer). Safe for any number of concurrent callers. Each role
/// is a type of its own, and this one hands every call to it:
/// <list type="bullet">
/// <item><see cref="SqliteDatabase"/>: the file, its reader and writer connections, the write gate, the retry pipeline;</item>
/// <item><see cref="SqliteSchema"/>: the layout and the conversion of earlier ones (<c>Schema/*.sql</c>);</item>
/// <item><see cref="SqliteOptOutRecords"/>: records and history (reads; writes through <see cref="SqliteWriter"/>);</item>
/// <item><see cref="SqliteChangeLog"/>: the numbers each bulk upload changed;</item>
/// <item><see cref="SqliteOutbox"/>: the events of transitions the broker has not confirmed yet;</item>
/// <item><see cref="SqliteReviewItems"/>: the review list of possible revocations and its due work;</item>
/// <item><see cref="SqliteSettingsStore"/> and <see cref="SqliteBulkUploadStore"/>: account settings and upload state.</item>
/// </list>
/// </summary>
/// <remarks>
/// The opt-out tables store times as UTC ticks, which keep full precision (the event-time tie rule compares exact
/// values); the views <c>opt_outs_readable</c> and <c>opt_out_history_readable</c> show them as ISO-8601 text for
/// someone auditing the evidence in the <c>sqlite3</c> shell (<see cref="StoredValues"/>).
/// </remarks>
public sealed class SqliteOptOutStore : IOptOutStore, IBulkChangeLog, IOutbox, ISettingsStore, IBulkUploadStore, IReviewStore, IStoreInitializer, IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteOptOutRecords _records;
    private readonly SqliteChangeLog _changes;
    private readonly SqliteOutbox _outbox;
    private readonly SqliteReviewItems _reviews;
    private readonly SqliteSettingsStore _settings;
    private readonly SqliteBulkUploadStore _uploads;

    public SqliteOptOutStore(string path, ILogger<SqliteOptOutStore>? logger = null, StoreResilienceOptions? resilience = null)
    {
        _database = new SqliteDatabase(path, logger, resilience);
        _records = new SqliteOptOutRecords(_database);
        _changes = new SqliteChangeLog(_database);
        _outbox = new SqliteOutbox(_database);
        _reviews = new SqliteReviewItems(_database);
        _settings = new SqliteSettingsStore(_database);
        _uploads = new SqliteBulkUploadStore(_database);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <inheritdoc cref="SqliteDatabase.IsTransient"/>
    public static bool IsTransient(Exception exception) => SqliteDatabase.IsTransient(exception);

    /// <inheritdoc cref="SqliteDatabase.InitializeAsync"/>
    public Task InitializeAsync(CancellationToken cancellationToken) => _database.InitializeAsync(cancellationToken);

    /// <inheritdoc cref="SqliteDatabase.PingAsync"/>
    public Task PingAsync(CancellationToken cancellationToken = default) => _database.PingAsync(cancellationToken);

    public Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken = default) =>
        _records.FindAsync(accountId, phone, cancellationToken);

    public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default) =>
        _records.TryWriteAsync(write, cancellationToken);

    public Task<IReadOnlyList<OptOutRecord>> ListAsync(
        AccountId accountId, OptState? state, string? afterPhone, int limit, CancellationToken cancellationToken = default) =>
        _records.ListAsync(accountId, state, afterPhone, limit, cancellationToken);

    /// <inheritdoc cref="SqliteOptOutRecords.FindManyAsync"/>
    public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(
        AccountId accountId, IReadOnlyCollection<string> phones, CancellationToken cancellationToken = default) =>
        _records.FindManyAsync(accountId, phones, cancellationToken);

    /// <inheritdoc cref="SqliteOptOutRecords.ListPhonesAsync"/>
    public Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default) =>
        _records.ListPhonesAsync(accountId, afterPhone, limit, cancellationToken);

    /// <inheritdoc cref="SqliteOptOutRecords.TryWriteManyAsync"/>
    public Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default) =>
        _records.TryWriteManyAsync(writes, cancellationToken);

    /// <inheritdoc cref="SqliteOptOutRecords.TryInsertManyAsync"/>
    public Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken = default) =>
        _records.TryInsertManyAsync(inserts, cancellationToken);

    /// <inheritdoc cref="SqliteChangeLog.RecordAsync"/>
    public Task RecordChangesAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
        CancellationToken cancellationToken = default) =>
        _changes.RecordAsync(accountId, causationId, position, phones, cancellationToken);

    public Task<ChangedNumbers> ListChangesAsync(
        AccountId accountId, string causationId, string? after, int limit, CancellationToken cancellationToken = default) =>
        _changes.ListAsync(accountId, causationId, after, limit, cancellationToken);

    public Task<bool> TryClaimAsync(PendingKey key, PublishClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _outbox.TryClaimAsync(key, claim, now, cancellationToken);

    public Task MarkSentAsync(IReadOnlyList<PendingKey> keys, CancellationToken cancellationToken = default) =>
        _outbox.MarkSentAsync(keys, cancellationToken);

    public Task<IReadOnlyList<PendingEntry>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        _outbox.ListDueAsync(now, limit, cancellationToken);

    // The review list's calls are explicit: ListDueAsync shares its parameters with the outbox's.
    Task<bool> IReviewStore.TryAddAsync(ReviewItem item, CancellationToken cancellationToken) =>
        _reviews.TryAddAsync(item, cancellationToken);

    Task<ReviewItem?> IReviewStore.GetAsync(AccountId accountId, Guid id, CancellationToken cancellationToken) =>
        _reviews.GetAsync(accountId, id, cancellationToken);

    Task<IReadOnlyList<ReviewItem>> IReviewStore.ListAsync(AccountId accountId, ReviewState? state, ReviewCursor? after, int limit,
        CancellationToken cancellationToken) =>
        _reviews.ListAsync(accountId, state, after, limit, cancellationToken);

    Task<IReadOnlyDictionary<ReviewState, long>> IReviewStore.CountsAsync(AccountId accountId, CancellationToken cancellationToken) =>
        _reviews.CountsAsync(accountId, cancellationToken);

    Task<bool> IReviewStore.TryResolveAsync(AccountId accountId, Guid id, ReviewState resolution, string resolvedBy, DateTimeOffset at,
        string? note, CancellationToken cancellationToken) =>
        _reviews.TryResolveAsync(accountId, id, resolution, resolvedBy, at, note, cancellationToken);

    Task<int> IReviewStore.CloseOpenForNumberAsync(AccountId accountId, string phone, string resolvedBy, DateTimeOffset at, string? note,
        CancellationToken cancellationToken) =>
        _reviews.CloseOpenForNumberAsync(accountId, phone, resolvedBy, at, note, cancellationToken);

    Task<IReadOnlyList<ReviewItem>> IReviewStore.ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        _reviews.ListDueAsync(now, limit, cancellationToken);

    Task<bool> IReviewStore.TryClaimDueAsync(AccountId accountId, Guid id, DateTimeOffset claimedUntil, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        _reviews.TryClaimDueAsync(accountId, id, claimedUntil, now, cancellationToken);

    public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) =>
        _settings.GetAsync(accountId, cancellationToken);

    public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default) =>
        _settings.SaveAsync(settings, cancellationToken);

    public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
        _uploads.GetAsync(accountId, uploadId, cancellationToken);

    public Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default) =>
        _uploads.TrySaveAsync(state, expectedVersion, cancellationToken);

    public Task<IReadOnlyList<BulkUploadState>> ListAsync(
        AccountId accountId, DateTimeOffset? submittedBefore, int limit, CancellationToken cancellationToken = default) =>
        _uploads.ListAsync(accountId, submittedBefore, limit, cancellationToken);

    /// <summary>Closes the connections, so SQLite checkpoints the WAL and releases the file.</summary>
    public void Dispose() => _database.Dispose();
}
