using System.Globalization;
using MassTransit;
using MassTransit.MessageData;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OptOut.Bulk.Parallelism;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Core.Outbox;
using OptOut.Service.Api;
using OptOut.Service.Consumers;
using OptOut.Service.Messaging;
using OptOut.Storage.Mongo;
using OptOut.Storage.Sqlite;

namespace OptOut.Service.Hosting;

public static class ServiceRegistration
{
    /// <summary>Core rules, the configured store, telemetry and health checks: everything but the bus.</summary>
    public static IServiceCollection AddOptOutCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingletonTimeProvider();
        services.AddSingleton<SettingsCache>();
        services.AddSingleton<OptOutService>();
        services.AddSingleton<InboundTextHandler>();
        services.AddSingleton<HelpReplyLimiter>();
        services.AddSingleton<OptOutRequestHandler>();
        services.AddSingleton<OptOutTelemetry>();
        services.AddSingleton<EventPublisher>();
        // The outbox: each change's events on the bus once (docs/architecture.md, "Effectively-once out"). The store
        // registers IOutbox; the marks are written until the container is disposed, after the consumers stopped.
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section)).CheckedOnStart(o => o.EnsureUsable());
        services.AddSingleton<PublishClaims>();
        services.AddSingleton(sp => new SentMarks(sp.GetRequiredService<IOutbox>(), sp.GetRequiredService<ILogger<SentMarks>>()));
        services.AddSingleton<SettingsUpdater>();
        services.AddOptions<BulkUploadSettings>().Bind(configuration.GetSection(BulkUploadSettings.Section)).CheckedOnStart(s => s.EnsureUsable());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BulkUploadSettings>>().Value.ToOptions());
        services.AddSingleton<IBlobStore, MessageDataBlobStore>();
        services.AddSingleton<IParsingThreads, ParallelParsingThreads>();
        services.AddSingleton<BulkUploadProcessor>();
        services.AddSingleton<BusBulkUploadEvents.Factory>(sp =>
        {
            var publisher = sp.GetRequiredService<EventPublisher>();
            var clock = sp.GetRequiredService<TimeProvider>();
            return context => new BusBulkUploadEvents(context, publisher, clock);
        });

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        switch (storage.Provider.ToUpperInvariant())
        {
            case "SQLITE":
                services.AddSqliteOptOutStore(storage.SqlitePath);
                // Uploaded files and reports next to the database: the embedded setup is one folder.
                services.AddSingleton<IMessageDataRepository>(_ => new FileSystemMessageDataRepository(
                    new DirectoryInfo(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath)) ?? ".", "message-data"))));
                break;
            case "MONGO" or "MONGODB":
                services.AddMongoOptOutStore(storage.MongoUri, storage.MongoDatabase);
                services.AddGridFsMessageData();
                services.AddHostedService<GridFsCleanupService>();
                break;
            default:
                throw new InvalidOperationException($"Storage:Provider '{storage.Provider}' is not supported: use Sqlite or Mongo.");
        }

        // Registered before the bus so the schema and indexes exist before the first message is consumed.
        services.AddHostedService<StoreInitializerService>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        return services;
    }

    /// <summary>Registers the consumers and their definitions (shared by the host and the test harness).</summary>
    public static void AddOptOutConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.SetKebabCaseEndpointNameFormatter();
        bus.AddConsumer<InboundMessageConsumer, InboundMessageConsumerDefinition>();
        bus.AddConsumer<OptOutRequestedConsumer, OptOutRequestedConsumerDefinition>();
        bus.AddConsumer<OptInRequestedConsumer, OptInRequestedConsumerDefinition>();
        bus.AddConsumer<UpdateOptOutSettingsConsumer, UpdateOptOutSettingsConsumerDefinition>();
        bus.AddConsumer<SettingsChangedCacheConsumer>().ExcludeFromConfigureEndpoints();
        // The progress cache this consumer feeds is registered with it: every host that configures the consumers'
        // endpoints (the service, the test harness) must be able to make it, with or without the admin API.
        bus.AddMemoryCache();
        bus.TryAddSingleton<UploadActivity>();
        bus.AddConsumer<UploadActivityConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<BulkUploadSubmittedConsumer, BulkUploadSubmittedConsumerDefinition>();
        bus.AddConsumer<BulkUploadUndoRequestedConsumer, BulkUploadUndoRequestedConsumerDefinition>();
    }

    /// <summary>
    /// Endpoint configuration shared by every transport: plain JSON from non-.NET producers, enums as strings, the
    /// per-instance settings cache queue, then the consumers' own endpoints.
    /// </summary>
    public static void ConfigureOptOutEndpoints<TEndpoint>(this IBusFactoryConfigurator<TEndpoint> cfg, IBusRegistrationContext context)
        where TEndpoint : IReceiveEndpointConfigurator
    {
        ConfigureJson(cfg);
        // Claim check for upload files and reports (MassTransit message data).
        cfg.UseMessageData(context.GetRequiredService<IMessageDataRepository>());
        // One temporary queue per instance: what every instance must see (settings changes, upload progress).
        cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("optout-instance"), e =>
        {
            e.ConfigureConsumer<SettingsChangedCacheConsumer>(context);
            e.ConfigureConsumer<UploadActivityConsumer>(context);
        });
        cfg.ConfigureEndpoints(context);
    }

    /// <summary>
    /// The wire format: the MassTransit envelope and plain <c>application/json</c> (camelCase). Read tolerantly and
    /// written strictly (<see cref="WireJson"/>): enums by name in any letter case, a calling code as a number or a
    /// string; a numeric or unknown enum value is a clear deserialization fault, never a default.
    /// </summary>
    public static void ConfigureJson(IBusFactoryConfigurator cfg)
    {
        cfg.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders | RawSerializerOptions.CopyHeaders, isDefault: false);
        cfg.ConfigureJsonSerializerOptions(options => options.UseTolerantReading());
    }

    /// <summary>The bus on the configured transport (RabbitMQ unless <c>Bus:Transport</c> is InMemory).</summary>
    public static IServiceCollection AddOptOutBus(this IServiceCollection services, IConfiguration configuration)
    {
        var bus = configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var rabbit = configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        services.AddMassTransit(x =>
        {
            x.AddOptOutConsumers();
            if (string.Equals(bus.Transport, "InMemory", StringComparison.OrdinalIgnoreCase))
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureOptOutEndpoints(context));
                return;
            }

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                });
                cfg.ConfigureOptOutEndpoints(context);
            });
        });
        // After the bus, which starts first: it re-sends what no message is left to.
        services.AddHostedService<OutboxSweeper>();
        return services;
    }

    /// <summary>
    /// OpenTelemetry: MassTransit's source and meter plus the service's own, exported over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT says where to. Without an endpoint nothing is registered: a listener on the
    /// MassTransit source makes every message create and record activities (10-25% of the hot path's CPU in the
    /// inbound benchmark), and one on its meter aggregates several tagged measurements per message, all for nobody.
    /// </summary>
    public static IServiceCollection AddOptOutTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return services;

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("optout-service"))
            .WithMetrics(m => m
                .AddMeter("MassTransit")
                .AddMeter(OptOutTelemetry.Name)
                .AddAspNetCoreInstrumentation())
            .WithTracing(t => t
                .AddSource("MassTransit")
                .AddSource(OptOutActivity.SourceName)
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                    // The admin API takes a phone number in its path (/opt-outs/{phone}): never whole in a span.
                    o.EnrichWithHttpRequest = TracePrivacy.MaskRequest;
                    o.EnrichWithHttpResponse = TracePrivacy.MaskRoute;
                }))
            .UseOtlpExporter();
        return services;
    }

    /// <summary>The admin HTTP API: keys, its in-process writes, queued uploads, OpenAPI, problem details, the JSON body limit.</summary>
    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section)).CheckedOnStart(o => o.EnsureUsable());
        // JSON bodies are small; the upload endpoint raises its own limit (a 413 with problem details past either).
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AdminOptions>>((kestrel, admin) =>
            kestrel.Limits.MaxRequestBodySize = admin.Value.MaxJsonBytes);
        services.AddSingleton<ApiKeyFilter>();
        services.AddScoped<AdminWrites>();
        services.AddSingleton<UploadQueue>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Kestrel's own 413 (a JSON body over Admin:MaxJsonBytes) has no detail: say what the limit is.
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && context.ProblemDetails.Detail is null)
            {
                var admin = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                context.ProblemDetails.Detail = string.Create(CultureInfo.InvariantCulture, $"Request bodies are limited to {admin.MaxJsonBytes:N0} bytes.");
            }
        });
        services.AddOpenApi(o => o.AddSchemaTransformer(EnumSchemas.Describe));
        // The bus's reading and writing rules for the API's bodies and answers too, and a body it can't read answered
        // with the reason (UnreadableBodies) instead of a bare 400; so is a path whose account id breaks the rule (its
        // binding throws before the endpoint filters run).
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.UseTolerantReading());
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<UnreadableBodies>();
        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }
}

/// <summary>Creates the store's schema and indexes at startup (CONVENTIONS: indexes are created by the service itself).</summary>
internal sealed class StoreInitializerService(IEnumerable<IStoreInitializer> initializers) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var initializer in initializers)
            await initializer.InitializeAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Readiness: the store answers.</summary>
internal sealed class StoreHealthCheck(IOptOutStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await store.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("store unreachable: " + ex.GetType().Name, ex);
        }
    }
}

/// <summary>
/// Deletes expired upload files and reports from GridFS every hour. (A TTL index would drop the file documents
/// and leave their chunks behind, so expiry is a cleanup pass.)
/// </summary>
internal sealed class GridFsCleanupService(GridFsMessageDataRepository repository, ILogger<GridFsCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var deleted = await repository.DeleteExpiredAsync(stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("Deleted {Count} expired message data files", deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Deleting expired message data failed; retrying in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
