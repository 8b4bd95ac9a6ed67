namespace OptOut.Service.Hosting;

/// <summary>
/// <c>/asyncapi.json</c>: the bus API's AsyncAPI document, anonymous like the health endpoints (it describes the
/// contracts, which are public, and nothing of any account). It is the repository's <c>docs/asyncapi.json</c>,
/// embedded at build time, so the served document is the one reviewed with the contracts.
/// </summary>
public static class AsyncApiEndpoint
{
    public const string Path = "/asyncapi.json";
    private const string ResourceName = "asyncapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(AsyncApiEndpoint).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The service was built without its embedded {ResourceName} (docs/asyncapi.json).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IEndpointRouteBuilder MapAsyncApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, () => Results.Bytes(Document.Value, "application/json")).ExcludeFromDescription();
        return app;
    }
}
