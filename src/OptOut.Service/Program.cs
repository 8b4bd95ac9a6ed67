using OptOut.Service.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services
    .AddOptOutCore(builder.Configuration)
    .AddOptOutBus(builder.Configuration)
    .AddOptOutTelemetry(builder.Configuration);

var app = builder.Build();
app.MapOptOutHealth();
app.Run();

/// <summary>The host's entry point; public so integration tests can start it with WebApplicationFactory.</summary>
public partial class Program;
