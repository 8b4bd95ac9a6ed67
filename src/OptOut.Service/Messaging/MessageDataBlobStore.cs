using MassTransit;
using MassTransit.MessageData.Values;
using OptOut.Core.Bulk;

namespace OptOut.Service.Messaging;

/// <summary>Report chunks and reports live where the bus keeps message data (GridFS in production, disk when embedded).</summary>
public sealed class MessageDataBlobStore(IMessageDataRepository repository, BulkUploadOptions options) : IBlobStore
{
    public async Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default) =>
        (await repository.Put(content, options.ReportTimeToLive, cancellationToken).ConfigureAwait(false)).ToString();

    public Task<Stream> OpenAsync(string address, CancellationToken cancellationToken = default) =>
        repository.Get(new Uri(address), cancellationToken);

    /// <summary>A message data reference to an already stored blob, for an outgoing message.</summary>
    public static MessageData<Stream> Reference(string address) => new StoredMessageData<Stream>(new Uri(address), Stream.Null);
}
