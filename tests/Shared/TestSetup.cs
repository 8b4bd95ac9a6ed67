using System.Diagnostics.CodeAnalysis;

namespace OptOut.Testing;

/// <summary>
/// What a fixture does when something it needs (a RabbitMQ broker, a MongoDB, chromium, the built service) is not there,
/// by <c>TEST_SETUP</c> as deploy/test.sh reads it. Under <c>required</c> (CI: .ci/run) the fixture fails, so a run that
/// is meant to have everything can't go green by skipping what it lacks. Under <c>auto</c> (the default) and
/// <c>none</c> it is skipped, with the reason printed.
/// </summary>
/// <remarks>Linked into every test project by tests/Directory.Build.props.</remarks>
internal static class TestSetup
{
    public static bool IsRequired => Environment.GetEnvironmentVariable("TEST_SETUP") == "required";

    /// <summary>Fails (TEST_SETUP=required) or skips the running fixture or test, with <paramref name="reason"/>.</summary>
    [DoesNotReturn]
    public static void Missing(string reason)
    {
        if (IsRequired)
            Assert.Fail($"{reason} (TEST_SETUP=required: what a spec needs must be there, so this fails instead of being skipped)");

        TestContext.Progress.WriteLine($"Skipped: {reason}");
        Assert.Ignore(reason);
    }
}
