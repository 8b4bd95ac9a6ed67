namespace OptOut.Service.Tests.Integration;

/// <summary>
/// The teardown of a fixture that started processes, queues and a temp folder: every step runs even when an earlier
/// one failed, and the failures are reported together at the end.
/// </summary>
internal sealed class TeardownSteps
{
    private readonly List<Exception> _failures = [];

    public async Task RunAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception ex)
        {
            _failures.Add(ex);
        }
    }

    /// <summary>Deletes the fixture's temp folder; one left behind (a file still open) is harmless, so that is no failure.</summary>
    public void DeleteFolder(string? directory)
    {
        if (directory is null || !Directory.Exists(directory))
            return;
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public void ThrowIfAnyFailed(string fixture)
    {
        if (_failures.Count > 0)
            throw new AggregateException($"{fixture} teardown failed", _failures);
    }
}
