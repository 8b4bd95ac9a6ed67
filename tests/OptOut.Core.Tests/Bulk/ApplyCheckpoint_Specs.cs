using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_apply_stage_settles_its_batches
{
    private StageFixture _fixture = null!;
    private ScanResult _scan = null!;
    private ApplyCheckpoint _checkpoint = null!;
    private readonly List<(long Applied, int Recorded)> _saves = [];

    [SetUp]
    public async Task Start()
    {
        _saves.Clear();
        _fixture = new StageFixture(batchSize: 100, checkpointRows: 250);
        var state = await _fixture.Start();
        _scan = await _fixture.Scan(BulkFixture.Numbers(1_000));
        _checkpoint = await ApplyCheckpoint.ResumeAsync(_fixture.Job, _scan, state, _fixture.Store, _fixture.Store, _fixture.States,
            _fixture.Events, _fixture.Options, CancellationToken.None);
        // What the store has recorded of the upload's changes when each checkpoint is saved.
        _fixture.Uploads.OnSave = saved => _saves.Add((saved.NumbersApplied, Recorded()));
    }

    [Test]
    public async Task Should_save_a_checkpoint_every_checkpoint_rows_numbers_and_after_the_last()
    {
        for (var end = 100; end <= 1_000; end += 100)
            await _checkpoint.SettleAsync(end, new BatchCounts(100, 0, 0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_saves.Select(s => s.Applied), Is.EqualTo(new long[] { 300, 600, 900, 1_000 }));
            Assert.That(_checkpoint.State.NumbersApplied, Is.EqualTo(1_000));
            Assert.That(_checkpoint.Applied, Is.EqualTo(1_000));
        });
    }

    [Test]
    public async Task Should_add_up_every_batch_s_counts_onto_the_scan_s()
    {
        await _checkpoint.SettleAsync(100, new BatchCounts(60, 30, 10), CancellationToken.None);
        await _checkpoint.SettleAsync(1_000, new BatchCounts(900, 0, 0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((_checkpoint.Counts.OptedOut, _checkpoint.Counts.AlreadyOptedOut, _checkpoint.Counts.SupersededRows), Is.EqualTo((960L, 30L, 10L)));
            Assert.That(_checkpoint.State.Counts, Is.EqualTo(_checkpoint.Counts), "the saved checkpoint carries them");
        });
    }

    [Test]
    public async Task Should_record_the_stretch_s_opted_out_numbers_before_saving_it()
    {
        // As the apply stage leaves them: every third number was already out, the others the upload opted out.
        var optedOut = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            if (i % 3 == 0)
            {
                _checkpoint.Outcomes[i] = NumberOutcome.AlreadyOptedOut;
                continue;
            }

            _checkpoint.Outcomes[i] = NumberOutcome.OptedOut;
            var phone = _scan.Numbers[i].ToPhone();
            await _fixture.Seed(Changes.Stop(0, _fixture.Job.CausationId, phone) with { Source = OptOutSource.BulkUpload });
            optedOut.Add(phone.E164);
        }

        await _checkpoint.SettleAsync(300, new BatchCounts(200, 100, 0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_saves, Is.EqualTo(new[] { (300L, 200) }), "recorded first, then saved");
            Assert.That(Listed(_fixture.Job.CausationId), Is.EqualTo(optedOut), "exactly the numbers it opted out, in phone order");
        });
    }

    [Test]
    public async Task Should_record_nothing_for_a_dry_run()
    {
        var dryRun = BulkFixture.Job(dryRun: true);
        var checkpoint = await ApplyCheckpoint.ResumeAsync(dryRun, _scan, await _fixture.States.StartAsync(dryRun, CancellationToken.None),
            _fixture.Store, _fixture.Store, _fixture.States, _fixture.Events, _fixture.Options, CancellationToken.None);
        checkpoint.Outcomes.AsSpan().Fill(NumberOutcome.OptedOut);

        await checkpoint.SettleAsync(1_000, new BatchCounts(1_000, 0, 0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.State.NumbersApplied, Is.EqualTo(1_000));
            Assert.That(Listed(dryRun.CausationId), Is.Empty);
        });
    }

    private int Recorded() => Listed(_fixture.Job.CausationId).Count;

    /// <summary>The numbers the store lists for the causation (what dispatch and undo read back).</summary>
    private List<string> Listed(string causationId) =>
        [.. _fixture.Store.ListChangesAsync(Changes.AccountId, causationId, null, 10_000).GetAwaiter().GetResult().Phones];
}

[TestFixture]
public class When_the_apply_stage_resumes_from_a_checkpoint
{
    [Test]
    public async Task Should_read_back_the_outcome_of_each_number_before_it_and_go_on_after_it()
    {
        var fixture = new StageFixture();
        var scan = await fixture.Scan(BulkFixture.Numbers(6));
        // Before the crash the upload opted out 0 and 3 (one since opted back in: its history still has the upload's
        // entry), found 1 already out, and a newer opt-in kept 2 in; 4 has no record.
        await fixture.Seed(Changes.Stop(0, fixture.Job.CausationId, StageFixture.Number(0)));
        await fixture.OptOuts.ApplyAsync(Changes.Stop(0, fixture.Job.CausationId, StageFixture.Number(3)));
        await fixture.OptOuts.ApplyAsync(Changes.OptIn(20, "api:later", StageFixture.Number(3)));
        await fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        await fixture.Seed(Changes.OptIn(10, "api:after", StageFixture.Number(2)));
        var state = await fixture.States.SaveAsync(await fixture.Start() with
        {
            NumbersApplied = 5,
            Counts = new BulkUploadCounts { OptedOut = 2, AlreadyOptedOut = 1, SupersededRows = 2, InvalidRows = 99 },
        }, CancellationToken.None);

        var checkpoint = await ApplyCheckpoint.ResumeAsync(fixture.Job, scan, state, fixture.Store, fixture.Store, fixture.States, fixture.Events,
            fixture.Options, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Outcomes, Is.EqualTo(new[]
            {
                NumberOutcome.OptedOut, NumberOutcome.AlreadyOptedOut, NumberOutcome.Superseded, NumberOutcome.OptedOut, NumberOutcome.Superseded,
                NumberOutcome.None,
            }));
            Assert.That(checkpoint.Applied, Is.EqualTo(5), "the next number to apply");
            Assert.That(checkpoint.Counts, Is.EqualTo(new BulkUploadCounts { OptedOut = 2, AlreadyOptedOut = 1, SupersededRows = 2 }),
                "the applied numbers' counts as checkpointed, not recounted; the scan's as it counts them again");
        });
    }
}
