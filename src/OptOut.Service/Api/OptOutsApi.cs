using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Api.Responses;

namespace OptOut.Service.Api;

/// <summary><c>opt-outs</c>: manual opt-outs, a number's record, and "Delete Opt Out" (opt back in).</summary>
public static class OptOutsApi
{
    public sealed record OptOutsBody(string? Phones, string? Note);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/opt-outs", Post).ProducesWriteProblems();
        api.MapGet("/opt-outs/{phone}", Get).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/opt-outs/{phone}", Delete).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<Ok<OptOutRequestCompleted>, Accepted<RequestQueuedResponse>, ValidationProblem, ProblemHttpResult>> Post(
        AccountId accountId, OptOutsBody body, HttpContext http, AdminWrites writes, TimeProvider clock)
    {
        var phones = PhoneNumberParser.SplitList([body.Phones]);
        if (phones.Count == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phones"] = ["Enter at least one phone number."] });

        var request = new OptOutRequested
        {
            RequestId = NewId.NextGuid(),
            AccountId = accountId,
            PhoneNumbers = [body.Phones!],
            Source = OptOutRequestSource.Manual,
            RequestedBy = ApiKeyFilter.Actor(http),
            Note = body.Note,
            RequestedAt = clock.GetUtcNow(),
        };
        var write = await writes.OptOutAsync(request);
        return write.Status switch
        {
            AdminWriteStatus.Done => TypedResults.Ok(write.Outcome!),
            AdminWriteStatus.Queued => AdminApi.Queued(request.RequestId),
            _ => AdminApi.Failed(write),
        };
    }

    private static async Task<Results<Ok<OptOutRecordResponse>, ProblemHttpResult>> Get(AccountId accountId, string phone, SettingsCache settings,
        IOptOutStore store, CancellationToken ct)
    {
        var parsed = await Parse(accountId, phone, settings, ct);
        if (parsed.Number is null)
            return NotANumber(parsed);

        var record = await store.FindAsync(accountId, parsed.Number.E164, ct);
        if (record is null || !record.History.Any(h => h.State == OptState.OptedOut))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not opted out",
                detail: $"{parsed.Number.E164} has never been opted out in this account.");
        }

        return TypedResults.Ok(OptOutRecordResponse.From(record));
    }

    private static async Task<Results<Ok<OptInResponse>, Accepted<RequestQueuedResponse>, ProblemHttpResult>> Delete(AccountId accountId, string phone,
        string? reason, HttpContext http, SettingsCache settings, AdminWrites writes, TimeProvider clock, CancellationToken ct)
    {
        var parsed = await Parse(accountId, phone, settings, ct);
        if (parsed.Number is null)
            return NotANumber(parsed);

        var request = new OptInRequested
        {
            RequestId = NewId.NextGuid(),
            AccountId = accountId,
            PhoneNumber = parsed.Number.E164,
            RequestedBy = ApiKeyFilter.Actor(http),
            Reason = reason,
            RequestedAt = clock.GetUtcNow(),
        };
        var write = await writes.OptInAsync(request);
        return write.Status switch
        {
            AdminWriteStatus.Done => TypedResults.Ok(OptInResponse.From(write.Outcome!)),
            AdminWriteStatus.Queued => AdminApi.Queued(request.RequestId),
            _ => AdminApi.Failed(write),
        };
    }

    private static async Task<PhoneParseResult> Parse(AccountId accountId, string phone, SettingsCache settings, CancellationToken ct) =>
        PhoneNumberParser.Parse(Uri.UnescapeDataString(phone), (await settings.GetAsync(accountId, ct)).Settings.DefaultCountryCode);

    private static ProblemHttpResult NotANumber(PhoneParseResult parsed) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a phone number", detail: parsed.Error);
}
