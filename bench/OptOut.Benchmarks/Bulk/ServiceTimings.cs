using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Benchmarks.Bulk;

/// <summary>Time spent in one kind of call, summed over every caller (calls may overlap).</summary>
internal sealed class Section
{
    private long _ticks;
    private long _calls;
    private long _items;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public long Calls => Interlocked.Read(ref _calls);

    public long Items => Interlocked.Read(ref _items);

    /// <summary>Times a call from its start: a store call may do all its work before it returns its task.</summary>
    public async Task<T> Time<T>(Func<Task<T>> call, Func<T, int>? items = null)
    {
        var started = Stopwatch.GetTimestamp();
        var result = default(T);
        try
        {
            result = await call();
            return result;
        }
        finally
        {
            Add(Stopwatch.GetTimestamp() - started, result is null || items is null ? 1 : items(result));
        }
    }

    public async Task Time(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await call();
        }
        finally
        {
            Add(Stopwatch.GetTimestamp() - started, 1);
        }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _items, 0);
    }

    private void Add(long ticks, int items)
    {
        Interlocked.Add(ref _ticks, ticks);
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _items, items);
    }
}

/// <summary>One save of an upload's state, as the processor made it: the timeline of its stages.</summary>
internal readonly record struct UploadSave(Guid UploadId, long Timestamp, TimeSpan Duration, BulkUploadStatus Status, long Version, long TotalRows,
    long NumbersApplied, long EventsDispatched);

/// <summary>
/// Where the service spends an upload's time, measured from outside the processor: the store, upload-state and
/// blob calls it makes are timed by decorators the benchmark puts around the service's own registrations, so the
/// service's code carries no benchmark instrumentation. What is left of a stage after the calls is the processor's
/// own work on its thread (CSV reading, parsing, decisions, the report) or, in dispatch, publishing.
/// </summary>
internal sealed class ServiceTimings
{
    private readonly Lock _lock = new();
    private readonly List<UploadSave> _saves = [];

    public Section FindMany { get; } = new();

    /// <summary>The account's numbers, listed while the file is read (pass 2 then reads only the records that exist).</summary>
    public Section ListPhones { get; } = new();

    public Section TryWriteMany { get; } = new();

    /// <summary>Writes of a TryWriteMany or TryInsertMany that came back false (an upload's insert of a number that has a record, or a lost race).</summary>
    public long WritesNotDone => Interlocked.Read(ref _writesNotDone);

    private long _writesNotDone;

    /// <summary>An upload's new numbers, inserted with one decision a batch at a time.</summary>
    public Section TryInsertMany { get; } = new();

    /// <summary>Pages of the upload's change log (dispatch), before their records are read (<see cref="FindMany"/>).</summary>
    public Section ListChanges { get; } = new();

    /// <summary>The upload's changed numbers recorded at its checkpoints (for dispatch and undo).</summary>
    public Section RecordChanges { get; } = new();

    /// <summary>Single-number reads and writes: the keyword path (STOP probes) and an upload's lost races.</summary>
    public Section Single { get; } = new();

    public Section UploadSaves { get; } = new();

    public Section BlobPut { get; } = new();

    public IReadOnlyList<UploadSave> Saves
    {
        get
        {
            lock (_lock)
                return [.. _saves];
        }
    }

    public void Reset()
    {
        foreach (var section in new[] { FindMany, ListPhones, TryWriteMany, TryInsertMany, ListChanges, RecordChanges, Single, UploadSaves, BlobPut })
            section.Reset();
        Interlocked.Exchange(ref _writesNotDone, 0);
        lock (_lock)
            _saves.Clear();
    }

    /// <summary>Puts the timing decorators around the store, upload-state and blob registrations of the service.</summary>
    public void Decorate(IServiceCollection services)
    {
        Replace<IOptOutStore>(services, inner => new TimedOptOutStore(inner, this));
        Replace<IBulkChangeLog>(services, inner => new TimedChangeLog(inner, this));
        Replace<IBulkUploadStore>(services, inner => new TimedBulkUploadStore(inner, this));
        Replace<IBlobStore>(services, inner => new TimedBlobStore(inner, this));
    }

    private void Saved(BulkUploadState state, long started)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
            _saves.Add(new UploadSave(state.UploadId, now, Stopwatch.GetElapsedTime(started, now), state.Status, state.Version, state.TotalRows,
                state.NumbersApplied, state.EventsDispatched));
    }

    private static void Replace<T>(IServiceCollection services, Func<T, T> wrap)
        where T : class
    {
        var index = -1;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(T) && !services[i].IsKeyedService)
                index = i;
        }

        if (index < 0)
            throw new InvalidOperationException($"the service registers no {typeof(T).Name}");
        var descriptor = services[index];
        Func<IServiceProvider, object> create = descriptor switch
        {
            { ImplementationFactory: { } factory } => factory,
            { ImplementationInstance: { } instance } => _ => instance,
            _ => sp => ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!),
        };
        services[index] = ServiceDescriptor.Describe(typeof(T), sp => wrap((T)create(sp)), descriptor.Lifetime);
    }

    private sealed class TimedOptOutStore(IOptOutStore inner, ServiceTimings timings) : IOptOutStore
    {
        public Task<OptOutRecord?> FindAsync(AccountId accountId, string phone, CancellationToken cancellationToken = default) =>
            timings.Single.Time(() => inner.FindAsync(accountId, phone, cancellationToken));

        public Task<bool> TryWriteAsync(OptOutWrite write, CancellationToken cancellationToken = default) =>
            timings.Single.Time(() => inner.TryWriteAsync(write, cancellationToken));

        public Task<IReadOnlyList<OptOutRecord>> ListAsync(AccountId accountId, OptState? state, string? afterPhone, int limit,
            CancellationToken cancellationToken = default) =>
            inner.ListAsync(accountId, state, afterPhone, limit, cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

        public Task<IReadOnlyDictionary<string, OptOutRecord>> FindManyAsync(AccountId accountId, IReadOnlyCollection<string> phones,
            CancellationToken cancellationToken = default) =>
            timings.FindMany.Time(() => inner.FindManyAsync(accountId, phones, cancellationToken), _ => phones.Count);

        public Task<IReadOnlyList<string>> ListPhonesAsync(AccountId accountId, string? afterPhone, int limit, CancellationToken cancellationToken = default) =>
            timings.ListPhones.Time(() => inner.ListPhonesAsync(accountId, afterPhone, limit, cancellationToken), page => page.Count);

        public async Task<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<OptOutWrite> writes, CancellationToken cancellationToken = default)
        {
            var results = await timings.TryWriteMany.Time(() => inner.TryWriteManyAsync(writes, cancellationToken), _ => writes.Count);
            Interlocked.Add(ref timings._writesNotDone, results.Count(done => !done));
            return results;
        }

        public async Task<IReadOnlyList<bool>> TryInsertManyAsync(NewNumbers inserts, CancellationToken cancellationToken = default)
        {
            var results = await timings.TryInsertMany.Time(() => inner.TryInsertManyAsync(inserts, cancellationToken), _ => inserts.Numbers.Count);
            Interlocked.Add(ref timings._writesNotDone, results.Count(done => !done));
            return results;
        }
    }

    private sealed class TimedChangeLog(IBulkChangeLog inner, ServiceTimings timings) : IBulkChangeLog
    {
        public Task RecordChangesAsync(AccountId accountId, string causationId, long position, IReadOnlyList<string> phones,
            CancellationToken cancellationToken = default) =>
            timings.RecordChanges.Time(async () =>
            {
                await inner.RecordChangesAsync(accountId, causationId, position, phones, cancellationToken);
                return phones.Count;
            }, count => count);

        public Task<ChangedNumbers> ListChangesAsync(AccountId accountId, string causationId, string? after, int limit,
            CancellationToken cancellationToken = default) =>
            timings.ListChanges.Time(() => inner.ListChangesAsync(accountId, causationId, after, limit, cancellationToken), page => page.Phones.Count);
    }

    private sealed class TimedBulkUploadStore(IBulkUploadStore inner, ServiceTimings timings) : IBulkUploadStore
    {
        public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
            inner.GetAsync(accountId, uploadId, cancellationToken);

        public async Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var saved = await timings.UploadSaves.Time(() => inner.TrySaveAsync(state, expectedVersion, cancellationToken));
            if (saved)
                timings.Saved(state, started);
            return saved;
        }

        public Task<IReadOnlyList<BulkUploadState>> ListAsync(AccountId accountId, DateTimeOffset? submittedBefore, int limit,
            CancellationToken cancellationToken = default) =>
            inner.ListAsync(accountId, submittedBefore, limit, cancellationToken);
    }

    private sealed class TimedBlobStore(IBlobStore inner, ServiceTimings timings) : IBlobStore
    {
        public Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default) =>
            timings.BlobPut.Time(() => inner.PutAsync(content, cancellationToken));

        public Task<Stream> OpenAsync(string address, CancellationToken cancellationToken = default) => inner.OpenAsync(address, cancellationToken);
    }
}

/// <summary>Lets the benchmark change the service's registrations after the service made them (OptOutApp registers everything itself).</summary>
internal sealed class DecoratingServiceProviderFactory(Action<IServiceCollection> decorate) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        decorate(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => containerBuilder.BuildServiceProvider();
}
