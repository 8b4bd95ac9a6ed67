using System.Globalization;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptOut.Contracts;
using OptOut.Core.Bulk;
using OptOut.Service.Api.Responses;
using OptOut.Service.Consumers;
using OptOut.Service.Messaging;

namespace OptOut.Service.Api;

/// <summary>
/// <c>bulk-uploads</c>: CSV uploads and their undo, processed by their consumer (a million rows take longer than an
/// HTTP call should); their state, report and list come from the store. An upload is stored queued before it is
/// published, so every instance answers its status from the moment it is accepted.
/// </summary>
public static class BulkUploadsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/bulk-uploads", Post).DisableAntiforgery().ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/bulk-uploads", List);
        api.MapGet("/bulk-uploads/{uploadId:guid}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/bulk-uploads/{uploadId:guid}/report.csv", GetReport)
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/bulk-uploads/{uploadId:guid}/undo", Undo).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Accepted<BulkUploadAcceptedResponse>, ValidationProblem, ProblemHttpResult>> Post(AccountId accountId, HttpContext http,
        IMessageDataRepository repository, IPublishEndpoint publish, UploadQueue queue, IOptions<AdminOptions> admin, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
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
        var queued = await queue.QueueAsync(BulkUploadSubmittedConsumer.ToJob(submitted, submitted.SubmittedAt), stored.Address?.ToString(), ct);
        if (!await PublishAsync(submitted, queued, publish, queue, admin.Value.RequestTimeout, loggers.CreateLogger(typeof(BulkUploadsApi))))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The upload could not be queued",
                detail: "The service could not hand the upload to its processing: upload the file again in a moment.");
        }

        var accepted = BulkUploadAcceptedResponse.For(accountId, submitted.UploadId);
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }

    /// <summary>
    /// Publishes the queued upload's job; when the broker doesn't take it, fails the upload (it would wait for a
    /// consumer forever) unless its consumer started it meanwhile, which means the job got through after all. The
    /// caller's connection cancels neither: a caller who hangs up must not leave a stored upload unannounced.
    /// </summary>
    private static async Task<bool> PublishAsync(BulkUploadSubmitted submitted, BulkUploadState queued, IPublishEndpoint publish, UploadQueue queue,
        TimeSpan timeout, ILogger logger)
    {
        try
        {
            await Deadline.Within(publish.Publish(submitted, CancellationToken.None), timeout, $"Publishing upload {submitted.UploadId}", CancellationToken.None);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Upload {UploadId} could not be handed to the bus; failing it", submitted.UploadId);
        }

        try
        {
            var state = await queue.FailUnpublishedAsync(queued, UnpublishedReason, CancellationToken.None);
            return state.Status != BulkUploadStatus.Failed;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Upload {UploadId} could be neither handed to the bus nor failed: it stays queued", submitted.UploadId);
            return false;
        }
    }

    /// <summary>Why an upload failed that the broker didn't take.</summary>
    internal const string UnpublishedReason = "the service could not hand it to its processing (the message broker did not take it): upload the file again";

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
