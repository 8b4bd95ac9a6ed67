namespace OptOut.Core;

/// <summary>
/// Creates what a store needs before first use (SQLite schema, MongoDB indexes). The host calls every registered
/// initializer once at startup, so a fresh database needs no manual step (indexes are created at
/// startup by the service itself). Implementations are idempotent.
/// </summary>
public interface IStoreInitializer
{
    Task InitializeAsync(CancellationToken cancellationToken);
}
