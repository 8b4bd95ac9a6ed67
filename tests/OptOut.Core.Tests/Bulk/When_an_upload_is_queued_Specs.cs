using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>
/// An upload the admin API stored Queued before publishing it: its consumer starts it as from no state (one
/// compare-and-swap from the queued version), and one the API failed because the broker didn't take it never runs.
/// </summary>
[TestFixture]
public class When_an_upload_is_queued
{
    private const string FileAddress = "urn:msgdata:file-1";

    [Test]
    public async Task Should_start_it_running_over_the_queued_version_and_keep_what_the_api_stored()
    {
        var fixture = new StageFixture();
        var queued = await new UploadQueue(fixture.Uploads, fixture.Clock).QueueAsync(fixture.Job, FileAddress, CancellationToken.None);
        fixture.Clock.Advance(TimeSpan.FromMinutes(3));

        var started = await fixture.Start();
        var again = await fixture.Start();

        Assert.Multiple(() =>
        {
            Assert.That((queued.Status, queued.Version, queued.StartedAt, queued.FileAddress, queued.SubmittedBy),
                Is.EqualTo((BulkUploadStatus.Queued, 1L, Changes.Now, (string?)FileAddress, (string?)"alice")));
            Assert.That((started.Status, started.Version, started.StartedAt), Is.EqualTo((BulkUploadStatus.Running, 2L, Changes.Now.AddMinutes(3))),
                "its duration counts from the start, not from the wait");
            Assert.That(started with { Status = BulkUploadStatus.Queued, Version = 1, StartedAt = queued.StartedAt }, Is.EqualTo(queued),
                "every other field as the API stored it");
            Assert.That(again, Is.EqualTo(started), "a later delivery goes on from the running state");
            Assert.That(fixture.Uploads.Saves, Is.EqualTo(2), "the queue and one start");
        });
    }

    [Test]
    public async Task Should_go_on_from_what_a_duplicate_stored_when_it_started_the_upload_first()
    {
        var fixture = new StageFixture();
        await new UploadQueue(fixture.Uploads, fixture.Clock).QueueAsync(fixture.Job, FileAddress, CancellationToken.None);
        BulkUploadState? duplicate = null;
        fixture.Uploads.OnSave = state =>
        {
            // The duplicate delivery read the same queued version and saves its start just before this one.
            fixture.Uploads.OnSave = null;
            duplicate = state with { StartedAt = state.StartedAt.AddTicks(-1) };
            Assert.That(fixture.Uploads.TrySaveAsync(duplicate, 1).GetAwaiter().GetResult(), Is.True);
        };

        var started = await fixture.Start();

        Assert.That(started, Is.EqualTo(duplicate), "the stored start, not a second one");
        var stored = await fixture.States.GetAsync(Changes.AccountId, fixture.Job.UploadId, CancellationToken.None);
        Assert.That(stored, Is.EqualTo(duplicate));
    }

    [Test]
    public async Task Should_fail_an_unpublished_upload_so_that_its_job_never_runs()
    {
        var fixture = new BulkFixture();
        var job = BulkFixture.Job();
        var queue = new UploadQueue(fixture.Uploads, fixture.Clock);
        var queued = await queue.QueueAsync(job, FileAddress, CancellationToken.None);

        var failed = await queue.FailUnpublishedAsync(queued, "the broker did not take it", CancellationToken.None);
        // The job reached the broker after all: its consumer finds the upload failed.
        var events = new RecordingEvents();
        await fixture.Run(job, BulkFixture.Numbers(5), events);

        Assert.Multiple(() =>
        {
            Assert.That((failed.Status, failed.FailureReason, failed.Version, failed.CompletedAt),
                Is.EqualTo((BulkUploadStatus.Failed, (string?)"the broker did not take it", 2L, (DateTimeOffset?)Changes.Now)));
            Assert.That(events.Failed.Single(), Is.EqualTo(failed));
            Assert.That(events.Completed, Is.Empty);
            Assert.That(events.Changes, Is.Empty);
            Assert.That(events.Progress, Is.Zero, "not even read");
            Assert.That(fixture.Store.Writes, Is.Zero, "nothing written");
        });
    }

    [Test]
    public async Task Should_leave_an_upload_running_that_its_consumer_started_before_it_could_be_failed()
    {
        var fixture = new StageFixture();
        var queue = new UploadQueue(fixture.Uploads, fixture.Clock);
        var queued = await queue.QueueAsync(fixture.Job, FileAddress, CancellationToken.None);
        var started = await fixture.Start();

        var stored = await queue.FailUnpublishedAsync(queued, "the broker did not take it", CancellationToken.None);

        Assert.That(stored, Is.EqualTo(started), "the publish got through: the upload goes on");
    }

    [Test]
    public async Task Should_refuse_to_undo_it_until_it_has_completed()
    {
        var fixture = new BulkFixture();
        var queued = await new UploadQueue(fixture.Uploads, fixture.Clock).QueueAsync(BulkFixture.Job(), FileAddress, CancellationToken.None);

        Assert.That(queued.UndoRefusal, Is.EqualTo("it has not started yet: undo it once it has completed"));
        var refused = Assert.ThrowsAsync<InvalidMessageException>(() =>
            fixture.Processor.UndoAsync(queued.AccountId, queued.UploadId, "bob", Changes.T0, new RecordingEvents(), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("has not started yet"));
    }

    [Test]
    public async Task Should_refuse_a_second_upload_with_the_same_id()
    {
        var fixture = new StageFixture();
        var queue = new UploadQueue(fixture.Uploads, fixture.Clock);
        await queue.QueueAsync(fixture.Job, FileAddress, CancellationToken.None);

        Assert.ThrowsAsync<InvalidOperationException>(() => queue.QueueAsync(fixture.Job, "urn:msgdata:other", CancellationToken.None));
        var stored = await fixture.States.GetAsync(Changes.AccountId, fixture.Job.UploadId, CancellationToken.None);
        Assert.That(stored!.FileAddress, Is.EqualTo(FileAddress));
    }
}
