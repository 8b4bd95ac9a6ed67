using Microsoft.Extensions.Options;
using OptOut.Contracts;

namespace OptOut.Service.Api;

/// <summary>
/// <c>X-Api-Key</c> checks on every <c>/api/accounts/{accountId}</c> endpoint: 401 without a known key, 400 for a path
/// whose account is not an account id (<see cref="AccountId"/>, with the rule), 403 for an account the key may not
/// touch (compared exactly, as accounts are). The key's name becomes the actor in notes and history.
/// </summary>
public sealed class ApiKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    /// <summary>The title of the answer to a path whose account id breaks the rule.</summary>
    internal const string InvalidAccountTitle = "Invalid account id";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = http.Request.Headers[HeaderName].ToString();
        var key = string.IsNullOrEmpty(presented) ? null : options.Value.ApiKeys.Find(k => FixedTimeEquals(k.Key, presented));
        if (key is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required",
                detail: $"Send a valid key in the {HeaderName} header.");
        }

        // The handlers bind the same value as an AccountId; with RouteHandlerOptions.ThrowOnBadRequest that binding
        // throws on a bad one first (UnreadableBodies answers it the same way), so this is the answer without it.
        if (!AccountId.TryParse(http.GetRouteValue("accountId")?.ToString(), out var account, out var reason))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: InvalidAccountTitle, detail: reason);

        if (!key.Accounts.Exists(a => a == "*" || string.Equals(a, account.Value, StringComparison.Ordinal)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account not allowed",
                detail: $"This API key may not touch account {account}.");
        }

        http.Items[nameof(ApiKeyOptions)] = key;
        return await next(context);
    }

    public static string Actor(HttpContext http) =>
        http.Items[nameof(ApiKeyOptions)] is ApiKeyOptions key ? key.Name : "api";

    private static bool FixedTimeEquals(string expected, string presented) =>
        expected.Length > 0 && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(presented));
}
