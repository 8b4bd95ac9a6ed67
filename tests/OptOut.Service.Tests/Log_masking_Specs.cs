using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OptOut.Service.Hosting;

namespace OptOut.Service.Tests;

/// <summary>README "Operations": phone numbers never whole in the logs, whoever wrote the entry.</summary>
[TestFixture]
public class When_the_service_logs
{
    private const string Account = "6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11";

    [Test]
    public void Should_mask_numbers_in_a_library_message_and_in_the_exception()
    {
        // As MassTransit logs a fault whose exception is a driver's duplicate-key error quoting the key.
        var exception = new InvalidOperationException("E11000 duplicate key error dup key: { phone: \"+15552011234\" }");
        var text = Format(LogLevel.Error, "MassTransit.ReceiveTransport", $"R-FAULT rabbitmq://localhost/inbound-message account {Account} from 5552011234", exception);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Not.Contain("5552011234"));
            Assert.That(text, Does.StartWith("fail: MassTransit.ReceiveTransport[7]" + Environment.NewLine));
            Assert.That(text, Does.Contain($"account {Account} from ******1234"), "ids stay whole");
            Assert.That(text, Does.Contain("dup key: { phone: \"********1234\" }"));
            Assert.That(text, Does.Contain(nameof(InvalidOperationException)), "the exception is still there");
        });
    }

    [Test]
    public void Should_mask_every_line_of_a_message_of_several()
    {
        var text = Format(LogLevel.Warning, "OptOut", "first +15552011234\nsecond +447400123456", null);

        Assert.That(text, Is.EqualTo(string.Join(Environment.NewLine, "warn: OptOut[7]", "      first ********1234", "      second *********3456", "")));
    }

    [Test]
    public async Task Should_log_only_to_the_console_through_the_masking_format()
    {
        var directory = Directory.CreateTempSubdirectory("optout-logging-specs-");
        try
        {
            await using var app = OptOutApp.Create([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Bus:Transport"] = "InMemory",
                ["Storage:Provider"] = "Sqlite",
                ["Storage:SqlitePath"] = Path.Combine(directory.FullName, "optout.db"),
            }));

            var providers = app.Services.GetServices<ILoggerProvider>().ToList();
            Assert.Multiple(() =>
            {
                Assert.That(providers.Select(p => p.GetType()), Is.EqualTo(new[] { typeof(ConsoleLoggerProvider) }),
                    "no Debug or EventSource provider: they would get the entries unmasked");
                Assert.That(app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName,
                    Is.EqualTo(MaskingConsoleFormatter.FormatterName));
                Assert.That(app.Services.GetServices<ConsoleFormatter>().OfType<MaskingConsoleFormatter>(), Is.Not.Empty);
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static string Format(LogLevel level, string category, string message, Exception? exception)
    {
        var formatter = new MaskingConsoleFormatter(new StaticOptions(new SimpleConsoleFormatterOptions()));
        var writer = new StringWriter();
        formatter.Write(new LogEntry<string>(level, category, new EventId(7), message, exception, (m, _) => m), null, writer);
        return writer.ToString();
    }

    private sealed class StaticOptions(SimpleConsoleFormatterOptions value) : IOptionsMonitor<SimpleConsoleFormatterOptions>
    {
        public SimpleConsoleFormatterOptions CurrentValue => value;

        public SimpleConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimpleConsoleFormatterOptions, string?> listener) => null;
    }
}
