using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_dispatch_stage_announces_an_upload_s_changes
{
    private StageFixture _fixture = null!;

    [SetUp]
    public async Task Apply()
    {
        _fixture = new StageFixture(batchSize: 2, checkpointRows: 3);
        await _fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        await _fixture.Apply(BulkFixture.Numbers(6));
        // After the upload, number 4 opts back in: that change announced itself.
        await _fixture.OptOuts.ApplyAsync(Changes.OptIn(30, "api:after", StageFixture.Number(4)));
    }

    [Test]
    public async Task Should_announce_each_number_whose_state_is_still_the_upload_s_opt_out_and_complete_the_upload()
    {
        var state = await _fixture.States.SaveAsync(await _fixture.Start() with { Status = BulkUploadStatus.Ingested }, CancellationToken.None);

        var done = await Dispatch(state);

        Assert.Multiple(() =>
        {
            Assert.That(_fixture.Events.Changes.Select(c => c.Phone), Is.EquivalentTo(new[] { 0, 2, 3, 5 }.Select(i => StageFixture.Number(i).E164)));
            Assert.That(_fixture.Events.Changes, Has.All.Matches<StateChange>(c => c.State == OptState.OptedOut && c.Source == OptOutSource.BulkUpload
                && c.CausationId == _fixture.Job.CausationId && c.At == Changes.T0));
            Assert.That((done.Status, done.EventsDispatched), Is.EqualTo((BulkUploadStatus.Completed, 4L)));
            Assert.That(done.CompletedAt, Is.EqualTo(Changes.Now));
        });
    }

    [Test]
    public async Task Should_publish_again_at_most_the_page_after_the_cursor_it_stored_when_run_again()
    {
        // Pages of two of the recorded numbers 0, 2, 3, 4, 5: the crash comes as the cursor after the second page is saved.
        var state = await _fixture.States.SaveAsync(await _fixture.Start() with { Status = BulkUploadStatus.Ingested }, CancellationToken.None);
        _fixture.Uploads.FailSavesAfter = _fixture.Uploads.Saves + 1;

        Assert.ThrowsAsync<IOException>(() => Dispatch(state));
        _fixture.Uploads.FailSavesAfter = null;
        var done = await Dispatch((await _fixture.States.GetAsync(Changes.AccountId, _fixture.Job.UploadId, CancellationToken.None))!);

        Assert.Multiple(() =>
        {
            Assert.That(_fixture.Events.Changes.Select(c => c.Phone), Is.EqualTo(new[] { 0, 2, 3, 3, 5 }.Select(i => StageFixture.Number(i).E164)),
                "the second page (3; 4 opted back in) twice, with the same causation: downstream discards the repeat");
            Assert.That((done.Status, done.EventsDispatched), Is.EqualTo((BulkUploadStatus.Completed, 4L)));
        });
    }

    private Task<BulkUploadState> Dispatch(BulkUploadState state) =>
        new DispatchStage(_fixture.Store, _fixture.Store, _fixture.States, _fixture.Clock, _fixture.Options).RunAsync(_fixture.Job, state, _fixture.Events, CancellationToken.None);
}
