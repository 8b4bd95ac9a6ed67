namespace OptOut.Service.Api;

/// <summary>Configuration section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The keys that may call <c>/api</c>, each with the accounts it may touch.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Largest bulk upload accepted over HTTP.</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Largest JSON body accepted.</summary>
    public long MaxJsonBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a request waits for the service's answer before getting 202 and a status URL.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class ApiKeyOptions
{
    /// <summary>The secret (set through the environment or a secret store, never in the repository).</summary>
    public string Key { get; set; } = "";

    /// <summary>Account ids this key may touch; <c>*</c> means every account.</summary>
    public List<string> Accounts { get; set; } = [];

    /// <summary>Who the key belongs to: recorded as the actor of what it does.</summary>
    public string Name { get; set; } = "api";
}

/// <summary>
/// <c>X-Api-Key</c> checks on every <c>/api/accounts/{accountId}</c> endpoint: 401 without a known key, 403 for an
/// account the key may not touch. The key's name becomes the actor in notes and history.
/// </summary>
public sealed class ApiKeyFilter(AdminOptions options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = http.Request.Headers[HeaderName].ToString();
        var key = string.IsNullOrEmpty(presented) ? null : options.ApiKeys.Find(k => FixedTimeEquals(k.Key, presented));
        if (key is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required",
                detail: $"Send a valid key in the {HeaderName} header.");
        }

        var account = http.GetRouteValue("accountId")?.ToString();
        if (account is null || !key.Accounts.Exists(a => a == "*" || string.Equals(a, account, StringComparison.OrdinalIgnoreCase)))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account not allowed",
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
