using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OptOut.Core;

namespace OptOut.Service.Hosting;

/// <summary>
/// The service's console log format: the simple formatter's layout (<c>level: category[event id]</c>, then the message
/// and any exception, indented), with every phone number masked but its last 4 digits in the
/// whole entry. The service's own log statements mask what they log, but this one place also covers what they can't
/// see: a library's message or an exception (a driver's duplicate-key error quotes the key) written by MassTransit or
/// ASP.NET Core. Honours <see cref="SimpleConsoleFormatterOptions"/>' timestamp and scope settings
/// (<c>Logging:Console:FormatterOptions</c>).
/// </summary>
public sealed class MaskingConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "optout-masked";

    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
            return;

        var settings = options.CurrentValue;
        var entry = new StringBuilder();
        if (settings.TimestampFormat is { } format)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            entry.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }

        entry.Append(Level(logEntry.LogLevel)).Append(": ").Append(logEntry.Category)
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append(']').AppendLine();
        if (settings.IncludeScopes && scopeProvider is not null)
            scopeProvider.ForEachScope((scope, text) => text.Append(Indent).Append("=> ").Append(scope).AppendLine(), entry);
        if (!string.IsNullOrEmpty(message))
            entry.Append(Indent).AppendLine(message.ReplaceLineEndings(Environment.NewLine + Indent));
        if (logEntry.Exception is not null)
            entry.AppendLine(logEntry.Exception.ToString());

        textWriter.Write(PhoneMask.MaskNumbersIn(entry.ToString()));
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
