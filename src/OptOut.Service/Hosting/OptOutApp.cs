using Microsoft.Extensions.Logging.Console;
using OptOut.Service.Api;

namespace OptOut.Service.Hosting;

/// <summary>
/// Builds the service host. <c>Program</c> runs it; the benchmark and integration specs build the same host
/// in-process with their own configuration on top.
/// </summary>
public static class OptOutApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // One log sink, the console, through the masking formatter: the default Debug and EventSource providers would
        // hand whole phone numbers (in library messages and exceptions) to whoever listens.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = MaskingConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<MaskingConsoleFormatter, SimpleConsoleFormatterOptions>();
        configure?.Invoke(builder);
        builder.Services
            .AddOptOutCore(builder.Configuration)
            .AddOptOutBus(builder.Configuration)
            .AddOptOutTelemetry(builder.Configuration)
            .AddAdminApi(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOptOutHealth();
        app.MapAsyncApiDocument();
        app.MapOpenApi();
        app.MapAdminApi();
        return app;
    }
}
