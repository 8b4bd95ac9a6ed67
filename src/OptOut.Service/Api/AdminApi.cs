using Microsoft.AspNetCore.Http.HttpResults;
using OptOut.Service.Api.Responses;

namespace OptOut.Service.Api;

/// <summary>
/// The administrators' HTTP API (docs/admin-api.md), one file per resource. Writes are applied in the
/// instance that takes the call (<see cref="AdminWrites"/>) and announced with the same events as the bus contracts'
/// consumers publish; bulk uploads and their undo go on the bus to their consumer; every read comes from the store.
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/accounts/{accountId}")
            .AddEndpointFilter<ApiKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithTags("Opt-outs");

        SettingsApi.Map(api);
        OptOutsApi.Map(api);
        ExportApi.Map(api);
        BulkUploadsApi.Map(api);
        return app;
    }

    /// <summary>A write handed to the bus (<see cref="AdminWriteStatus.Queued"/>).</summary>
    internal static Accepted<RequestQueuedResponse> Queued(Guid requestId) => TypedResults.Accepted((string?)null, new RequestQueuedResponse(requestId));

    /// <summary>A write that was refused (400) or could be neither finished nor queued (503).</summary>
    internal static ProblemHttpResult Failed<T>(AdminWrite<T> write)
        where T : class =>
        write.Status == AdminWriteStatus.Refused
            ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request was rejected", detail: write.Detail)
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The change could not be made now", detail: write.Detail);

    /// <summary>
    /// The problems of a write with a JSON body, for the OpenAPI document (its 400 is the validation problem its result
    /// type declares): the body over <c>Admin:MaxJsonBytes</c>, and neither finished nor queued.
    /// </summary>
    internal static RouteHandlerBuilder ProducesWriteProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
