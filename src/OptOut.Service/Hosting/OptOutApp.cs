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
            .AddOptOutTelemetry(builder.Configuration);

        var app = builder.Build();
        app.MapOptOutHealth();
        return app;
    }
}
