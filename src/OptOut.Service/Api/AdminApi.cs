using System.Globalization;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Service.Api;

/// <summary>
/// The administrators' HTTP API (issue #4, docs/admin-api.md). Every write goes through the same bus contracts
/// and consumers as any other producer's; every read comes from the store.
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/accounts/{accountId:guid}")
            .AddEndpointFilter<ApiKeyFilter>()
            .WithTags("Opt-outs");

        api.MapGet("/settings", SettingsApi.Get);
        api.MapPut("/settings", SettingsApi.Put);
        api.MapPost("/opt-outs", PostOptOuts);
        api.MapGet("/requests/{requestId:guid}", GetRequest);
        api.MapGet("/opt-outs.csv", Export);
        api.MapGet("/opt-outs/{phone}", GetOptOut);
        api.MapDelete("/opt-outs/{phone}", DeleteOptOut);
        api.MapPost("/bulk-uploads", PostBulkUpload).DisableAntiforgery();
        api.MapGet("/bulk-uploads", ListBulkUploads);
        api.MapGet("/bulk-uploads/{uploadId:guid}", GetBulkUpload);
        api.MapGet("/bulk-uploads/{uploadId:guid}/report.csv", GetBulkUploadReport);
        api.MapPost("/bulk-uploads/{uploadId:guid}/undo", UndoBulkUpload);
        return app;
    }

    public sealed record OptOutsBody(string? Phones, string? Note);

    private static async Task<IResult> PostOptOuts(Guid accountId, OptOutsBody body, HttpContext http, IRequestClient<OptOutRequested> client,
        ApiResultCache results, AdminOptions options, CancellationToken ct)
    {
        var phones = PhoneNumberParser.SplitList([body.Phones]);
        if (phones.Count == 0)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["phones"] = ["Enter at least one phone number."] });

        var requestId = NewId.NextGuid();
        results.Pending(requestId);
        var message = new OptOutRequested
        {
            RequestId = requestId,
            AccountId = accountId,
            PhoneNumbers = [body.Phones!],
            Source = OptOutRequestSource.Manual,
            RequestedBy = ApiKeyFilter.Actor(http),
            Note = body.Note,
            RequestedAt = DateTimeOffset.UtcNow,
        };
        try
        {
            var response = await client.GetResponse<OptOutRequestCompleted>(message, ct, RequestTimeout.After(ms: (int)options.RequestTimeout.TotalMilliseconds));
            return Results.Ok(response.Message);
        }
        catch (RequestTimeoutException)
        {
            // The request is on the bus and will be applied; the caller polls instead of hanging.
            var statusUrl = $"/api/accounts/{accountId}/requests/{requestId}";
            return Results.Accepted(statusUrl, new { requestId, statusUrl });
        }
        catch (RequestFaultException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request was rejected",
                detail: e.Fault?.Exceptions.FirstOrDefault()?.Message);
        }
    }

    private static IResult GetRequest(Guid accountId, Guid requestId, ApiResultCache results)
    {
        if (results.Result(requestId) is { } completed && completed.AccountId == accountId)
            return Results.Ok(completed);
        return results.IsPending(requestId)
            ? Results.Accepted($"/api/accounts/{accountId}/requests/{requestId}", new { requestId, status = "Pending" })
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown request", detail: $"No request {requestId} is known here.");
    }

    private static async Task<IResult> GetOptOut(Guid accountId, string phone, SettingsCache settings, IOptOutStore store, CancellationToken ct)
    {
        var parsed = await Parse(accountId, phone, settings, ct);
        if (parsed.Number is null)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a phone number", detail: parsed.Error);

        var record = await store.FindAsync(accountId, parsed.Number.E164, ct);
        if (record is null || !record.History.Any(h => h.State == OptState.OptedOut))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not opted out",
                detail: $"{parsed.Number.E164} has never been opted out in this account.");
        }

        return Results.Ok(new
        {
            phoneNumber = record.Phone,
            state = record.State,
            source = record.Source,
            note = record.Note,
            actor = record.Actor,
            optedOutAt = record.History.LastOrDefault(h => h.State == OptState.OptedOut)?.At,
            updatedAt = record.UpdatedAt,
            flagged = record.Flagged,
            // How the contact's text was read (keyword, phrase or typo; language, what matched, score, why), for an
            // entry an inbound text caused: the evidence of a detected revocation (DESIGN.md §8).
            history = record.History.Select(h => new { h.State, h.Source, h.At, h.Actor, h.Note, h.Detection }),
        });
    }

    private static async Task<IResult> DeleteOptOut(Guid accountId, string phone, string? reason, HttpContext http, SettingsCache settings,
        IRequestClient<OptInRequested> client, ApiResultCache results, AdminOptions options, CancellationToken ct)
    {
        var parsed = await Parse(accountId, phone, settings, ct);
        if (parsed.Number is null)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a phone number", detail: parsed.Error);

        var requestId = NewId.NextGuid();
        results.Pending(requestId);
        try
        {
            var response = await client.GetResponse<OptOutRequestCompleted>(new OptInRequested
            {
                RequestId = requestId,
                AccountId = accountId,
                PhoneNumber = parsed.Number.E164,
                RequestedBy = ApiKeyFilter.Actor(http),
                Reason = reason,
                RequestedAt = DateTimeOffset.UtcNow,
            }, ct, RequestTimeout.After(ms: (int)options.RequestTimeout.TotalMilliseconds));
            var result = response.Message.Results.Single();
            return Results.Ok(new { phoneNumber = result.PhoneNumber, outcome = result.Outcome, reason = result.Reason });
        }
        catch (RequestTimeoutException)
        {
            // As for POST opt-outs: the opt-in is on the bus and will be applied; a 500 would say it failed.
            var statusUrl = $"/api/accounts/{accountId}/requests/{requestId}";
            return Results.Accepted(statusUrl, new { requestId, statusUrl });
        }
    }

    /// <summary>Streams every current opt-out a page at a time: a million rows never sit in memory.</summary>
    private static async Task Export(Guid accountId, HttpContext http, IOptOutStore store, CancellationToken ct)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"opt-outs-{accountId:N}.csv\"";
        var body = http.Response.BodyWriter.AsStream();
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync("phone,optedOutAt,source,note\n");
        string? after = null;
        var line = new StringBuilder(256);
        while (true)
        {
            var page = await store.ListAsync(accountId, OptState.OptedOut, after, 1_000, ct);
            if (page.Count == 0)
                break;
            foreach (var record in page)
            {
                line.Clear();
                line.Append(record.Phone).Append(',')
                    .Append(record.StateAt.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                    .Append(record.Source).Append(',');
                CsvCell.Append(line, record.Note);
                line.Append('\n');
                await writer.WriteAsync(line, ct);
            }

            after = page[^1].Phone;
            await writer.FlushAsync(ct);
        }
    }

    private static async Task<IResult> PostBulkUpload(Guid accountId, HttpContext http, IMessageDataRepository repository, IPublishEndpoint publish,
        ApiResultCache results, AdminOptions options, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        if (!http.Request.HasFormContentType)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Send the file as multipart/form-data", detail: "Use a 'file' field.");
        if (http.Request.ContentLength > options.MaxUploadBytes)
            return UploadTooLarge(options);

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = options.MaxUploadBytes }, ct);
        }
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } or InvalidDataException)
        {
            // A chunked body over the limit: Kestrel (or the multipart reader) stops reading; without this it is a 500.
            return UploadTooLarge(options);
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Choose a CSV file with a 'phone' column."] });

        var uploadId = NewId.NextGuid();
        results.UploadSubmitted(accountId, uploadId);
        await using var content = file.OpenReadStream();
        var stored = await repository.PutStream(content, ct);
        await publish.Publish(new BulkUploadSubmitted
        {
            UploadId = uploadId,
            AccountId = accountId,
            FileName = Path.GetFileName(file.FileName),
            File = stored,
            SubmittedBy = ApiKeyFilter.Actor(http),
            SubmittedAt = DateTimeOffset.UtcNow,
            DryRun = bool.TryParse(form["dryRun"], out var dryRun) && dryRun,
        }, ct);

        var statusUrl = $"/api/accounts/{accountId}/bulk-uploads/{uploadId}";
        return Results.Accepted(statusUrl, new { uploadId, statusUrl });
    }

    private static IResult UploadTooLarge(AdminOptions options) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large",
            detail: string.Create(CultureInfo.InvariantCulture, $"Uploads are limited to {options.MaxUploadBytes:N0} bytes: split the file."));

    private static async Task<IResult> ListBulkUploads(Guid accountId, DateTimeOffset? before, IBulkUploadStore uploads, ApiResultCache results,
        CancellationToken ct)
    {
        var page = await uploads.ListAsync(accountId, before, 50, ct);
        return Results.Ok(page.Select(u => UploadView(u, results)));
    }

    private static async Task<IResult> GetBulkUpload(Guid accountId, Guid uploadId, IBulkUploadStore uploads, ApiResultCache results, CancellationToken ct)
    {
        if (await uploads.GetAsync(accountId, uploadId, ct) is { } state)
            return Results.Ok(UploadView(state, results));
        // Accepted but not picked up yet (uploads run two at a time per instance): the consumer creates the state when it starts.
        if (results.Progress(uploadId) is null && !results.IsUploadSubmitted(accountId, uploadId))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown upload", detail: $"No upload {uploadId} in this account yet.");
        return Results.Ok(new { uploadId, status = "Queued" });
    }

    private static async Task<IResult> GetBulkUploadReport(Guid accountId, Guid uploadId, IBulkUploadStore uploads, IBlobStore blobs, CancellationToken ct)
    {
        var state = await uploads.GetAsync(accountId, uploadId, ct);
        if (state?.ReportAddress is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No report yet", detail: "The report is ready once the upload has been read.");
        var stream = await blobs.OpenAsync(state.ReportAddress, ct);
        return Results.Stream(stream, "text/csv; charset=utf-8", $"report-{uploadId:N}.csv");
    }

    private static async Task<IResult> UndoBulkUpload(Guid accountId, Guid uploadId, HttpContext http, IBulkUploadStore uploads, IPublishEndpoint publish,
        CancellationToken ct)
    {
        var state = await uploads.GetAsync(accountId, uploadId, ct);
        if (state is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown upload", detail: $"No upload {uploadId} in this account.");
        if (state.UndoRefusal is { } refusal)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The upload can't be undone", detail: refusal);

        await publish.Publish(new BulkUploadUndoRequested
        {
            UploadId = uploadId,
            AccountId = accountId,
            RequestedBy = ApiKeyFilter.Actor(http),
            RequestedAt = DateTimeOffset.UtcNow,
        }, ct);
        var statusUrl = $"/api/accounts/{accountId}/bulk-uploads/{uploadId}";
        return Results.Accepted(statusUrl, new { uploadId, statusUrl });
    }

    private static async Task<PhoneParseResult> Parse(Guid accountId, string phone, SettingsCache settings, CancellationToken ct) =>
        PhoneNumberParser.Parse(Uri.UnescapeDataString(phone), (await settings.GetAsync(accountId, ct)).Settings.DefaultCountryCode);

    private static object UploadView(BulkUploadState u, ApiResultCache results)
    {
        var progress = results.Progress(u.UploadId);
        var counts = u.Status == BulkUploadStatus.Running && progress is not null && progress.RowsRead > u.NumbersApplied ? progress.Counts : u.Counts;
        return new
        {
            uploadId = u.UploadId,
            fileName = u.FileName,
            submittedBy = u.SubmittedBy,
            submittedAt = u.SubmittedAt,
            dryRun = u.DryRun,
            status = u.Status.ToString(),
            rowsRead = Math.Max(u.NumbersApplied, progress?.RowsRead ?? 0),
            totalRows = u.TotalRows,
            counts,
            rejectedRows = u.RejectedRows,
            failureReason = u.FailureReason,
            reportUrl = u.ReportAddress is null ? null : $"/api/accounts/{u.AccountId}/bulk-uploads/{u.UploadId}/report.csv",
            eventsDispatched = u.EventsDispatched,
            undo = u.Status == BulkUploadStatus.Undone ? new { optedIn = u.UndoOptedIn, kept = u.UndoKept, by = u.UndoneBy, at = u.UndoneAt } : null,
        };
    }
}
