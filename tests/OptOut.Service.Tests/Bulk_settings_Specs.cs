using Microsoft.Extensions.Configuration;
using OptOut.Core.Bulk;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests;

/// <summary>The <c>BulkUpload</c> section of the configuration (README "Configuration").</summary>
[TestFixture]
public class When_configuring_bulk_uploads
{
    [Test]
    public void Should_use_the_configured_values()
    {
        var options = Options(new()
        {
            ["BulkUpload:MaxRows"] = "500",
            ["BulkUpload:BatchSize"] = "250",
            ["BulkUpload:CheckpointRows"] = "5000",
            ["BulkUpload:ParseThreads"] = "2",
        });

        Assert.That((options.Limits.MaxRows, options.BatchSize, options.CheckpointRows, options.ParseThreads), Is.EqualTo((500L, 250, 5_000, 2)));
    }

    [Test]
    public void Should_bind_the_other_settings_too()
    {
        var options = Options(new()
        {
            ["BulkUpload:MaxListedNumbers"] = "0",
            ["BulkUpload:ProgressInterval"] = "00:00:05",
            ["BulkUpload:ReportTimeToLive"] = "7.00:00:00",
        });

        Assert.That((options.MaxListedNumbers, options.ProgressInterval, options.ReportTimeToLive),
            Is.EqualTo((0, TimeSpan.FromSeconds(5), TimeSpan.FromDays(7))));
    }

    [Test]
    public void Should_default_to_core_s_values() =>
        Assert.That(Options(new()), Is.EqualTo(new BulkUploadOptions()));

    [Test]
    public void Should_default_to_a_parsing_thread_per_core_up_to_four() =>
        Assert.That(Options(new()).ParseThreads, Is.EqualTo(Math.Min(Environment.ProcessorCount, 4)));

    [TestCase("ParseThreads", "0")]
    [TestCase("ParseThreads", "65")]
    [TestCase("BatchSize", "0")]
    [TestCase("CheckpointRows", "-1")]
    [TestCase("MaxRows", "0")]
    [TestCase("MaxListedNumbers", "-1")]
    [TestCase("ProgressInterval", "00:00:00")]
    [TestCase("ReportTimeToLive", "-1.00:00:00")]
    public void Should_refuse_a_value_that_cannot_work_naming_the_setting(string name, string value)
    {
        var thrown = Assert.Throws<InvalidOperationException>(() => Options(new() { ["BulkUpload:" + name] = value }));

        Assert.That(thrown!.Message, Does.StartWith($"BulkUpload:{name} is {value};"));
    }

    private static BulkUploadOptions Options(Dictionary<string, string?> settings)
    {
        settings["Storage:Provider"] = "Sqlite";
        settings["Storage:SqlitePath"] = Path.Combine(Path.GetTempPath(), "optout-settings-" + Guid.NewGuid().ToString("N") + ".db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptOutCore(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<BulkUploadOptions>();
    }
}
