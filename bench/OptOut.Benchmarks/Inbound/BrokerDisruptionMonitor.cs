using MassTransit;

namespace OptOut.Benchmarks.Inbound;

/// <summary>
/// Notices when any bus of the run (or the event listener) loses its broker connection (a receive endpoint faults, as it does when the
/// broker restarts). Redeliveries and reconnects after that make the timing meaningless, so the phase fails
/// instead of reporting a figure.
/// </summary>
internal sealed class BrokerDisruptionMonitor : IReceiveEndpointObserver
{
    private string? _disruption;

    /// <summary>What went wrong first, or null while every endpoint stayed connected.</summary>
    public string? Disruption => Volatile.Read(ref _disruption);

    public void Watch(IBus bus) => bus.ConnectReceiveEndpointObserver(this);

    public void Reset() => Volatile.Write(ref _disruption, null);

    /// <summary>A connection outside MassTransit (the event listener) was lost.</summary>
    public void Report(string disruption) => Interlocked.CompareExchange(ref _disruption, disruption, null);

    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        Interlocked.CompareExchange(
            ref _disruption, $"{faulted.InputAddress.AbsolutePath.TrimStart('/')}: {faulted.Exception?.Message ?? "faulted"}", null);
        return Task.CompletedTask;
    }
}
