using System.Diagnostics;
using System.Globalization;
using System.Text;
using MassTransit;
using MassTransit.MessageData;
using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// A resumable upload, against the real RabbitMQ and the SQLite store: the service, a process of its
/// own, is killed with SIGKILL in the middle of a 300,000-row upload (past at least one checkpoint) and started again
/// on the same data. The broker redelivers the unacknowledged BulkUploadSubmitted, the upload resumes from its last
/// checkpoint, and it ends with the exact counts, one history entry per newly opted-out number, and a
/// ConversationOptStateChanged for each of them (copies allowed, with the same message id) and for no other number.
/// </summary>
[TestFixture]
public class When_the_service_is_killed_in_the_middle_of_an_upload
{
    private const int Rows = 300_000;
    private const int CheckpointRows = 20_000;

    /// <summary>
    /// Kill once the stored checkpoint covers two checkpoints' worth of numbers (the upload applies the file's distinct
    /// numbers in phone order after reading it). Watched in the store, not through the progress events: those come
    /// once a second, and the service applies the whole file's numbers in about that time.
    /// </summary>
    private const int KillAfterNumbers = 2 * CheckpointRows;

    private static readonly TimeSpan KillPointPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Distinct numbers in the file (new plus seeded).</summary>
    private const int DistinctNumbers = 255_000;

    private const int SeedBatch = OptRequest.MaxNumbers;
    private const int SeedRequestsInFlight = 4;
    private const int DefaultCountryCode = 1;

    // Generous: the machine is shared and slow at times. Nothing is measured against these, they only bound a hang.
    private static readonly TimeSpan SetUpTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan SeedTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan KillPointTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan EventsTimeout = TimeSpan.FromMinutes(10);

    private readonly AccountId _account = Guid.NewGuid();
    private readonly Guid _uploadId = Guid.NewGuid();
    private readonly Stopwatch _elapsed = new();
    private string _directory = null!;
    private string _logPath = null!;
    private BrokerEndpoint _broker = null!;
    private RawRabbit? _rabbit;
    private EventObserver? _events;
    private ServiceProcess? _service;
    private UploadFile _file = null!;

    private long _rowsReadAtKill;
    private long _checkpointSeenAtKill;
    private int _completedSeenAtKill;
    private int _completedSeenBeforeRestart;
    private UploadRow _uploadAtKill = null!;
    private BulkUploadCompleted _completed = null!;
    private IReadOnlyList<BulkUploadCompleted> _allCompleted = [];
    private IReadOnlyList<Observed<ConversationOptStateChanged>> _changes = [];
    private Dictionary<string, StoredNumber> _stored = null!;
    private UploadRow _uploadAtEnd = null!;

    private string DatabasePath => Path.Combine(_directory, "optout.db");

    [OneTimeSetUp]
    public async Task UploadKillAndRestart()
    {
        _broker = await BrokerDiscovery.RequireAsync();
        if (ServiceProcess.Locate(out var notBuilt) is null)
            TestSetup.Missing(notBuilt);
        _directory = Path.Combine(Path.GetTempPath(), "optout-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _logPath = Path.Combine(_directory, "service.log");
        _elapsed.Start();
        Progress($"RabbitMQ at {_broker}; data in {_directory}");

        using var timeout = new CancellationTokenSource(SetUpTimeout);
        var cancellationToken = timeout.Token;
        try
        {
            // The same folder the service keeps message data in (next to its SQLite file), so the file we put there
            // is the one it reads.
            var repository = new FileSystemMessageDataRepository(new DirectoryInfo(Path.Combine(_directory, "message-data")));
            _rabbit = await RawRabbit.ConnectAsync(_broker, cancellationToken);
            var queue = $"optout-specs-crash-{Guid.NewGuid().ToString("N")[..8]}";
            _events = await EventObserver.StartAsync(_broker, queue, survivesBrokerRestart: false, cancellationToken, cfg => cfg.UseMessageData(repository));

            _file = UploadFile.Generate(Path.Combine(_directory, "upload.csv"));
            Progress($"generated {Rows:N0} rows: {_file.NewNumbers.Count:N0} new numbers, {_file.Seeded.Count:N0} to seed, "
                     + $"{_file.DuplicateRows:N0} duplicate and {_file.InvalidRows:N0} invalid rows");

            _service = await StartServiceAsync(cancellationToken);
            var submittedAt = DateTimeOffset.UtcNow;
            await SeedAsync(submittedAt.AddHours(-1), cancellationToken);

            await using (var content = File.OpenRead(_file.Path))
            {
                await _events.Bus.Publish(new BulkUploadSubmitted
                {
                    UploadId = _uploadId,
                    AccountId = _account,
                    FileName = "crash.csv",
                    File = await repository.PutStream(content, cancellationToken),
                    SubmittedBy = "crash-spec@example.com",
                    SubmittedAt = submittedAt,
                }, cancellationToken);
            }

            Progress("upload submitted");

            await KillInTheMiddleAsync(cancellationToken);

            _service = await StartServiceAsync(cancellationToken);
            await WaitForTheEndAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not IgnoreException)
        {
            // The teardown deletes the folder, log included: show the end of it now.
            TestContext.Progress.WriteLine($"The crash spec failed after {_elapsed.Elapsed.TotalSeconds:0} s; the service's log ends with:\n"
                                           + ServiceProcess.Tail(_logPath));
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        var steps = new TeardownSteps();
        if (_service is not null)
            await steps.RunAsync(() => _service.DisposeAsync().AsTask());
        _service = null;
        if (_events is not null)
        {
            var events = _events;
            await steps.RunAsync(() => events.DisposeAsync().AsTask());
            if (_rabbit is not null)
                await steps.RunAsync(() => _rabbit.DeleteQueueAndExchangeAsync(events.QueueName));
        }

        _events = null;
        if (_rabbit is not null)
            await steps.RunAsync(() => _rabbit.DisposeAsync().AsTask());
        _rabbit = null;
        steps.DeleteFolder(_directory);
        steps.ThrowIfAnyFailed("crash fixture");
    }

    [Test]
    public void Should_kill_the_service_after_a_checkpoint_and_before_the_upload_completed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_checkpointSeenAtKill, Is.GreaterThanOrEqualTo(KillAfterNumbers), "the checkpoint seen when the kill was sent");
            Assert.That(_completedSeenAtKill, Is.Zero, "no BulkUploadCompleted before the kill");
            Assert.That(_completedSeenBeforeRestart, Is.Zero, "no BulkUploadCompleted from the killed process");
            Assert.That(_uploadAtKill.Status, Is.EqualTo("Running"), "the killed process was still ingesting");
            Assert.That(_uploadAtKill.NumbersApplied, Is.GreaterThanOrEqualTo(CheckpointRows).And.LessThan(DistinctNumbers),
                "the kill landed past a checkpoint and before the last number");
        });
    }

    [Test]
    public void Should_report_the_exact_counts()
    {
        Assert.That(_allCompleted.Select(c => (c.TotalRows, c.OptedOut, c.AlreadyOptedOut, c.DuplicateRows, c.InvalidRows, c.FlaggedRows)).Distinct().Count(),
            Is.EqualTo(1),
            "every copy of BulkUploadCompleted reports the same counts");
        Assert.Multiple(() =>
        {
            Assert.That(_completed.DryRun, Is.False);
            Assert.That(_completed.TotalRows, Is.EqualTo(Rows), "rows");
            Assert.That(_completed.OptedOut, Is.EqualTo(_file.NewNumbers.Count), "newly opted out");
            Assert.That(_completed.AlreadyOptedOut, Is.EqualTo(_file.Seeded.Count), "already opted out");
            Assert.That(_completed.DuplicateRows, Is.EqualTo(_file.DuplicateRows), "duplicate rows");
            Assert.That(_completed.InvalidRows, Is.EqualTo(_file.InvalidRows), "invalid rows");
            Assert.That(_completed.FlaggedRows, Is.Zero, "every number in the file is valid");
            Assert.That(_completed.SupersededRows, Is.Zero, "nothing opted any number in after the upload");
            Assert.That(_completed.RejectedRows, Has.Count.EqualTo(BulkUploadState.MaxRejectedRowsInline), "the first rejected rows inline");
            Assert.That(_completed.RejectedRows.Select(r => r.Row), Is.Unique.And.Ordered, "each rejected row reported once, in file order");
        });
    }

    [Test]
    public void Should_announce_every_new_opt_out_at_least_once()
    {
        var announced = BulkChanges().Select(c => c.Message.PhoneNumber).ToHashSet();
        var missing = _file.NewNumbers.Where(n => !announced.Contains(n)).ToList();
        Assert.That(missing, Is.Empty, $"{missing.Count:N0} newly opted-out numbers were never announced");
    }

    [Test]
    public void Should_give_every_copy_of_an_announcement_the_same_message_id()
    {
        var causation = BulkUploadJob.CausationFor(_uploadId);
        var wrong = BulkChanges()
            .GroupBy(c => c.Message.PhoneNumber)
            .Where(g => g.Select(c => c.MessageId).Distinct().Count() != 1
                        || g.First().MessageId != MessageIds.Derive(causation, g.Key, "state")
                        || g.Any(c => c.Message.State != OptState.OptedOut))
            .Select(g => g.Key)
            .ToList();
        var copies = BulkChanges().Count;
        TestContext.Out.WriteLine($"{copies:N0} announcements for {_file.NewNumbers.Count:N0} numbers ({copies - _file.NewNumbers.Count:N0} re-published copies)");
        Assert.That(wrong, Is.Empty, "numbers whose announcements differ in message id or state");
    }

    [Test]
    public void Should_announce_nothing_for_numbers_the_upload_did_not_change()
    {
        var seeded = _file.Seeded.ToHashSet();
        var unexpected = BulkChanges().Select(c => c.Message.PhoneNumber).Where(n => !_file.NewNumbers.Contains(n)).Distinct().ToList();
        var seededAnnouncedAgain = _changes.Where(c => seeded.Contains(c.Message.PhoneNumber) && c.Message.Source != OptOutSource.Manual).ToList();
        var otherAccounts = _changes.Count(c => c.Message.AccountId != _account);
        Assert.Multiple(() =>
        {
            Assert.That(unexpected, Is.Empty, "announced by the upload but not newly opted out by it (seeded or never in the file)");
            Assert.That(seededAnnouncedAgain, Is.Empty, "the seeded numbers were announced once, by their manual opt-out");
            Assert.That(otherAccounts, Is.Zero, "announcements for another account");
        });
    }

    [Test]
    public void Should_store_each_new_opt_out_once_with_one_history_entry_from_the_upload()
    {
        var wrongNew = _file.NewNumbers.Where(n => _stored.GetValueOrDefault(n) is not { State: "OptedOut", EntriesFromUpload: 1, Entries: 1 }).ToList();
        var wrongSeeded = _file.Seeded.Where(n => _stored.GetValueOrDefault(n) is not { State: "OptedOut", EntriesFromUpload: 0, Entries: 1 }).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(wrongNew, Is.Empty, "new numbers not stored opted out with exactly one history entry, from the upload; first: "
                                           + string.Join(", ", wrongNew.Take(5).Select(n => $"{n}={_stored.GetValueOrDefault(n)}")));
            Assert.That(wrongSeeded, Is.Empty, "seeded numbers not stored opted out with their one manual entry only");
            Assert.That(_stored, Has.Count.EqualTo(_file.NewNumbers.Count + _file.Seeded.Count), "no record for a number outside the file");
            Assert.That(_uploadAtEnd.Status, Is.EqualTo("Completed"), "the upload's own state");
            Assert.That(_uploadAtEnd.EventsDispatched, Is.GreaterThanOrEqualTo(_file.NewNumbers.Count), "events dispatched");
        });
    }

    private IReadOnlyList<Observed<ConversationOptStateChanged>> BulkChanges() =>
        [.. _changes.Where(c => c.Message.Source == OptOutSource.BulkUpload)];

    private void Progress(string what) => TestContext.Progress.WriteLine($"{_elapsed.Elapsed.TotalSeconds,6:0.0} s: {what}");

    private async Task<ServiceProcess> StartServiceAsync(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["RabbitMq__Host"] = _broker.Host,
            ["RabbitMq__Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = _broker.VirtualHost,
            ["RabbitMq__Username"] = _broker.Username,
            ["RabbitMq__Password"] = _broker.Password,
            ["Storage__Provider"] = "Sqlite",
            ["Storage__SqlitePath"] = DatabasePath,
            ["Urls"] = "http://127.0.0.1:0",
            ["BulkUpload__CheckpointRows"] = CheckpointRows.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        var service = await ServiceProcess.StartAsync(ServiceProcess.Locate(out _)!, environment, _logPath, cancellationToken);
        Progress($"service process {service.ProcessId} ready at {service.BaseAddress}");
        return service;
    }

    /// <summary>About 20% of the file's numbers opted out manually before the upload, in requests of at most 1,000.</summary>
    private async Task SeedAsync(DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        var requests = _file.Seeded.Chunk(SeedBatch).Select(numbers => new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = _account,
            PhoneNumbers = numbers,
            Source = OptOutRequestSource.Manual,
            RequestedBy = "seed@example.com",
            RequestedAt = requestedAt,
        }).ToList();

        // A few at a time: the store has one writer, and a request waiting behind many others would only run into
        // the consume deadline and be retried.
        foreach (var window in requests.Chunk(SeedRequestsInFlight))
        {
            foreach (var request in window)
                await _events!.Bus.Publish(request, cancellationToken);
            var ids = window.Select(r => r.RequestId).ToHashSet();
            await _events!.WaitForAsync<OptOutRequestCompleted>(c => ids.Contains(c.RequestId), SeedTimeout, ids.Count);
        }

        var results = _events!.Received<OptOutRequestCompleted>(c => c.AccountId == _account).SelectMany(c => c.Message.Results).ToList();
        Assert.That(results.Where(r => r.Outcome != OptOutOutcome.OptedOut), Is.Empty, "every seeded number opted out");
        Assert.That(results.Select(r => r.PhoneNumber).Distinct().Count(), Is.EqualTo(_file.Seeded.Count), "every seeded number answered");
        Progress($"seeded {_file.Seeded.Count:N0} manual opt-outs in {requests.Count} requests");
    }

    private async Task KillInTheMiddleAsync(CancellationToken cancellationToken)
    {
        long RowsRead() => _events!.Received<BulkUploadProgressed>(p => p.UploadId == _uploadId).Select(p => p.Message.RowsRead).DefaultIfEmpty().Max();
        int Completed() => _events!.Received<BulkUploadCompleted>(c => c.UploadId == _uploadId).Count;
        int Failed() => _events!.Received<BulkUploadFailed>(c => c.UploadId == _uploadId).Count;

        await using (var watch = await OpenReadOnlyAsync(cancellationToken))
        await using (var checkpoint = watch.CreateCommand())
        {
            checkpoint.CommandText = "SELECT numbers_applied FROM bulk_uploads WHERE upload_id = @upload_id AND account_id = @account_id";
            checkpoint.Parameters.AddWithValue("@upload_id", _uploadId.ToString("D"));
            checkpoint.Parameters.AddWithValue("@account_id", _account.Value);
            var elapsed = Stopwatch.StartNew();
            while ((_checkpointSeenAtKill = await checkpoint.ExecuteScalarAsync(cancellationToken) is long applied ? applied : 0) < KillAfterNumbers
                   && Completed() == 0 && Failed() == 0)
            {
                if (elapsed.Elapsed > KillPointTimeout)
                    Assert.Fail($"Not within {KillPointTimeout.TotalMinutes:0} min: the upload read {RowsRead():N0} rows, checkpoint {_checkpointSeenAtKill:N0}");
                await Task.Delay(KillPointPollInterval, cancellationToken);
            }
        }

        await _service!.KillAsync(cancellationToken);
        await _service.DisposeAsync();
        _service = null;
        _rowsReadAtKill = RowsRead();
        _completedSeenAtKill = Completed();
        Assert.That(Failed(), Is.Zero, "the upload failed: " + _events!.Received<BulkUploadFailed>(c => c.UploadId == _uploadId).FirstOrDefault()?.Message.Reason);
        _uploadAtKill = await ReadUploadAsync(cancellationToken)
                        ?? throw new AssertionException("the killed service stored no state for the upload");
        Progress($"SIGKILL after progress at row {_rowsReadAtKill:N0} and a checkpoint at {_checkpointSeenAtKill:N0} numbers; the store says {_uploadAtKill}");

        // Whatever the killed process published reached the observer's queue before the socket closed: wait for it to
        // drain, so a late BulkUploadCompleted from that process would be counted here.
        await Poll.QuietAsync(() => _events!.Count, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), cancellationToken);
        _completedSeenBeforeRestart = Completed();
    }

    private async Task WaitForTheEndAsync(CancellationToken cancellationToken)
    {
        var observer = _events!;
        await Poll.UntilAsync(
            () => observer.Received<BulkUploadCompleted>(c => c.UploadId == _uploadId).Count > 0
                  || observer.Received<BulkUploadFailed>(c => c.UploadId == _uploadId).Count > 0,
            CompletionTimeout, () => "no BulkUploadCompleted; last progress at row "
                                    + observer.Received<BulkUploadProgressed>(p => p.UploadId == _uploadId).Select(p => p.Message.RowsRead).DefaultIfEmpty().Max(),
            cancellationToken, TimeSpan.FromMilliseconds(250));
        Assert.That(observer.Received<BulkUploadFailed>(c => c.UploadId == _uploadId), Is.Empty, "the resumed upload failed");
        _completed = observer.Received<BulkUploadCompleted>(c => c.UploadId == _uploadId)[0].Message;
        Progress($"BulkUploadCompleted: {_completed.OptedOut:N0} opted out, {_completed.AlreadyOptedOut:N0} already, "
                 + $"{_completed.DuplicateRows:N0} duplicates, {_completed.InvalidRows:N0} invalid");

        // The events go out after the report; distinct numbers (copies are allowed), an expensive count: once a second.
        int Announced() => observer.Received<ConversationOptStateChanged>(c => c.AccountId == _account && c.Source == OptOutSource.BulkUpload)
            .Select(c => c.Message.PhoneNumber).Distinct().Count();
        await Poll.UntilAsync(() => Announced() >= _completed.OptedOut, EventsTimeout,
            () => $"{Announced():N0} of {_completed.OptedOut:N0} numbers announced", cancellationToken, TimeSpan.FromSeconds(1));
        Progress($"{_completed.OptedOut:N0} numbers announced");

        // The upload's state says the dispatch is over; then nothing more arrives.
        await Poll.UntilAsync(async () => (await ReadUploadAsync(cancellationToken))?.Status == "Completed", EventsTimeout,
            () => "the upload's stored state never got to Completed", cancellationToken);
        await Poll.QuietAsync(() => observer.Count, TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(2), cancellationToken);

        _allCompleted = [.. observer.Received<BulkUploadCompleted>(c => c.UploadId == _uploadId).Select(c => c.Message)];
        _changes = observer.Received<ConversationOptStateChanged>(c => c.AccountId == _account);
        _stored = await ReadNumbersAsync(cancellationToken);
        _uploadAtEnd = (await ReadUploadAsync(cancellationToken))!;
        Progress($"done: {_changes.Count:N0} ConversationOptStateChanged observed (seeding included), {_stored.Count:N0} numbers stored");
    }

    private Task<SqliteConnection> OpenReadOnlyAsync(CancellationToken cancellationToken) => ReadOnlySqlite.OpenAsync(DatabasePath, cancellationToken);

    private async Task<UploadRow?> ReadUploadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadOnlyAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT status, numbers_applied, total_rows, events_dispatched, json_extract(counts, '$.optedOut'),
                   (SELECT COUNT(*) FROM opt_out_history_readable WHERE account_id = @account_id AND causation_id = @causation_id)
            FROM bulk_uploads WHERE upload_id = @upload_id AND account_id = @account_id
            """;
        command.Parameters.AddWithValue("@upload_id", _uploadId.ToString("D"));
        command.Parameters.AddWithValue("@account_id", _account.Value);
        command.Parameters.AddWithValue("@causation_id", BulkUploadJob.CausationFor(_uploadId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UploadRow(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    /// <summary>Every number of the account: its state, its history entries, and how many of them the upload wrote.</summary>
    private async Task<Dictionary<string, StoredNumber>> ReadNumbersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadOnlyAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT o.phone, o.state, COUNT(h.seq), COALESCE(SUM(h.causation_id = @causation_id), 0)
            FROM opt_outs_readable o LEFT JOIN opt_out_history_readable h ON h.account_id = o.account_id AND h.phone = o.phone
            WHERE o.account_id = @account_id
            GROUP BY o.phone, o.state
            """;
        command.Parameters.AddWithValue("@account_id", _account.Value);
        command.Parameters.AddWithValue("@causation_id", BulkUploadJob.CausationFor(_uploadId));
        var numbers = new Dictionary<string, StoredNumber>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            numbers[reader.GetString(0)] = new StoredNumber(reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3));
        return numbers;
    }

    /// <summary>The upload's stored state, and how many numbers its history entries say it opted out so far.</summary>
    private sealed record UploadRow(string Status, long NumbersApplied, long TotalRows, long EventsDispatched, long CheckpointedOptedOut, long OptedOutInStore)
    {
        public override string ToString() =>
            $"{Status}, checkpointed after {NumbersApplied:N0} numbers of {TotalRows:N0} rows with {CheckpointedOptedOut:N0} opted out; "
            + $"{OptedOutInStore - CheckpointedOptedOut:N0} more opted out in the store after that checkpoint";
    }

    private sealed record StoredNumber(string State, int Entries, int EntriesFromUpload);

    /// <summary>
    /// The uploaded CSV and what it must produce: distinct valid US numbers (+1 201 2xx xxxx) in mixed formats, about
    /// 10% invalid rows, about 5% rows repeating an earlier number in another format, and about 20% of the distinct
    /// numbers opted out before the upload. Every expectation is checked against the parser the service uses.
    /// </summary>
    private sealed class UploadFile
    {
        private static readonly Func<string, string>[] Formats =
        [
            d => $"+1{d}",
            d => $"({d[..3]}) {d[3..6]}-{d[6..]}",
            d => $"{d[..3]}-{d[3..6]}-{d[6..]}",
            d => $"{d[..3]}.{d[3..6]}.{d[6..]}",
            d => $"1 {d[..3]} {d[3..6]} {d[6..]}",
            d => $"+1 ({d[..3]}) {d[3..6]}-{d[6..]}",
        ];

        private UploadFile(string path) => Path = path;

        public string Path { get; }

        /// <summary>The numbers the upload opts out (E.164): in the file, not seeded.</summary>
        public HashSet<string> NewNumbers { get; } = new(StringComparer.Ordinal);

        /// <summary>The numbers opted out manually before the upload (E.164), all of them in the file.</summary>
        public List<string> Seeded { get; } = [];

        public long DuplicateRows { get; private set; }

        public long InvalidRows { get; private set; }

        public static UploadFile Generate(string path)
        {
            var random = new Random(20_251_129);
            var file = new UploadFile(path);
            var invalid = Rows / 10;
            var duplicates = Rows / 20;
            var distinct = Rows - invalid - duplicates;

            var numbers = new List<string>(distinct);
            for (var line = 0; numbers.Count < distinct; line++)
            {
                var e164 = $"+12012{line:D6}";
                if (PhoneNumberParser.Parse(e164, DefaultCountryCode).Number is { IsValid: true } number && number.E164 == e164)
                    numbers.Add(e164);
            }

            // Row kinds in random order; the first row is a number, so every duplicate has an earlier row to repeat.
            var kinds = Enumerable.Repeat('n', distinct - 1).Concat(Enumerable.Repeat('d', duplicates)).Concat(Enumerable.Repeat('i', invalid)).ToArray();
            random.Shuffle(kinds);
            var emitted = 0;
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
            writer.Write("phone,name\n");
            foreach (var kind in kinds.Prepend('n'))
            {
                string value;
                switch (kind)
                {
                    case 'n':
                        value = Format(numbers[emitted++], random);
                        break;
                    case 'd':
                        value = Format(numbers[random.Next(emitted)], random);
                        file.DuplicateRows++;
                        break;
                    default:
                        value = Invalid(random);
                        file.InvalidRows++;
                        break;
                }

                writer.Write(value);
                writer.Write(",Contact ");
                writer.Write(emitted.ToString(CultureInfo.InvariantCulture));
                writer.Write('\n');
            }

            var seededCount = distinct / 5;
            var shuffled = numbers.ToArray();
            random.Shuffle(shuffled);
            file.Seeded.AddRange(shuffled.Take(seededCount));
            file.NewNumbers.UnionWith(shuffled.Skip(seededCount));
            return file;
        }

        private static string Format(string e164, Random random)
        {
            var value = Formats[random.Next(Formats.Length)](e164[2..]);
            if (PhoneNumberParser.Parse(value, DefaultCountryCode).Number?.E164 != e164)
                throw new InvalidOperationException($"the spec's own format '{value}' does not parse to {e164}");
            return value;
        }

        private static string Invalid(Random random)
        {
            var value = random.Next(5) switch
            {
                0 => $"{random.Next(200, 1000)}-{random.Next(10_000):D4}", // local only: no area code
                1 => random.Next(100, 100_000).ToString(CultureInfo.InvariantCulture),
                2 => $"+1 201 2{random.Next(100_000, 1_000_000)} {random.Next(1_000, 10_000)}",
                3 => $"call me {random.Next(1_000)}",
                _ => $"+999 {random.Next(1_000_000, 10_000_000)}",
            };
            if (PhoneNumberParser.Parse(value, DefaultCountryCode).Number is { } parsed)
                throw new InvalidOperationException($"the spec's invalid value '{value}' parses as {parsed.E164}");
            return value;
        }
    }
}
