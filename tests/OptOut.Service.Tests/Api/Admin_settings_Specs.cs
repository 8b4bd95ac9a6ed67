using Microsoft.Extensions.Configuration;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests.Api;

/// <summary>The <c>Admin</c> and <c>BulkUpload</c> sections, checked when the service starts (README "Configuration").</summary>
[TestFixture]
public class When_the_service_starts_with_a_setting_that_cannot_work
{
    [TestCase("Admin:MaxJsonBytes", "0", "Admin:MaxJsonBytes is 0; it must be at least 1.")]
    [TestCase("Admin:MaxUploadBytes", "-5", "Admin:MaxUploadBytes is -5; it must be at least 1.")]
    [TestCase("Admin:RequestTimeout", "00:00:00", "Admin:RequestTimeout is 00:00:00; it must be longer than zero.")]
    [TestCase("BulkUpload:BatchSize", "100001", "BulkUpload:BatchSize is 100001; it must be between 1 and 100000.")]
    public async Task Should_stop_naming_the_setting(string key, string value, string message)
    {
        var directory = Path.Combine(Path.GetTempPath(), "optout-admin-settings-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["Bus:Transport"] = "InMemory",
                ["Storage:Provider"] = "Sqlite",
                ["Storage:SqlitePath"] = Path.Combine(directory, "optout.db"),
                ["Logging:LogLevel:Default"] = "None",
                [key] = value,
            };
            // Some are read while the host is built (Kestrel's body limit), the rest when it starts: either way it never runs.
            var thrown = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await using var app = OptOutApp.Create([], b => b.Configuration.AddInMemoryCollection(settings));
                await app.StartAsync();
            });
            Assert.That(thrown!.Message, Is.EqualTo(message));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
