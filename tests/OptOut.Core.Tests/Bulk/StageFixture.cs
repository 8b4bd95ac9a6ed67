using System.Text;
using Microsoft.Extensions.Time.Testing;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>What one stage of an upload needs, to drive it on its own: the stores, the clock, the options, an upload.</summary>
internal sealed class StageFixture
{
    public StageFixture(int batchSize = 100, int checkpointRows = 1_000, int parseThreads = 1)
    {
        Clock = new FakeTimeProvider(Changes.Now);
        Options = new BulkUploadOptions { BatchSize = batchSize, CheckpointRows = checkpointRows, ParseThreads = parseThreads };
        States = new UploadStates(Uploads, Clock);
        OptOuts = new OptOutService(Store, Clock);
    }

    public InMemoryOptOutStore Store { get; } = new();

    public InMemoryUploads Uploads { get; } = new();

    public RecordingEvents Events { get; } = new();

    public FakeTimeProvider Clock { get; }

    public BulkUploadOptions Options { get; }

    public UploadStates States { get; }

    public OptOutService OptOuts { get; }

    public BulkUploadJob Job { get; } = BulkFixture.Job();

    /// <summary>Number <paramref name="i"/> of <see cref="BulkFixture.Numbers"/>.</summary>
    public static PhoneNumber Number(int i) => When_some_numbers_of_a_batch_have_a_record.Number(i);

    /// <summary>Stores a record for <paramref name="change"/>'s number as the state machine decides it from nothing.</summary>
    public Task<bool> Seed(OptChange change) => Store.TryWriteAsync(When_some_numbers_of_a_batch_have_a_record.Insert(change));

    public static Func<CancellationToken, Task<Stream>> Open(string csv) =>
        _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    /// <summary>The file read by the scan stage, as the workflow reads it (US numbers by default).</summary>
    public Task<ScanResult> Scan(string csv, int callingCode = 1) =>
        new ScanStage(SharedParsingThreads.Instance, Options).RunAsync(Open(csv), callingCode, 0, CancellationToken.None);

    /// <summary>The upload's state as the workflow starts it (Running, nothing applied).</summary>
    public Task<BulkUploadState> Start() => States.StartAsync(Job, CancellationToken.None);

    public ApplyStage ApplyStage() => new(Store, Store, OptOuts, States, Clock, Options);

    /// <summary>Scans <paramref name="csv"/> and applies it from the upload's stored state (its checkpoint), listing the account first.</summary>
    public async Task<(ScanResult Scan, ApplyCheckpoint Applied)> Apply(string csv)
    {
        var state = await Start();
        var scan = await Scan(csv);
        ulong[]? known;
        await using (var listing = KnownNumbersListing.Start(Store, Job.AccountId, 2_000_000, CancellationToken.None))
            known = await listing.FinishAsync(scan.Numbers.Length);
        var applied = await ApplyStage().RunAsync(Job, Changes.T0, state, scan, known, Events, CancellationToken.None);
        return (scan, applied);
    }
}
