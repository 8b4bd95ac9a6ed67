using System.Runtime.CompilerServices;
using System.Text;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>
/// The processor lists the account's numbers while it reads the file, reads the records of the upload's numbers
/// among them and inserts the others unread; a number that got a record since (a writer racing the upload) fails its
/// insert and is applied on its own. The outcomes must be exactly those of reading every number first.
/// </summary>
[TestFixture]
public class When_some_numbers_of_a_batch_have_a_record
{
    private BulkFixture _fixture = null!;
    private RecordingEvents _events = null!;
    private BulkUploadJob _job = null!;

    [OneTimeSetUp]
    public async Task Upload()
    {
        _fixture = new BulkFixture(batchSize: 4, checkpointRows: 8);
        // Opted out before the upload's time: already; opted in after it: superseded; opted in before it: opted out now.
        await _fixture.Store.TryWriteAsync(Insert(Changes.Stop(-60, "inbound:before", Number(1))));
        await _fixture.Store.TryWriteAsync(Insert(Changes.OptIn(10, "api:after", Number(2))));
        await _fixture.Store.TryWriteAsync(Insert(Changes.OptIn(-10, "api:before", Number(3))));
        _job = BulkFixture.Job();
        _events = new RecordingEvents();

        await _fixture.Run(_job, BulkFixture.Numbers(10), _events);
    }

    [Test]
    public void Should_count_each_number_as_reading_first_would()
    {
        var counts = _events.Completed.Single().Counts;
        Assert.Multiple(() =>
        {
            Assert.That(counts.OptedOut, Is.EqualTo(8));
            Assert.That(counts.AlreadyOptedOut, Is.EqualTo(1));
            Assert.That(counts.SupersededRows, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_store_what_the_state_machine_decides()
    {
        var already = await _fixture.Store.FindAsync(Changes.AccountId, Number(1).E164);
        var superseded = await _fixture.Store.FindAsync(Changes.AccountId, Number(2).E164);
        var changed = await _fixture.Store.FindAsync(Changes.AccountId, Number(3).E164);
        var inserted = await _fixture.Store.FindAsync(Changes.AccountId, Number(4).E164);
        Assert.Multiple(() =>
        {
            Assert.That(already!.History, Has.Count.EqualTo(1), "no transition");
            Assert.That(already.StateAt, Is.EqualTo(Changes.T0), "the clock moved to the upload's time");
            Assert.That(superseded!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(superseded.Version, Is.EqualTo(1));
            Assert.That(changed!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.History[^1].CausationId, Is.EqualTo(_job.CausationId));
            Assert.That(inserted!.History.Single().CausationId, Is.EqualTo(_job.CausationId));
            Assert.That(inserted.Version, Is.EqualTo(1));
        });
    }

    [Test]
    public void Should_announce_exactly_the_numbers_it_opted_out() =>
        Assert.That(_events.Changes.Select(c => c.Phone),
            Is.EquivalentTo(Enumerable.Range(0, 10).Where(i => i is not (1 or 2)).Select(i => Number(i).E164)));

    [Test]
    public void Should_report_each_row_with_its_outcome()
    {
        var lines = _fixture.Uploads.Text(_events.Completed.Single().ReportAddress!).Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[2], Is.EqualTo("2,+12012000001,+12012000001,AlreadyOptedOut,"));
            Assert.That(lines[3], Is.EqualTo("3,+12012000002,+12012000002,Superseded,a newer opt-in keeps this number opted in"));
            Assert.That(lines[4], Is.EqualTo("4,+12012000003,+12012000003,OptedOut,"));
        });
    }

    internal static PhoneNumber Number(int i) => PhoneNumber.FromStored($"+1201{2000000 + i:D7}", true);

    internal static OptOutWrite Insert(OptChange change) => OptOutStateMachine.Decide(null, change, Changes.Now).Write!;
}

[TestFixture]
public class When_few_numbers_of_an_upload_have_a_record
{
    [Test]
    public async Task Should_read_only_the_numbers_that_have_a_record_and_insert_the_rest_unread()
    {
        var fixture = new BulkFixture(batchSize: 100, checkpointRows: 1_000);
        foreach (var i in Enumerable.Range(0, 1_000).Where(i => i % 100 == 50))
            await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before",
                When_some_numbers_of_a_batch_have_a_record.Number(i))));
        // Another account's numbers are not this upload's records.
        await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:other",
            When_some_numbers_of_a_batch_have_a_record.Number(7)) with { AccountId = Guid.NewGuid() }));
        var reads = fixture.Store.Reads;
        var applied = ReadsWhenIngested(fixture);
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), BulkFixture.Numbers(1_000), events);

        Assert.Multiple(() =>
        {
            Assert.That(applied.Value.Reads - reads, Is.EqualTo(10), "only the numbers that have a record");
            Assert.That(applied.Value.FindManyCalls, Is.EqualTo(10), "one round trip in each batch that has one");
            Assert.That(fixture.Store.InsertManyCalls, Is.EqualTo(10), "each batch's new numbers inserted together, with one decision");
            Assert.That(fixture.Store.Reads - applied.Value.Reads, Is.EqualTo(990), "dispatch reads the records of the numbers it announces");
            Assert.That(fixture.Store.RejectedWrites, Is.Zero, "no insert meets a record");
            Assert.That((events.Completed.Single().Counts.OptedOut, events.Completed.Single().Counts.AlreadyOptedOut), Is.EqualTo((990L, 10L)));
        });
    }

    /// <summary>The store's reads when the upload is stored as Ingested: what applying it read, before dispatch reads the records it announces.</summary>
    internal static StrongBox<(int Reads, int FindManyCalls)> ReadsWhenIngested(BulkFixture fixture)
    {
        var box = new StrongBox<(int Reads, int FindManyCalls)>();
        fixture.Uploads.OnSave = state =>
        {
            if (state.Status == BulkUploadStatus.Ingested && box.Value == default)
                box.Value = (fixture.Store.Reads, fixture.Store.FindManyCalls);
        };
        return box;
    }
}

[TestFixture]
public class When_flagged_and_valid_numbers_of_an_upload_have_a_record
{
    [Test]
    public async Task Should_read_exactly_those_of_both_kinds()
    {
        // Flagged numbers (possible, not valid: the 555 area code) sort after the valid ones in the upload's list.
        var fixture = new BulkFixture(batchSize: 7, checkpointRows: 14);
        // Valid numbers above the flagged ones: the sorted list holds two ascending runs.
        var valid = Enumerable.Range(0, 20).Select(i => PhoneNumber.FromStored($"+1917{2000000 + i:D7}", true)).ToList();
        var flagged = Enumerable.Range(0, 20).Select(i => PhoneNumber.FromStored($"+1555{2010000 + i:D7}", false)).ToList();
        foreach (var phone in valid.Where((_, i) => i % 6 == 1).Concat(flagged.Where((_, i) => i % 4 == 2)))
            await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before", phone)));
        var reads = fixture.Store.Reads;
        var applied = When_few_numbers_of_an_upload_have_a_record.ReadsWhenIngested(fixture);
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), "phone\n" + string.Join('\n', flagged.Concat(valid).Select(p => p.E164)), events);

        var counts = events.Completed.Single().Counts;
        Assert.Multiple(() =>
        {
            Assert.That(applied.Value.Reads - reads, Is.EqualTo(4 + 5), "the stored ones, and only those");
            Assert.That(fixture.Store.RejectedWrites, Is.Zero, "no insert meets a record");
            Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.FlaggedRows), Is.EqualTo((31L, 9L, 20L)));
        });
    }
}

[TestFixture]
public class When_many_numbers_of_an_upload_have_a_record
{
    [TestCase(2_000_000, TestName = "The account is listed: its records among the upload's numbers are read")]
    [TestCase(999, TestName = "The account has more records than are listed: every number is read")]
    public async Task Should_count_and_store_each_number_exactly_at_every_checkpoint(int maxListedNumbers)
    {
        var fixture = new BulkFixture(batchSize: 100, checkpointRows: 1_000, maxListedNumbers: maxListedNumbers);
        foreach (var i in Enumerable.Range(0, 5_000).Where(i => i % 5 == 0))
            await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before",
                When_some_numbers_of_a_batch_have_a_record.Number(i))));
        var job = BulkFixture.Job();
        var checkpoints = new List<string>();
        var checkReads = 0;
        (int Reads, int CheckReads, int FindManyCalls) applied = default;
        fixture.Uploads.OnSave = state =>
        {
            if (state.Status == BulkUploadStatus.Ingested && applied == default)
                applied = (fixture.Store.Reads, checkReads, fixture.Store.FindManyCalls);
            if (state.Status != BulkUploadStatus.Running || state.NumbersApplied == 0)
                return;
            // Every number the checkpoint covers is settled in the store and counted; none after it is counted.
            var records = Enumerable.Range(0, (int)state.NumbersApplied)
                .Select(i => fixture.Store.FindAsync(Changes.AccountId, When_some_numbers_of_a_batch_have_a_record.Number(i).E164).Result!).ToList();
            var optedOut = records.Count(r => r.History.Any(h => h.CausationId == job.CausationId));
            var already = records.Count(r => r.History.All(h => h.CausationId != job.CausationId) && r.StateAt == Changes.T0);
            checkReads += records.Count;
            checkpoints.Add($"{state.NumbersApplied}: {state.Counts.OptedOut}/{optedOut} {state.Counts.AlreadyOptedOut}/{already}");
        };
        var reads = fixture.Store.Reads;
        var events = new RecordingEvents();

        await fixture.Run(job, BulkFixture.Numbers(5_000), events);

        var listed = maxListedNumbers >= 1_000;
        Assert.Multiple(() =>
        {
            Assert.That(checkpoints, Is.EqualTo(Enumerable.Range(1, 5).Select(k => $"{k * 1_000}: {k * 800}/{k * 800} {k * 200}/{k * 200}")));
            Assert.That(fixture.Store.RejectedWrites, Is.Zero, "no insert meets a record");
            Assert.That(applied.Reads - reads - applied.CheckReads, Is.EqualTo(listed ? 1_000 : 5_000));
            Assert.That(applied.FindManyCalls, Is.EqualTo(50));
            Assert.That(events.Completed.Single().Counts.AlreadyOptedOut, Is.EqualTo(1_000));
            Assert.That(events.Changes, Has.Count.EqualTo(4_000));
        });
    }
}

[TestFixture]
public class When_another_writer_creates_a_number_while_the_upload_inserts_it
{
    [TestCase(OptState.OptedOut, 5, 0, 1, 0, TestName = "A newer STOP: already opted out")]
    [TestCase(OptState.OptedIn, 5, 0, 0, 1, TestName = "A newer opt-in: superseded")]
    [TestCase(OptState.OptedIn, -5, 1, 0, 0, TestName = "An older opt-in: the upload opts it out")]
    public async Task Should_decide_against_what_the_other_writer_stored(OptState state, int minute, int optedOut, int already, int superseded)
    {
        var fixture = new BulkFixture(batchSize: 4);
        var job = BulkFixture.Job();
        var raced = When_some_numbers_of_a_batch_have_a_record.Number(5);
        var racer = state == OptState.OptedOut ? Changes.Stop(minute, "inbound:race", raced) : Changes.OptIn(minute, "api:race", raced);
        var once = true;
        fixture.Store.BeforeWrite = write =>
        {
            // The other writer's record lands between the upload's decision (no record) and its insert.
            if (once && write.Record.Phone == raced.E164 && write.ExpectedVersion == 0 && write.Appended?.CausationId == job.CausationId)
            {
                once = false;
                fixture.Store.Put(OptOutStateMachine.Decide(null, racer, Changes.Now).Record! with { History = [.. racer.State == OptState.OptedOut
                    ? [OptOutStateMachine.Decide(null, racer, Changes.Now).Write!.Appended!] : Array.Empty<OptOutHistoryEntry>()] });
            }
        };
        var events = new RecordingEvents();

        await fixture.Run(job, BulkFixture.Numbers(8), events);

        var counts = events.Completed.Single().Counts;
        var stored = await fixture.Store.FindAsync(Changes.AccountId, raced.E164);
        Assert.Multiple(() =>
        {
            Assert.That(once, Is.False, "the race happened");
            Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.SupersededRows), Is.EqualTo((7L + optedOut, (long)already, (long)superseded)));
            Assert.That(stored!.State, Is.EqualTo(optedOut == 1 || state == OptState.OptedOut ? OptState.OptedOut : OptState.OptedIn));
            Assert.That(events.Changes.Any(c => c.Phone == raced.E164), Is.EqualTo(optedOut == 1), "announced only if the upload changed it");
        });
    }

    [Test]
    public async Task Should_apply_it_on_its_own_when_the_second_write_loses_a_race_too()
    {
        var fixture = new BulkFixture(batchSize: 4);
        var job = BulkFixture.Job();
        var raced = When_some_numbers_of_a_batch_have_a_record.Number(2);
        // Opted in before the upload: the upload decides to opt it out, then a newer opt-in lands before that write.
        await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.OptIn(-10, "api:before", raced)));
        var once = true;
        fixture.Store.BeforeWrite = write =>
        {
            if (once && write.Record.Phone == raced.E164 && write.ExpectedVersion == 1 && write.Appended?.CausationId == job.CausationId)
            {
                once = false;
                var current = fixture.Store.FindAsync(Changes.AccountId, raced.E164).Result!;
                fixture.Store.Put(current with { StateAt = Changes.At(5), Version = 2 });
            }
        };
        var events = new RecordingEvents();

        await fixture.Run(job, BulkFixture.Numbers(6), events);

        var counts = events.Completed.Single().Counts;
        Assert.Multiple(() =>
        {
            Assert.That(once, Is.False, "the race happened");
            Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.SupersededRows), Is.EqualTo((5L, 0L, 1L)));
            Assert.That(fixture.Store.FindAsync(Changes.AccountId, raced.E164).Result!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(events.Changes.Select(c => c.Phone), Does.Not.Contain(raced.E164));
        });
    }
}

[TestFixture]
public class When_another_writer_creates_a_number_of_a_batch_read_first
{
    [Test]
    public async Task Should_apply_it_on_its_own_against_what_the_other_writer_stored()
    {
        // The account has more records than are listed: every batch is read first.
        var fixture = new BulkFixture(batchSize: 4, maxListedNumbers: 3);
        foreach (var i in Enumerable.Range(0, 4))
            await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before",
                When_some_numbers_of_a_batch_have_a_record.Number(i))));
        var job = BulkFixture.Job();
        var raced = When_some_numbers_of_a_batch_have_a_record.Number(9);
        var readsBefore = -1;
        fixture.Store.BeforeWrite = write =>
        {
            // Read as absent, then a newer opt-in lands before the upload's insert.
            if (readsBefore < 0 && write.Record.Phone == raced.E164 && write.ExpectedVersion == 0 && write.Appended?.CausationId == job.CausationId)
            {
                readsBefore = fixture.Store.Reads;
                fixture.Store.Put(OptOutStateMachine.Decide(null, Changes.OptIn(5, "api:race", raced), Changes.Now).Record!);
            }
        };
        var events = new RecordingEvents();

        await fixture.Run(job, BulkFixture.Numbers(12), events);

        var counts = events.Completed.Single().Counts;
        Assert.Multiple(() =>
        {
            Assert.That(readsBefore, Is.GreaterThanOrEqualTo(12), "the raced number's batch was read first");
            Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.SupersededRows), Is.EqualTo((7L, 4L, 1L)));
            Assert.That(fixture.Store.FindAsync(Changes.AccountId, raced.E164).Result!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(events.Changes.Select(c => c.Phone), Does.Not.Contain(raced.E164));
        });
    }
}

[TestFixture]
public class When_a_dry_run_meets_numbers_that_have_a_record
{
    [Test]
    public async Task Should_read_them_and_count_them_as_a_real_upload_would_without_writing()
    {
        var fixture = new BulkFixture(batchSize: 4);
        await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before",
            When_some_numbers_of_a_batch_have_a_record.Number(1))));
        await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.OptIn(10, "api:after",
            When_some_numbers_of_a_batch_have_a_record.Number(2))));
        var writes = fixture.Store.Writes;
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(dryRun: true), BulkFixture.Numbers(10), events);

        var counts = events.Completed.Single().Counts;
        Assert.Multiple(() =>
        {
            Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.SupersededRows), Is.EqualTo((8L, 1L, 1L)));
            Assert.That(fixture.Store.Writes, Is.EqualTo(writes), "nothing written");
            Assert.That(fixture.Store.RejectedWrites, Is.Zero, "not even tried");
            Assert.That(fixture.Store.FindAsync(Changes.AccountId, When_some_numbers_of_a_batch_have_a_record.Number(0).E164).Result, Is.Null);
        });
    }
}

[TestFixture]
public class When_the_store_fails_in_the_middle_of_a_batch
{
    [TestCase(1)]
    [TestCase(150)]
    [TestCase(1_234)]
    [TestCase(3_999)]
    public async Task Should_finish_on_redelivery_with_exact_counts(int failAfterWrites)
    {
        var fixture = new BulkFixture(batchSize: 100, checkpointRows: 500);
        foreach (var i in Enumerable.Range(0, 5_000).Where(i => i % 5 == 0))
            await fixture.Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.Stop(-60, "inbound:before",
                PhoneNumber.FromStored($"+1201{2000000 + i:D7}", true))));
        var csv = BulkFixture.Numbers(5_000) + "\nabc\n" + string.Join('\n', Enumerable.Range(0, 250).Select(i => $"+1201{2000000 + i:D7}"));
        var job = BulkFixture.Job();
        var events = new RecordingEvents();

        fixture.Store.FailWritesAfter = failAfterWrites;
        Assert.ThrowsAsync<IOException>(() => fixture.Run(job, csv, events));
        fixture.Store.FailWritesAfter = null;
        await fixture.Run(job, csv, events);

        var completed = events.Completed.Single();
        Assert.Multiple(() =>
        {
            Assert.That(completed.Counts.OptedOut, Is.EqualTo(4_000));
            Assert.That(completed.Counts.AlreadyOptedOut, Is.EqualTo(1_000));
            Assert.That(completed.Counts.DuplicateRows, Is.EqualTo(250));
            Assert.That(completed.Counts.InvalidRows, Is.EqualTo(1));
            Assert.That(events.Changes.Select(c => c.Phone).Distinct().Count(), Is.EqualTo(4_000));
            var report = fixture.Uploads.Text(completed.ReportAddress!);
            Assert.That(report.Split('\n').Count(line => line.EndsWith(",OptedOut,", StringComparison.Ordinal)), Is.EqualTo(4_000));
            Assert.That(report.Split('\n').Count(line => line.EndsWith(",AlreadyOptedOut,", StringComparison.Ordinal)), Is.EqualTo(1_000));
        });
    }
}

[TestFixture]
public class When_a_large_upload_is_read_on_several_threads
{
    [Test]
    public async Task Should_keep_the_rejected_rows_in_file_order()
    {
        var fixture = new BulkFixture(batchSize: 500, checkpointRows: 5_000);
        var csv = new StringBuilder("phone\n");
        for (var i = 1; i <= 12_000; i++)
            csv.Append(i % 7 == 0 ? $"bad {i}\n" : $"+1201{2000000 + i:D7}\n");
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), csv.ToString(), events);

        var completed = events.Completed.Single();
        Assert.Multiple(() =>
        {
            Assert.That(completed.Counts.InvalidRows, Is.EqualTo(12_000 / 7));
            Assert.That(completed.RejectedRows.Select(r => r.Row), Is.EqualTo(Enumerable.Range(1, BulkUploadState.MaxRejectedRowsInline).Select(i => 7L * i)));
            Assert.That(completed.RejectedRows.All(r => r.Value == $"bad {r.Row}" && r.Reason.Contains($"'bad {r.Row}'", StringComparison.Ordinal)));
        });
    }

    [TestCase("row", TestName = "A row over 64 KB after 10,000 rows")]
    [TestCase("binary", TestName = "A NUL byte after 10,000 rows")]
    public async Task Should_fail_a_file_unusable_far_into_it_and_write_nothing(string problem)
    {
        var fixture = new BulkFixture(batchSize: 500);
        var csv = BulkFixture.Numbers(10_000) + "\n" + (problem == "row" ? new string('1', 70_000) : "+1201\0 5550123") + "\n" + BulkFixture.Numbers(5_000, 20_000)[6..];
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), csv, events);

        Assert.Multiple(() =>
        {
            Assert.That(events.Failed.Single().FailureReason, problem == "row" ? Does.StartWith("row 10,001 is longer than 64 KB") : Does.StartWith("the file is not text"));
            Assert.That(fixture.Store.Writes, Is.Zero);
            Assert.That(events.Completed, Is.Empty);
        });
    }
}
