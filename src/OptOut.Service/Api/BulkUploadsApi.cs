using System.Globalization;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptOut.Contracts;
using OptOut.Core.Bulk;
using OptOut.Service.Api.Responses;

namespace OptOut.Service.Api;

/// <summary>
/// <c>bulk-uploads</c>: CSV uploads and their undo, processed by their consumer (a million rows take longer than an
/// HTTP call should); their state, report and list come from the store.
/// </summary>
public static class BulkUploadsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/bulk-uploads", Post).DisableAntiforgery().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/bulk-uploads", List);
        api.MapGet("/bulk-uploads/{uploadId:guid}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/bulk-uploads/{uploadId:guid}/report.csv", GetReport)
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/bulk-uploads/{uploadId:guid}/undo", Undo).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Accepted<BulkUploadAcceptedResponse>, ValidationProblem, ProblemHttpResult>> Post(AccountId accountId, HttpContext http,
        IMessageDataRepository repository, IPublishEndpoint publish, UploadActivity activity, IOptions<AdminOptions> admin, TimeProvider clock,
        CancellationToken ct)
    {
        var maxBytes = admin.Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
        if (!http.Request.HasFormContentType)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Send the file as multipart/form-data", detail: "Use a 'file' field.");
        if (http.Request.ContentLength > maxBytes)
            return TooLarge(maxBytes);

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBytes }, ct);
        }
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } or InvalidDataException)
        {
            // A chunked body over the limit: Kestrel (or the multipart reader) stops reading; without this it is a 500.
            return TooLarge(maxBytes);
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Choose a CSV file with a 'phone' column."] });

        await using var content = file.OpenReadStream();
        var stored = await repository.PutStream(content, ct);
        var submitted = new BulkUploadSubmitted
        {
            UploadId = NewId.NextGuid(),
            AccountId = accountId,
            FileName = Path.GetFileName(file.FileName),
            File = stored,
            SubmittedBy = ApiKeyFilter.Actor(http),
            SubmittedAt = clock.GetUtcNow(),
            DryRun = bool.TryParse(form["dryRun"], out var dryRun) && dryRun,
        };
        await publish.Publish(submitted, ct);
        activity.Queued(QueuedUpload.From(submitted));

        var accepted = BulkUploadAcceptedResponse.For(accountId, submitted.UploadId);
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large",
            detail: string.Create(CultureInfo.InvariantCulture, $"Uploads are limited to {maxBytes:N0} bytes: split the file."));

    private static async Task<Ok<BulkUploadResponse[]>> List(AccountId accountId, DateTimeOffset? before, IBulkUploadStore uploads, UploadActivity activity,
        CancellationToken ct)
    {
        var page = await uploads.ListAsync(accountId, before, 50, ct);
        return TypedResults.Ok(page.Select(u => BulkUploadResponse.From(u, activity.Progress(u.UploadId))).ToArray());
    }

    private static async Task<Results<Ok<BulkUploadResponse>, ProblemHttpResult>> Get(AccountId accountId, Guid uploadId, IBulkUploadStore uploads,
        UploadActivity activity, CancellationToken ct)
    {
        if (await uploads.GetAsync(accountId, uploadId, ct) is { } state)
            return TypedResults.Ok(BulkUploadResponse.From(state, activity.Progress(uploadId)));
        if (activity.FindQueued(accountId, uploadId) is { } queued)
            return TypedResults.Ok(BulkUploadResponse.Queued(queued));
        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown upload", detail: $"No upload {uploadId} in this account yet.");
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetReport(AccountId accountId, Guid uploadId, IBulkUploadStore uploads,
        IBlobStore blobs, CancellationToken ct)
    {
        var state = await uploads.GetAsync(accountId, uploadId, ct);
        if (state?.ReportAddress is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No report yet", detail: "The report is ready once the upload has been read.");
        var stream = await blobs.OpenAsync(state.ReportAddress, ct);
        return TypedResults.Stream(stream, "text/csv; charset=utf-8", $"report-{uploadId:N}.csv");
    }

    private static async Task<Results<Accepted<BulkUploadAcceptedResponse>, ProblemHttpResult>> Undo(AccountId accountId, Guid uploadId, HttpContext http,
        IBulkUploadStore uploads, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var state = await uploads.GetAsync(accountId, uploadId, ct);
        if (state is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown upload", detail: $"No upload {uploadId} in this account.");
        if (state.UndoRefusal is { } refusal)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The upload can't be undone", detail: refusal);

        await publish.Publish(new BulkUploadUndoRequested
        {
            UploadId = uploadId,
            AccountId = accountId,
            RequestedBy = ApiKeyFilter.Actor(http),
            RequestedAt = clock.GetUtcNow(),
        }, ct);
        var accepted = BulkUploadAcceptedResponse.For(accountId, uploadId);
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }
}
