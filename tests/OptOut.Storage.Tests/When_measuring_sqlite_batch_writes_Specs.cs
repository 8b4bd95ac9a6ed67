using System.Diagnostics;
using System.Globalization;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>
/// A measurement, not a test: how fast the SQLite store ingests a million-row upload the way the bulk upload does it
/// (per batch of 1,000 numbers of one account: <see cref="IOptOutStore.FindManyAsync"/>, then
/// <see cref="IOptOutStore.TryWriteManyAsync"/> of new records with one history entry each). Prints rows/s; asserts
/// only that everything was written. Run with <c>dotnet test --filter Name~Should_print_the_batch_write_rate</c>
/// (<c>MEASURE_ROWS</c> sets another row count).
/// </summary>
[TestFixture]
[Explicit("Measurement: takes tens of seconds and prints rows/s; run it by name")]
public sealed class When_measuring_sqlite_batch_writes
{
    private const int BatchSize = 1_000;

    /// <summary>1,000,000, or MEASURE_ROWS for a quicker look.</summary>
    private static readonly int Rows = int.TryParse(Environment.GetEnvironmentVariable("MEASURE_ROWS"), out var rows) ? rows : 1_000_000;

    /// <param name="order">
    /// "file": numbers scattered over the key space, as a CSV lists them; every row lands on a different page of each
    /// b-tree. "phone": ascending, as an upload that sorted its numbers first would write them.
    /// </param>
    [TestCase("file")]
    [TestCase("phone")]
    public async Task Should_print_the_batch_write_rate(string order)
    {
        var folder = Path.Combine(Path.GetTempPath(), "optout-measure-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = new SqliteOptOutStore(Path.Combine(folder, "optout.db"));
            await store.InitializeAsync(CancellationToken.None);
            AccountId account = Guid.NewGuid();
            var uploadId = Guid.NewGuid();
            var now = DateTimeOffset.UtcNow;

            var find = new Stopwatch();
            var write = new Stopwatch();
            var total = Stopwatch.StartNew();
            for (var start = 0; start < Rows; start += BatchSize)
            {
                var phones = PhonesOf(start, order);

                find.Start();
                var found = await store.FindManyAsync(account, phones);
                find.Stop();
                Assert.That(found, Is.Empty);

                var writes = phones.Select((phone, i) => NewOptOut(account, uploadId, phone, now)).ToList();
                write.Start();
                var results = await store.TryWriteManyAsync(writes);
                write.Stop();
                Assert.That(results.All(r => r), Is.True);
            }

            total.Stop();
            var stored = await store.FindManyAsync(account, PhonesOf(0, order));
            Assert.That(stored.Values.Select(r => r.History.Single().CausationId), Is.All.EqualTo($"bulk:{uploadId}"));

            // Reading the stored numbers back, records and history, as a second upload of the same file does.
            var findStored = new Stopwatch();
            var foundRows = 0;
            for (var start = 0; start < Rows; start += BatchSize)
            {
                var phones = PhonesOf(start, order);
                findStored.Start();
                var found = await store.FindManyAsync(account, phones);
                findStored.Stop();
                foundRows += found.Values.Count(r => r.History.Count == 1);
            }

            Assert.That(foundRows, Is.EqualTo(Rows));

            TestContext.Out.WriteLine(
                $"SQLite, {Rows:N0} new records in {order} order in batches of {BatchSize:N0}, one history entry each, {Environment.ProcessorCount} cores:");
            TestContext.Out.WriteLine($"  TryWriteManyAsync: {write.Elapsed.TotalSeconds:F1} s = {Rows / write.Elapsed.TotalSeconds:N0} rows/s");
            TestContext.Out.WriteLine($"  FindManyAsync:     {find.Elapsed.TotalSeconds:F1} s = {Rows / find.Elapsed.TotalSeconds:N0} rows/s");
            TestContext.Out.WriteLine($"  FindManyAsync of stored numbers: {findStored.Elapsed.TotalSeconds:F1} s = {Rows / findStored.Elapsed.TotalSeconds:N0} rows/s (record and history)");
            TestContext.Out.WriteLine($"  find + write:      {total.Elapsed.TotalSeconds:F1} s = {Rows / total.Elapsed.TotalSeconds:N0} rows/s (incl. building the writes)");
            TestContext.Out.WriteLine($"  database file:     {new FileInfo(store.DatabasePath).Length / 1_048_576.0:N0} MiB (+ WAL)");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The batch of numbers starting at row <paramref name="start"/>, in <paramref name="order"/>.</summary>
    private static List<string> PhonesOf(int start, string order) =>
        Enumerable.Range(start, BatchSize)
            .Select(i => "+1" + (2_000_000_000L + (order == "phone" ? i : Scramble(i))).ToString(CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>A bijection of 0..999,999,999 (the factor is coprime with 10^9) that scatters consecutive rows over the index.</summary>
    private static long Scramble(int i) => (i * 747_796_403L + 12_345) % 1_000_000_000L;

    private static OptOutWrite NewOptOut(AccountId account, Guid uploadId, string phone, DateTimeOffset now)
    {
        // As the upload writes it: one note for all its numbers.
        var note = $"Bulk upload \"customers.csv\" ({uploadId:N}) by admin@example.com";
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            At = now,
            RecordedAt = now,
            Actor = "admin@example.com",
            Note = note,
            CausationId = $"bulk:{uploadId}",
        };
        var record = new OptOutRecord
        {
            AccountId = account,
            Phone = phone,
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            Note = note,
            Actor = entry.Actor,
            StateAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        return new OptOutWrite(record, 0, entry);
    }
}
