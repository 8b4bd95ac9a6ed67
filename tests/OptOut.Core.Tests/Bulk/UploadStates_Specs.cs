using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_an_upload_s_state_is_started_and_saved
{
    [Test]
    public async Task Should_create_it_running_once_and_give_the_stored_one_after()
    {
        var fixture = new StageFixture();

        var first = await fixture.Start();
        var again = await fixture.Start();

        Assert.Multiple(() =>
        {
            Assert.That((first.Status, first.Version, first.StartedAt, first.SubmittedBy), Is.EqualTo((BulkUploadStatus.Running, 1L, Changes.Now, "alice")));
            Assert.That(again, Is.EqualTo(first));
            Assert.That(fixture.Uploads.Saves, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_give_each_save_the_next_version()
    {
        var fixture = new StageFixture();
        var state = await fixture.Start();

        var saved = await fixture.States.SaveAsync(state with { TotalRows = 10 }, CancellationToken.None);

        var stored = await fixture.States.GetAsync(Changes.AccountId, fixture.Job.UploadId, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(saved.Version, Is.EqualTo(2));
            Assert.That(stored, Is.EqualTo(saved));
        });
    }

    [Test]
    public async Task Should_refuse_a_save_when_another_process_saved_in_between()
    {
        var fixture = new StageFixture();
        var state = await fixture.Start();
        await fixture.States.SaveAsync(state with { TotalRows = 10 }, CancellationToken.None);

        Assert.ThrowsAsync<UploadConflictException>(() => fixture.States.SaveAsync(state with { TotalRows = 20 }, CancellationToken.None));
    }
}
