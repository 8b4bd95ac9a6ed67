using System.Text;
using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>In-memory upload state and blobs: just enough to drive the processor; the real stores have their own suite.</summary>
internal sealed class InMemoryUploads : IBulkUploadStore, IBlobStore
{
    private readonly Dictionary<Guid, BulkUploadState> _states = [];
    private readonly Dictionary<string, byte[]> _blobs = [];

    /// <summary>Fails every save after this many (a crash between checkpoints).</summary>
    public int? FailSavesAfter { get; set; }

    public int Saves { get; private set; }

    /// <summary>Sees every state about to be saved (before the crash a spec may have asked for).</summary>
    public Action<BulkUploadState>? OnSave { get; set; }

    public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_states.TryGetValue(uploadId, out var s) && s.AccountId == accountId ? s : null);

    public Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default)
    {
        OnSave?.Invoke(state);
        if (FailSavesAfter is { } limit && Saves >= limit)
            throw new IOException("crash");
        Saves++;
        var stored = _states.TryGetValue(state.UploadId, out var s) ? s.Version : 0;
        if (stored != expectedVersion)
            return Task.FromResult(false);
        _states[state.UploadId] = state;
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<BulkUploadState>> ListAsync(AccountId accountId, DateTimeOffset? submittedBefore, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BulkUploadState>>([.. _states.Values.Where(s => s.AccountId == accountId).OrderByDescending(s => s.SubmittedAt).Take(limit)]);

    /// <summary>The next blob stored fails with an I/O error (a full disk) after reading this many bytes.</summary>
    public int? FailNextPutAfter { get; set; }

    /// <summary>The next blob stored stops reading after this many bytes and is stored short (a broken store).</summary>
    public int? StopNextPutAfter { get; set; }

    public async Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        if ((FailNextPutAfter ?? StopNextPutAfter) is { } limit)
        {
            var fail = FailNextPutAfter is not null;
            FailNextPutAfter = StopNextPutAfter = null;
            var chunk = new byte[4096];
            while (buffer.Length < limit)
            {
                var read = await content.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                    break;
                buffer.Write(chunk, 0, read);
            }

            if (fail)
                throw new IOException("No space left on device");
        }
        else
        {
            await content.CopyToAsync(buffer, cancellationToken);
        }

        var address = $"blob:{_blobs.Count}";
        _blobs[address] = buffer.ToArray();
        return address;
    }

    public Task<Stream> OpenAsync(string address, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new MemoryStream(_blobs[address], writable: false));

    public string Text(string address) => Encoding.UTF8.GetString(_blobs[address]);
}

internal sealed class RecordingEvents : IBulkUploadEvents
{
    public List<StateChange> Changes { get; } = [];

    public List<BulkUploadState> Completed { get; } = [];

    public List<BulkUploadState> Failed { get; } = [];

    public List<(long OptedIn, long Kept)> Undone { get; } = [];

    public int Progress { get; private set; }

    public Task ProgressAsync(BulkUploadState state, long rowsRead, BulkUploadCounts counts, CancellationToken cancellationToken)
    {
        Progress++;
        return Task.CompletedTask;
    }

    public Task StateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken)
    {
        Changes.AddRange(changes);
        return Task.CompletedTask;
    }

    public Task CompletedAsync(BulkUploadState state, CancellationToken cancellationToken)
    {
        Completed.Add(state);
        return Task.CompletedTask;
    }

    public Task FailedAsync(BulkUploadState state, CancellationToken cancellationToken)
    {
        Failed.Add(state);
        return Task.CompletedTask;
    }

    public Task UndoneAsync(BulkUploadState state, long optedIn, long kept, CancellationToken cancellationToken)
    {
        Undone.Add((optedIn, kept));
        return Task.CompletedTask;
    }
}

internal sealed class BulkFixture
{
    public BulkFixture(int batchSize = 100, int checkpointRows = 1_000, int maxListedNumbers = 2_000_000, int parseThreads = 1)
    {
        Clock = new FakeTimeProvider(Changes.Now);
        var settings = new SettingsCache(new NoSettings(), Clock);
        Processor = new BulkUploadProcessor(Store, Store, Uploads, Uploads, new OptOutService(Store, Clock), settings, Clock,
            new BulkUploadOptions { BatchSize = batchSize, CheckpointRows = checkpointRows, MaxListedNumbers = maxListedNumbers, ParseThreads = parseThreads },
            SharedParsingThreads.Instance);
    }

    public InMemoryOptOutStore Store { get; } = new();

    public InMemoryUploads Uploads { get; } = new();

    public FakeTimeProvider Clock { get; }

    public BulkUploadProcessor Processor { get; }

    public static BulkUploadJob Job(Guid? uploadId = null, bool dryRun = false) => new()
    {
        UploadId = uploadId ?? Guid.NewGuid(),
        AccountId = Changes.AccountId,
        FileName = "list.csv",
        SubmittedBy = "alice",
        SubmittedAt = Changes.T0,
        DryRun = dryRun,
    };

    public Task Run(BulkUploadJob job, string csv, RecordingEvents events) =>
        Processor.RunAsync(job, _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv))), events, CancellationToken.None);

    /// <summary>A file of <paramref name="count"/> distinct valid US numbers (201-555-xxxx range is valid).</summary>
    public static string Numbers(int count, int from = 0) =>
        "phone\n" + string.Join('\n', Enumerable.Range(from, count).Select(i => $"+1201{2000000 + i:D7}"));

    private sealed class NoSettings : ISettingsStore
    {
        public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) => Task.FromResult<AccountSettings?>(null);

        public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}

[TestFixture]
public class When_an_upload_is_interrupted_and_redelivered
{
    [TestCase(3)]
    [TestCase(6)]
    [TestCase(9)]
    [TestCase(20)]
    [TestCase(40)]
    public async Task Should_finish_from_its_checkpoint_with_exact_counts(int crashAfterSaves)
    {
        var fixture = new BulkFixture(batchSize: 100, checkpointRows: 500);
        // 20% already opted out, 5% repeated, some invalid.
        foreach (var i in Enumerable.Range(0, 5_000).Where(i => i % 5 == 0))
            await fixture.Store.TryWriteAsync(Write($"+1201{2000000 + i:D7}"));
        var csv = BulkFixture.Numbers(5_000) + "\nabc\n12345\n" + string.Join('\n', Enumerable.Range(0, 250).Select(i => $"+1201{2000000 + i:D7}"));
        var job = BulkFixture.Job();
        var events = new RecordingEvents();

        fixture.Uploads.FailSavesAfter = crashAfterSaves;
        Assert.ThrowsAsync<IOException>(() => fixture.Run(job, csv, events));
        fixture.Uploads.FailSavesAfter = null;
        await fixture.Run(job, csv, events);

        var completed = events.Completed.Single();
        Assert.Multiple(() =>
        {
            Assert.That(completed.TotalRows, Is.EqualTo(5_252));
            Assert.That(completed.Counts.OptedOut, Is.EqualTo(4_000));
            Assert.That(completed.Counts.AlreadyOptedOut, Is.EqualTo(1_000));
            Assert.That(completed.Counts.DuplicateRows, Is.EqualTo(250));
            Assert.That(completed.Counts.InvalidRows, Is.EqualTo(2));
            Assert.That(events.Changes.Select(c => c.Phone).Distinct().Count(), Is.EqualTo(4_000), "every new opt-out announced at least once");
            Assert.That(events.Changes.All(c => c.Source == OptOutSource.BulkUpload && c.State == OptState.OptedOut));
            Assert.That(fixture.Uploads.Text(completed.ReportAddress!).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5_253),
                "one report line per row, none twice, after the header");
        });
    }

    [Test]
    public async Task Should_not_announce_numbers_it_did_not_change()
    {
        var fixture = new BulkFixture();
        await fixture.Store.TryWriteAsync(Write("+12012000001"));
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), BulkFixture.Numbers(3), events);

        Assert.That(events.Changes.Select(c => c.Phone), Is.EquivalentTo(new[] { "+12012000000", "+12012000002" }));
    }

    [Test]
    public async Task Should_announce_the_result_when_it_crashed_before_announcing_it()
    {
        var fixture = new BulkFixture();
        var job = BulkFixture.Job();
        var events = new RecordingEvents();

        // Killed right after the ingest was stored as done, before BulkUploadCompleted went out.
        Assert.ThrowsAsync<IOException>(() => fixture.Processor.RunAsync(job, Open(BulkFixture.Numbers(250)), new CrashOnCompleted(events), CancellationToken.None));
        Assert.That(events.Completed, Is.Empty);
        await fixture.Run(job, BulkFixture.Numbers(250), events);

        Assert.Multiple(() =>
        {
            Assert.That(events.Completed.Select(c => c.Counts.OptedOut), Is.EqualTo(new[] { 250L }), "the redelivery announces the result");
            Assert.That(events.Changes.Select(c => c.Phone).Distinct().Count(), Is.EqualTo(250));
        });
    }

    private static Func<CancellationToken, Task<Stream>> Open(string csv) =>
        _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    private static OptOutWrite Write(string phone)
    {
        var record = OptOutStateMachine.Decide(null, Changes.Stop(-60, "inbound:before", PhoneNumber.FromStored(phone, true)), Changes.Now).Write!;
        return record;
    }
}

/// <summary>The process dies the moment it would publish BulkUploadCompleted; everything else reaches <c>inner</c>.</summary>
internal sealed class CrashOnCompleted(RecordingEvents inner) : IBulkUploadEvents
{
    public Task ProgressAsync(BulkUploadState state, long rowsRead, BulkUploadCounts counts, CancellationToken cancellationToken) =>
        inner.ProgressAsync(state, rowsRead, counts, cancellationToken);

    public Task StateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken) =>
        inner.StateChangesAsync(changes, cancellationToken);

    public Task CompletedAsync(BulkUploadState state, CancellationToken cancellationToken) => throw new IOException("crash");

    public Task FailedAsync(BulkUploadState state, CancellationToken cancellationToken) => inner.FailedAsync(state, cancellationToken);

    public Task UndoneAsync(BulkUploadState state, long optedIn, long kept, CancellationToken cancellationToken) =>
        inner.UndoneAsync(state, optedIn, kept, cancellationToken);
}

[TestFixture]
public class When_a_processed_upload_is_delivered_again
{
    [Test]
    public async Task Should_announce_the_same_result_and_change_nothing()
    {
        var fixture = new BulkFixture();
        var job = BulkFixture.Job();
        var first = new RecordingEvents();
        await fixture.Run(job, BulkFixture.Numbers(50), first);
        var writes = fixture.Store.Writes;

        var again = new RecordingEvents();
        await fixture.Run(job, BulkFixture.Numbers(50), again);

        Assert.Multiple(() =>
        {
            Assert.That(again.Completed.Single().Counts, Is.EqualTo(first.Completed.Single().Counts));
            Assert.That(fixture.Store.Writes, Is.EqualTo(writes));
            Assert.That(again.Changes, Is.Empty);
        });
    }
}

[TestFixture]
public class When_an_upload_is_a_dry_run
{
    [Test]
    public async Task Should_write_nothing_and_announce_nothing()
    {
        var fixture = new BulkFixture();
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(dryRun: true), BulkFixture.Numbers(20), events);

        Assert.Multiple(() =>
        {
            Assert.That(events.Completed.Single().Counts.OptedOut, Is.EqualTo(20));
            Assert.That(events.Completed.Single().Status, Is.EqualTo(BulkUploadStatus.Completed));
            Assert.That(fixture.Store.Writes, Is.Zero);
            Assert.That(events.Changes, Is.Empty);
        });
    }
}

[TestFixture]
public class When_an_upload_file_is_unusable
{
    [Test]
    public async Task Should_fail_it_with_the_reason_and_write_nothing()
    {
        var fixture = new BulkFixture();
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), "name,mobile\nann,5552011234\n", events);

        Assert.Multiple(() =>
        {
            Assert.That(events.Failed.Single().FailureReason, Does.Contain("phone").And.Contain("mobile"));
            Assert.That(fixture.Store.Writes, Is.Zero);
            Assert.That(events.Completed, Is.Empty);
        });
    }
}

[TestFixture]
public class When_an_upload_is_undone
{
    [Test]
    public async Task Should_opt_in_only_what_it_opted_out_and_nothing_twice()
    {
        var fixture = new BulkFixture();
        await fixture.Store.TryWriteAsync(OptOutStateMachine.Decide(null,
            Changes.Stop(-60, "inbound:before", PhoneNumber.FromStored("+12012000000", true)), Changes.Now).Write!);
        var job = BulkFixture.Job();
        var events = new RecordingEvents();
        await fixture.Run(job, BulkFixture.Numbers(4), events);
        // After the upload: a contact texts STOP again (already out: no transition, but it must keep them out).
        await new OptOutService(fixture.Store, fixture.Clock).ApplyAsync(Changes.Stop(30, "inbound:after", PhoneNumber.FromStored("+12012000003", true)));

        await fixture.Processor.UndoAsync(Changes.AccountId, job.UploadId, "bob", Changes.At(45), events, CancellationToken.None);
        await fixture.Processor.UndoAsync(Changes.AccountId, job.UploadId, "bob", Changes.At(46), events, CancellationToken.None);

        var states = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => fixture.Store.FindAsync(Changes.AccountId, $"+1201{2000000 + i:D7}")));
        Assert.Multiple(() =>
        {
            Assert.That(states.Select(s => s!.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn, OptState.OptedIn, OptState.OptedOut }));
            Assert.That(events.Undone, Is.EqualTo(new[] { (2L, 1L), (0L, 1L) }));
            Assert.That(events.Changes.Count(c => c.State == OptState.OptedIn), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Should_refuse_a_dry_run_with_the_reason()
    {
        var fixture = new BulkFixture();
        var job = BulkFixture.Job(dryRun: true);
        await fixture.Run(job, BulkFixture.Numbers(2), new RecordingEvents());

        var ex = Assert.ThrowsAsync<InvalidMessageException>(() =>
            fixture.Processor.UndoAsync(Changes.AccountId, job.UploadId, "bob", Changes.At(45), new RecordingEvents(), CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("dry run"));
    }
}
