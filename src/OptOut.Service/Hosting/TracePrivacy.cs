using System.Diagnostics;
using OptOut.Core;

namespace OptOut.Service.Hosting;

/// <summary>
/// Keeps phone numbers out of the HTTP server spans (never whole in logs, traces or labels). The
/// instrumentation records the request's path and query; the admin API has the number in its path
/// (<c>/api/accounts/{accountId}/opt-outs/{phone}</c>), typed in any format.
/// </summary>
public static class TracePrivacy
{
    private const string PathTag = "url.path";
    private const string QueryTag = "url.query";

    /// <summary>At the request's start: every run of 7 or more digits in the path and query masked but its last 4.</summary>
    public static void MaskRequest(Activity activity, HttpRequest request)
    {
        activity.SetTag(PathTag, PhoneMask.MaskNumbersIn(request.Path.Value));
        if (request.QueryString.HasValue)
            activity.SetTag(QueryTag, PhoneMask.MaskNumbersIn(request.QueryString.Value));
    }

    /// <summary>
    /// At the response, once routing has run: a <c>{phone}</c> route value masked as a whole, whatever its format
    /// (<c>(555) 201-1234</c> has no run of 7 digits for <see cref="MaskRequest"/> to find).
    /// </summary>
    public static void MaskRoute(Activity activity, HttpResponse response)
    {
        var request = response.HttpContext.Request;
        if (request.RouteValues.TryGetValue("phone", out var value) && value is string { Length: > 0 } phone && request.Path.Value is { } path)
            activity.SetTag(PathTag, PhoneMask.MaskNumbersIn(path.Replace(phone, PhoneMask.Mask(phone), StringComparison.Ordinal)));
    }
}
