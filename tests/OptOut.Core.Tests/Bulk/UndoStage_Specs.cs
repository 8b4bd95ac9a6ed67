using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_undo_stage_undoes_an_upload
{
    private StageFixture _fixture = null!;

    [SetUp]
    public async Task Upload()
    {
        _fixture = new StageFixture(batchSize: 2, checkpointRows: 3);
        await _fixture.Seed(Changes.Stop(-60, "inbound:before", StageFixture.Number(1)));
        var (_, applied) = await _fixture.Apply(BulkFixture.Numbers(5));
        await _fixture.States.SaveAsync(applied.State with { Status = BulkUploadStatus.Completed }, CancellationToken.None);
        // After the upload a contact texts STOP again (already out: no transition, but they stay out), another opts in.
        await _fixture.OptOuts.ApplyAsync(Changes.Stop(30, "inbound:after", StageFixture.Number(3)));
        await _fixture.OptOuts.ApplyAsync(Changes.OptIn(31, "api:after", StageFixture.Number(4)));
    }

    [Test]
    public async Task Should_opt_back_in_only_what_the_upload_opted_out_and_nothing_has_touched_since()
    {
        await Undo(Changes.At(45));

        var states = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => _fixture.Store.FindAsync(Changes.AccountId, StageFixture.Number(i).E164)));
        var undone = (await _fixture.States.GetAsync(Changes.AccountId, _fixture.Job.UploadId, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(states.Select(s => s!.State), Is.EqualTo(new[] { OptState.OptedIn, OptState.OptedOut, OptState.OptedIn, OptState.OptedOut, OptState.OptedIn }));
            Assert.That(_fixture.Events.Changes.Select(c => (c.Phone, c.State, c.CausationId)), Is.EquivalentTo(new[] { 0, 2 }
                .Select(i => (StageFixture.Number(i).E164, OptState.OptedIn, BulkUploadJob.UndoCausationFor(_fixture.Job.UploadId)))));
            Assert.That(_fixture.Events.Undone, Is.EqualTo(new[] { (2L, 1L) }), "number 3 kept; number 4 is opted in already");
            Assert.That((undone.Status, undone.UndoneBy, undone.UndoOptedIn, undone.UndoKept), Is.EqualTo((BulkUploadStatus.Undone, "bob", 2L, 1L)));
        });
    }

    [Test]
    public async Task Should_change_nothing_the_second_time()
    {
        await Undo(Changes.At(45));
        var writes = _fixture.Store.Writes;

        await Undo(Changes.At(46));

        Assert.Multiple(() =>
        {
            Assert.That(_fixture.Store.Writes, Is.EqualTo(writes));
            Assert.That(_fixture.Events.Undone, Is.EqualTo(new[] { (2L, 1L), (0L, 1L) }));
        });
    }

    [Test]
    public async Task Should_opt_in_at_the_service_s_time_when_asked_for_a_time_far_ahead_of_it()
    {
        await Undo(Changes.Now + OptOutService.MaxClockSkew + TimeSpan.FromMinutes(1));

        var record = await _fixture.Store.FindAsync(Changes.AccountId, StageFixture.Number(0).E164);
        Assert.That(record!.StateAt, Is.EqualTo(Changes.Now));
    }

    [Test]
    public void Should_refuse_an_upload_the_account_does_not_have() =>
        Assert.That(Assert.ThrowsAsync<InvalidMessageException>(() => new UndoStage(_fixture.Store, _fixture.Store, _fixture.OptOuts, _fixture.States, _fixture.Clock,
                _fixture.Options).RunAsync(Guid.NewGuid(), _fixture.Job.UploadId, "bob", Changes.At(45), _fixture.Events, CancellationToken.None))!.Message,
            Does.Contain("does not exist"));

    private Task Undo(DateTimeOffset requestedAt) =>
        new UndoStage(_fixture.Store, _fixture.Store, _fixture.OptOuts, _fixture.States, _fixture.Clock, _fixture.Options)
            .RunAsync(Changes.AccountId, _fixture.Job.UploadId, "bob", requestedAt, _fixture.Events, CancellationToken.None);
}
