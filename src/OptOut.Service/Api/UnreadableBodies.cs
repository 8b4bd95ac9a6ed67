using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Api;

/// <summary>
/// A request the API could not bind, answered with its status and the reason: a JSON body it can't read is a
/// <c>400</c> validation problem keyed by the field, with the same reason the bus gives for the same mistake
/// (<c>defaultCountryCode: the number 4.4 is not a calling code…</c>), rather than ASP.NET Core's bare 400. Minimal
/// APIs only throw what they can't bind when <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on, which
/// <c>AddAdminApi</c> sets; every other bad request (a body over the limit: 413) keeps its
/// status.
/// </summary>
internal sealed class UnreadableBodies(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
            return false;

        http.Response.StatusCode = bad.StatusCode;
        var json = bad.InnerException as JsonException;
        ProblemDetails problem = InvalidAccount(http) is { } invalidAccount
            ? invalidAccount
            : json is null
            ? new() { Status = bad.StatusCode, Detail = bad.StatusCode == StatusCodes.Status400BadRequest ? PhoneMask.MaskNumbersIn(bad.Message) : null }
            : new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [WireJson.Field(json) ?? ""] = [PhoneMask.MaskNumbersIn(WireJson.Reason(json))],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body could not be read",
                Detail = PhoneMask.MaskNumbersIn(WireJson.Reason(json)),
            };
        return await problems.TryWriteAsync(new() { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A path whose <c>{accountId}</c> breaks the rule fails its binding before any filter runs: answered with the rule,
    /// as <see cref="ApiKeyFilter"/> answers it. The exception handler runs with the route values cleared: the failed
    /// request's are in its feature.
    /// </summary>
    private static ProblemDetails? InvalidAccount(HttpContext http)
    {
        if (http.Features.Get<IExceptionHandlerFeature>()?.RouteValues?["accountId"] is not { } value || AccountId.TryParse(value.ToString(), out _, out var reason))
            return null;
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return new() { Status = StatusCodes.Status400BadRequest, Title = ApiKeyFilter.InvalidAccountTitle, Detail = reason };
    }
}
