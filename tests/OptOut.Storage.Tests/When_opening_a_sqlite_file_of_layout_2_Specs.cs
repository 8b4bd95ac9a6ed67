using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// Layout 2 found an upload's numbers through an index of every history entry's causation. Converted, each earlier
/// upload's numbers are listed (dispatch and undo still find them), the index is gone, and an upload that was still
/// dispatching starts its dispatch over (its cursor was a phone).
/// </summary>
[TestFixture]
public sealed class When_opening_a_sqlite_file_of_layout_2
{
    private static readonly Guid Account = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private string _folder = "";
    private string Path => System.IO.Path.Combine(_folder, "optout.db");

    [SetUp]
    public void CreateFolder()
    {
        _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "optout-layout2-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Should_list_the_numbers_of_earlier_uploads_and_restart_an_unfinished_dispatch(CancellationToken cancellationToken)
    {
        var uploaded = Enumerable.Range(0, 1_500).Select(i => $"+1555218{i:D4}").ToList();
        var uploadId = Guid.NewGuid();
        using (var store = new SqliteOptOutStore(Path))
        {
            await store.InitializeAsync(cancellationToken);
            var writes = uploaded.Select(p => Write(p, BulkUploadJob.CausationFor(uploadId), OptOutSource.BulkUpload))
                .Append(Write("+15552190000", "inbound:SM1", OptOutSource.Keyword)).ToList();
            Assert.That(await store.TryWriteManyAsync(writes, cancellationToken), Is.All.True);
            Assert.That(await store.TrySaveAsync(new BulkUploadState
            {
                UploadId = uploadId,
                AccountId = Account,
                SubmittedAt = At,
                StartedAt = At,
                Status = BulkUploadStatus.Ingested,
                EventsDispatchedAfter = uploaded[700],
                Version = 1,
            }, 0, cancellationToken), Is.True);
        }

        // Back to layout 2: no list, the causation index, user_version 2.
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={Path};Pooling=False"))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TABLE causation_changes;
                CREATE INDEX ix_opt_out_history_account_causation_phone ON opt_out_history (account_id, causation, phone);
                PRAGMA user_version = 2;
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        using (var store = new SqliteOptOutStore(Path))
        {
            await store.InitializeAsync(cancellationToken);

            var listed = new List<string>();
            string? after = null;
            do
            {
                var page = await store.ListByCausationAsync(Account, BulkUploadJob.CausationFor(uploadId), after, 1_000, cancellationToken);
                listed.AddRange(page.Records.Select(r => r.Phone));
                after = page.Next;
            }
            while (after is not null && listed.Count <= uploaded.Count);

            Assert.That(listed, Is.EqualTo(uploaded), "every number of the upload, once, in phone order");
            Assert.That((await store.ListByCausationAsync(Account, "inbound:SM1", null, 10, cancellationToken)).Records, Is.Empty,
                "only uploads are listed");
            Assert.That((await store.GetAsync(Account, uploadId, cancellationToken))!.EventsDispatchedAfter, Is.Null);
        }

        await using (var connection = new SqliteConnection($"Data Source={Path};Pooling=False"))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_opt_out_history_account_causation_phone'";
            Assert.That(await command.ExecuteScalarAsync(cancellationToken), Is.EqualTo(0L));
            command.CommandText = "PRAGMA user_version";
            Assert.That(await command.ExecuteScalarAsync(cancellationToken), Is.EqualTo(3L));
        }
    }

    private static OptOutWrite Write(string phone, string causationId, OptOutSource source) =>
        OptOutStateMachine.Decide(null, new OptChange
        {
            AccountId = Account,
            Phone = PhoneNumber.FromStored(phone, isValid: true),
            State = OptState.OptedOut,
            Source = source,
            At = At,
            CausationId = causationId,
            Actor = "admin@example.com",
        }, At).Write!;
}
