using MassTransit;
using MassTransit.MessageData;
using MassTransit.MessageData.Values;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Service.Messaging;

namespace OptOut.Service.Consumers;

/// <summary>Bulk CSV uploads, on their own endpoint so they never delay keyword opt-outs.</summary>
public sealed class BulkUploadSubmittedConsumer(BulkUploadProcessor processor, IMessageDataRepository repository, BusBulkUploadEvents.Factory events,
    TimeProvider clock) : IConsumer<BulkUploadSubmitted>
{
    public async Task Consume(ConsumeContext<BulkUploadSubmitted> context)
    {
        var message = context.Message;
        var errors = new List<string>();
        if (message.UploadId == Guid.Empty)
            errors.Add("uploadId is required");
        if (message.AccountId.IsEmpty)
            errors.Add("accountId is required");
        if (string.IsNullOrWhiteSpace(message.SubmittedBy))
            errors.Add("submittedBy is required");
        if (errors.Count > 0)
            throw new InvalidMessageException(errors);

        await processor.RunAsync(ToJob(message, context.EventTime(message.SubmittedAt, clock)), new UploadedFile(message.File, repository).OpenAsync,
            events(context), context.CancellationToken);
    }

    /// <summary>The job of a checked message; the admin API queues its uploads with the same mapping.</summary>
    public static BulkUploadJob ToJob(BulkUploadSubmitted message, DateTimeOffset submittedAt) => new()
    {
        UploadId = message.UploadId,
        AccountId = message.AccountId,
        FileName = string.IsNullOrWhiteSpace(message.FileName) ? "upload.csv" : message.FileName.Trim(),
        SubmittedBy = message.SubmittedBy!.Trim(),
        SubmittedAt = submittedAt,
        DryRun = message.DryRun,
    };
}

/// <summary>Undo of a bulk upload.</summary>
public sealed class BulkUploadUndoRequestedConsumer(BulkUploadProcessor processor, BusBulkUploadEvents.Factory events, TimeProvider clock)
    : IConsumer<BulkUploadUndoRequested>
{
    public async Task Consume(ConsumeContext<BulkUploadUndoRequested> context)
    {
        var message = context.Message;
        if (message.UploadId == Guid.Empty || message.AccountId.IsEmpty || string.IsNullOrWhiteSpace(message.RequestedBy))
            throw new InvalidMessageException("uploadId, accountId and requestedBy are required");

        await processor.UndoAsync(message.AccountId, message.UploadId, message.RequestedBy.Trim(), context.EventTime(message.RequestedAt, clock),
            events(context), context.CancellationToken);
    }
}

/// <summary>
/// Opens the uploaded file once per pass (validate, then ingest): a stored file is opened again from the message
/// data repository; a small inline one is kept in memory.
/// </summary>
internal sealed class UploadedFile(MessageData<Stream>? file, IMessageDataRepository repository)
{
    private byte[]? _inline;

    public async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (file is null || file.Address is null && !file.HasValue)
            throw new BulkFileException("no file was attached to the upload");
        try
        {
            if (_inline is not null)
                return new MemoryStream(_inline, writable: false);
            if (file is IInlineMessageData || file.Address is null)
            {
                using var buffer = new MemoryStream();
                await using (var value = await file.Value.ConfigureAwait(false))
                    await value.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                _inline = buffer.ToArray();
                return new MemoryStream(_inline, writable: false);
            }

            return await repository.Get(file.Address, cancellationToken).ConfigureAwait(false);
        }
        catch (MessageDataNotFoundException)
        {
            throw new BulkFileException("the uploaded file is no longer available (it may have expired): upload it again");
        }
    }
}
