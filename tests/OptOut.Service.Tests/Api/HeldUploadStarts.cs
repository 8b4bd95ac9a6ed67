using Microsoft.Extensions.DependencyInjection;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// Keeps the queued uploads of one account queued: their consumer's start (the save from the queued version to
/// Running) waits until the spec releases it, so a spec can look at an upload that is still waiting for its turn,
/// as one does behind two long uploads. Installed around each host's upload store.
/// </summary>
public sealed class HeldUploadStarts
{
    private readonly object _gate = new();
    private AccountId? _account;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds the starts of <paramref name="account"/>'s uploads from now on.</summary>
    public void Hold(AccountId account)
    {
        lock (_gate)
        {
            _account = account;
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes once a consumer is waiting to start one of the held uploads.</summary>
    public Task Reached
    {
        get
        {
            lock (_gate)
                return _reached.Task;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _account = null;
            _released.TrySetResult();
        }
    }

    /// <summary>Wraps the host's <see cref="IBulkUploadStore"/> (call from ConfigureTestServices).</summary>
    public void Install(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IBulkUploadStore));
        services.Remove(original);
        services.AddSingleton<IBulkUploadStore>(sp => new Store(Resolve(original, sp), this));
    }

    private static IBulkUploadStore Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IBulkUploadStore)(descriptor.ImplementationInstance
                           ?? descriptor.ImplementationFactory?.Invoke(services)
                           ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    private Task? HeldFor(BulkUploadState state, long expectedVersion)
    {
        lock (_gate)
        {
            if (_account != state.AccountId || state.Status != BulkUploadStatus.Running || expectedVersion != 1)
                return null;
            _reached.TrySetResult();
            return _released.Task;
        }
    }

    private sealed class Store(IBulkUploadStore inner, HeldUploadStarts held) : IBulkUploadStore
    {
        public Task<BulkUploadState?> GetAsync(AccountId accountId, Guid uploadId, CancellationToken cancellationToken = default) =>
            inner.GetAsync(accountId, uploadId, cancellationToken);

        public async Task<bool> TrySaveAsync(BulkUploadState state, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (held.HeldFor(state, expectedVersion) is { } release)
                await release.WaitAsync(cancellationToken);
            return await inner.TrySaveAsync(state, expectedVersion, cancellationToken);
        }

        public Task<IReadOnlyList<BulkUploadState>> ListAsync(AccountId accountId, DateTimeOffset? submittedBefore, int limit,
            CancellationToken cancellationToken = default) =>
            inner.ListAsync(accountId, submittedBefore, limit, cancellationToken);
    }
}
