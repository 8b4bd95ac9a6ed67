using MassTransit;
using MassTransit.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Service.Api;
using OptOut.Service.Consumers;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

/// <summary>
/// An upload the admin API stored Queued before it published the job: the consumer starts it from that state as from
/// none, and a redelivered or duplicated job runs it once.
/// </summary>
[TestFixture]
public class When_a_queued_upload_is_delivered
{
    private const string Csv = "phone\n+15552016001\n+15552016002\nnope\n";

    private ServiceHarness _service = null!;
    private readonly Guid _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup() => _service = await ServiceHarness.StartAsync();

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public async Task Should_run_it_once_when_the_job_is_redelivered()
    {
        var (submitted, queued) = await Queue();

        await _service.PublishAndWait(submitted);
        await _service.PublishAndWait(submitted);

        var stored = await Stored(submitted);
        var completions = _service.PublishedContexts<BulkUploadCompleted>();
        Assert.Multiple(async () =>
        {
            Assert.That(_service.Harness.Consumed.SeenNow<BulkUploadSubmitted>().Count(), Is.EqualTo(2));
            Assert.That(_service.Published<Fault<BulkUploadSubmitted>>(), Is.Empty);
            Assert.That(completions, Has.Count.EqualTo(1), "the re-announcement has the same message id");
            Assert.That((completions[0].Context.Message.OptedOut, completions[0].Context.Message.InvalidRows), Is.EqualTo((2L, 1L)));
            Assert.That(_service.Published<ConversationOptStateChanged>(c => c.Source == OptOutSource.BulkUpload), Has.Count.EqualTo(2));
            Assert.That((stored.Status, stored.FileAddress, stored.SubmittedAt), Is.EqualTo((BulkUploadStatus.Completed, queued.FileAddress, queued.SubmittedAt)));
            Assert.That(await BulkEntries(), Is.EqualTo(new[] { 1, 1 }), "one transition per number");
        });
    }

    [Test]
    public async Task Should_run_it_once_when_two_deliveries_start_it_at_the_same_time()
    {
        var (submitted, _) = await Queue();
        var ids = new[] { NewId.NextGuid(), NewId.NextGuid() };

        await Task.WhenAll(ids.Select(id => _service.Bus.Publish(submitted, ctx => ctx.MessageId = id)));
        foreach (var id in ids)
            await _service.WaitForConsumed(id);
        await _service.Quiet();

        var stored = await Stored(submitted);
        Assert.Multiple(async () =>
        {
            Assert.That(_service.Published<Fault<BulkUploadSubmitted>>(), Is.Empty, "a lost start is retried from the stored state, not faulted");
            Assert.That(_service.Published<BulkUploadCompleted>(), Is.Not.Empty);
            Assert.That(_service.Published<BulkUploadCompleted>().Select(c => c.OptedOut), Is.All.EqualTo(2L));
            Assert.That((stored.Status, stored.Counts.OptedOut), Is.EqualTo((BulkUploadStatus.Completed, 2L)));
            Assert.That(await BulkEntries(), Is.EqualTo(new[] { 1, 1 }), "one transition per number");
        });
    }

    [Test]
    public async Task Should_feed_every_progress_to_the_instance_s_progress_cache()
    {
        var (submitted, _) = await Queue();

        await _service.PublishAndWait(submitted);

        // The per-instance endpoint's consumer resolves its cache in every host that configures the endpoints.
        var progress = _service.Harness.Consumed.Select<BulkUploadProgressed>().ToList();
        var cached = _service.Services.GetRequiredService<UploadActivity>().Progress(submitted.UploadId);
        Assert.Multiple(() =>
        {
            Assert.That(progress, Is.Not.Empty);
            Assert.That(progress.Select(p => p.Exception?.Message), Is.All.Null);
            Assert.That(_service.Published<Fault<BulkUploadProgressed>>(), Is.Empty);
            Assert.That(cached?.RowsRead, Is.EqualTo(3), "the furthest progress: every row read");
        });
    }

    /// <summary>What the admin API does before it publishes: the file stored, the upload queued with the file's address.</summary>
    private async Task<(BulkUploadSubmitted Submitted, BulkUploadState Queued)> Queue()
    {
        var submitted = await Uploads.Submit(_service, _account, Csv);
        var queue = new UploadQueue(_service.Services.GetRequiredService<IBulkUploadStore>(), TimeProvider.System);
        var queued = await queue.QueueAsync(BulkUploadSubmittedConsumer.ToJob(submitted, submitted.SubmittedAt), submitted.File!.Address!.ToString(),
            CancellationToken.None);
        Assert.That(queued.FileAddress, Is.Not.Null.And.Not.Empty);
        return (submitted, queued);
    }

    private async Task<BulkUploadState> Stored(BulkUploadSubmitted submitted) =>
        (await _service.Services.GetRequiredService<IBulkUploadStore>().GetAsync(_account, submitted.UploadId))!;

    /// <summary>How many history entries of the upload each of its two numbers has.</summary>
    private async Task<int[]> BulkEntries()
    {
        var store = _service.Services.GetRequiredService<IOptOutStore>();
        var entries = new List<int>();
        foreach (var phone in new[] { "+15552016001", "+15552016002" })
            entries.Add((await store.FindAsync(_account, phone))!.History.Count(h => h.CausationId.StartsWith("bulk:", StringComparison.Ordinal)));
        return [.. entries];
    }
}
