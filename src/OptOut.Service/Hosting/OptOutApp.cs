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
        configure?.Invoke(builder);
        builder.Services
            .AddOptOutCore(builder.Configuration)
            .AddOptOutBus(builder.Configuration)
            .AddOptOutTelemetry(builder.Configuration)
            .AddAdminApi(builder.Configuration);
        var admin = builder.Configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        // JSON bodies are small; the upload endpoint raises its own limit (a 413 with problem details past either).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = admin.MaxJsonBytes);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOptOutHealth();
        app.MapOpenApi();
        app.MapAdminApi();
        return app;
    }
}
