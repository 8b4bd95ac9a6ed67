using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_apply_stage_applies_an_upload_s_numbers
{
    private StageFixture _fixture = null!;
    private ScanResult _scan = null!;
    private ApplyCheckpoint _applied = null!;
    private int _reads;

    [OneTimeSetUp]
    public async Task Apply()
    {
        _fixture = new StageFixture(batchSize: 4, checkpointRows: 8);
        // Opted out before the upload's time: already; opted in after it: superseded; opted in before it: opted out now.
        await _fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        await _fixture.Seed(Changes.OptIn(10, "api:after", StageFixture.Number(2)));
        await _fixture.Seed(Changes.OptIn(-10, "api:before", StageFixture.Number(3)));
        _reads = _fixture.Store.Reads;

        (_scan, _applied) = await _fixture.Apply(BulkFixture.Numbers(10));
    }

    [Test]
    public void Should_leave_each_number_s_outcome_in_phone_order() =>
        Assert.That(_applied.Outcomes, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i switch
        {
            1 => NumberOutcome.AlreadyOptedOut,
            2 => NumberOutcome.Superseded,
            _ => NumberOutcome.OptedOut,
        })));

    [Test]
    public void Should_count_them_onto_what_the_scan_counted()
    {
        var counts = _applied.Counts;
        Assert.That((counts.OptedOut, counts.AlreadyOptedOut, counts.SupersededRows), Is.EqualTo((8L, 1L, 1L)));
    }

    [Test]
    public void Should_read_only_the_numbers_that_have_a_record() =>
        Assert.That(_fixture.Store.Reads - _reads, Is.EqualTo(3), "the other seven are inserted unread");

    [Test]
    public async Task Should_store_what_the_state_machine_decides_with_the_upload_s_note_and_time()
    {
        var changed = await _fixture.Store.FindAsync(Changes.AccountId, StageFixture.Number(3).E164);
        var inserted = await _fixture.Store.FindAsync(Changes.AccountId, StageFixture.Number(9).E164);
        Assert.Multiple(() =>
        {
            Assert.That(changed!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.History[^1].CausationId, Is.EqualTo(_fixture.Job.CausationId));
            Assert.That(inserted!.History.Single().Source, Is.EqualTo(OptOutSource.BulkUpload));
            Assert.That(inserted.History.Single().At, Is.EqualTo(Changes.T0));
            Assert.That(inserted.History.Single().Note, Is.EqualTo($"Bulk upload \"list.csv\" ({_fixture.Job.UploadId:N}) by alice"));
        });
    }

    [Test]
    public void Should_save_the_last_checkpoint_after_the_last_number() =>
        Assert.That((_applied.Applied, _applied.State.NumbersApplied), Is.EqualTo((10, 10L)));
}

[TestFixture]
public class When_the_apply_stage_is_interrupted_and_run_again
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task Should_go_on_from_the_checkpoint_with_the_outcomes_and_counts_of_one_run(int crashAfterSaves)
    {
        var uninterrupted = new StageFixture(batchSize: 10, checkpointRows: 30);
        var (_, expected) = await uninterrupted.Apply(BulkFixture.Numbers(100));
        var fixture = new StageFixture(batchSize: 10, checkpointRows: 30);
        await fixture.Start();

        fixture.Uploads.FailSavesAfter = 1 + crashAfterSaves;
        Assert.ThrowsAsync<IOException>(() => fixture.Apply(BulkFixture.Numbers(100)));
        fixture.Uploads.FailSavesAfter = null;
        var (_, applied) = await fixture.Apply(BulkFixture.Numbers(100));

        Assert.Multiple(() =>
        {
            Assert.That(applied.Outcomes, Is.EqualTo(expected.Outcomes));
            Assert.That(applied.Counts, Is.EqualTo(expected.Counts));
            Assert.That(applied.State.NumbersApplied, Is.EqualTo(100));
        });
    }
}

[TestFixture]
public class When_the_apply_stage_runs_a_dry_run
{
    [Test]
    public async Task Should_decide_every_number_as_a_real_run_would_and_write_nothing()
    {
        var fixture = new StageFixture(batchSize: 4, checkpointRows: 8);
        await fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        var writes = fixture.Store.Writes;
        var dryRun = BulkFixture.Job(dryRun: true);
        var scan = await fixture.Scan(BulkFixture.Numbers(10));

        var applied = await fixture.ApplyStage().RunAsync(dryRun, Changes.T0, await fixture.States.StartAsync(dryRun, CancellationToken.None), scan,
            known: null, fixture.Events, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((applied.Counts.OptedOut, applied.Counts.AlreadyOptedOut), Is.EqualTo((9L, 1L)));
            Assert.That(fixture.Store.Writes, Is.EqualTo(writes));
        });
    }
}

[TestFixture]
public class When_another_writer_wins_a_number_of_the_apply_stage_s_batch
{
    [Test]
    public async Task Should_apply_it_on_its_own_against_what_the_other_writer_stored()
    {
        var fixture = new StageFixture(batchSize: 10);
        var raced = false;
        // Between the batch's decisions and its write, a contact's opt-in newer than the upload lands on number 4.
        fixture.Store.BeforeWrite = write =>
        {
            if (raced || write.Record.Phone != StageFixture.Number(4).E164)
                return;
            raced = true;
            fixture.Store.Put(When_some_numbers_of_a_batch_have_a_record.Insert(Changes.OptIn(30, "api:racer", StageFixture.Number(4))).Record);
        };

        var (_, applied) = await fixture.Apply(BulkFixture.Numbers(10));

        var stored = await fixture.Store.FindAsync(Changes.AccountId, StageFixture.Number(4).E164);
        Assert.Multiple(() =>
        {
            Assert.That(applied.Outcomes[4], Is.EqualTo(NumberOutcome.Superseded));
            Assert.That((applied.Counts.OptedOut, applied.Counts.SupersededRows), Is.EqualTo((9L, 1L)));
            Assert.That(stored!.State, Is.EqualTo(OptState.OptedIn), "the newer opt-in holds");
        });
    }
}
