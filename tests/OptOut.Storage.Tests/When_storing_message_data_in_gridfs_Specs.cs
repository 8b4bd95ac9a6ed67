using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Storage.Mongo;

namespace OptOut.Storage.Tests;

/// <summary>
/// The GridFS message data repository (the claim check for bulk upload files and reports) against MongoDB (see
/// <see cref="MongoTestServer"/>). Each test uses a bucket of its own.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed partial class When_storing_message_data_in_gridfs
{
    private static readonly DateTimeOffset Now = new(2025, 4, 11, 12, 0, 0, TimeSpan.Zero);

    // More than four default chunks (255 KiB each) and not a multiple of the chunk size.
    private static readonly byte[] Content = RandomBytes(1_300_000);

    private MongoTestServer? _server;
    private IMongoDatabase _database = null!;
    private FakeTimeProvider _clock = null!;
    private string _bucket = null!;
    private GridFsMessageDataRepository _repository = null!;

    /// <summary>As MassTransit sees it.</summary>
    private IMessageDataRepository Repository => _repository;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _server = await MongoTestServer.StartAsync(timeout.Token);
        _database = _server.Client.GetDatabase("optout_gridfs_tests_" + Guid.NewGuid().ToString("N")[..12]);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is null)
            return;
        // The emulator can't drop a database; it is in memory and vanishes when stopped anyway.
        if (!_server.IsEmulator)
            await _server.Client.DropDatabaseAsync(_database.DatabaseNamespace.DatabaseName);
        await _server.DisposeAsync();
    }

    [SetUp]
    public void CreateRepository()
    {
        _clock = new FakeTimeProvider(Now);
        _bucket = "md" + Guid.NewGuid().ToString("N")[..8];
        _repository = new GridFsMessageDataRepository(_database, _bucket, _clock);
    }

    [Test]
    public async Task Should_round_trip_a_stream_of_several_chunks_from_a_forward_only_source(CancellationToken cancellationToken)
    {
        await using var source = new ForwardOnlyStream(Content);

        var address = await Repository.Put(source, null, cancellationToken);
        await using var read = await Repository.Get(address, cancellationToken);

        Assert.That(await ReadAllAsync(read, cancellationToken), Is.EqualTo(Content));
        Assert.That(await ChunksAsync(cancellationToken), Is.EqualTo(5));
    }

    [Test]
    public async Task Should_address_data_as_mongodb_gridfs_urns(CancellationToken cancellationToken)
    {
        var first = await Repository.Put(new MemoryStream(Content), null, cancellationToken);
        var second = await Repository.Put(new MemoryStream(Content), null, cancellationToken);

        Assert.That(first.ToString(), Does.Match(GridFsUrn()));
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Should_stream_reads_rather_than_buffer_the_file(CancellationToken cancellationToken)
    {
        var address = await Repository.Put(new MemoryStream(Content), null, cancellationToken);

        await using var read = await Repository.Get(address, cancellationToken);
        var start = new byte[16];
        await read.ReadExactlyAsync(start, cancellationToken);

        // GridFS's forward-only download stream reads chunks as the consumer asks for them.
        Assert.That(read, Is.Not.InstanceOf<MemoryStream>());
        Assert.That(read.CanSeek, Is.False);
        Assert.That(start, Is.EqualTo(Content[..16]));
    }

    [Test]
    public async Task Should_store_from_the_current_position(CancellationToken cancellationToken)
    {
        using var source = new MemoryStream(Content) { Position = 1_000 };

        var address = await Repository.Put(source, null, cancellationToken);
        await using var read = await Repository.Get(address, cancellationToken);

        Assert.That(await ReadAllAsync(read, cancellationToken), Is.EqualTo(Content[1_000..]));
    }

    [Test]
    public async Task Should_round_trip_an_empty_stream(CancellationToken cancellationToken)
    {
        var address = await Repository.Put(new MemoryStream(), null, cancellationToken);
        await using var read = await Repository.Get(address, cancellationToken);

        Assert.That(await ReadAllAsync(read, cancellationToken), Is.Empty);
    }

    [Test]
    public void Should_report_missing_data_as_masstransit_does()
    {
        var address = GridFsMessageDataRepository.AddressOf(ObjectId.GenerateNewId());

        var error = Assert.ThrowsAsync<MessageDataNotFoundException>(() => Repository.Get(address));
        Assert.That(error!.Message, Does.Contain(address.ToString()));
    }

    [TestCase("urn:file:2025:04:11:data.bin")]
    [TestCase("urn:mongodb:gridfs:not-an-object-id")]
    [TestCase("https://example.com/urn:mongodb:gridfs:0123456789abcdef01234567")]
    public void Should_reject_an_address_it_did_not_make(string address)
    {
        Assert.ThrowsAsync<ArgumentException>(() => Repository.Get(new Uri(address)));
    }

    [Test]
    public async Task Should_store_when_data_with_a_time_to_live_expires(CancellationToken cancellationToken)
    {
        var expiring = await Repository.Put(new MemoryStream(Content), TimeSpan.FromHours(1), cancellationToken);
        var keeping = await Repository.Put(new MemoryStream(Content), null, cancellationToken);
        var forever = await Repository.Put(new MemoryStream(Content), TimeSpan.MaxValue, cancellationToken);

        var files = await FilesAsync(cancellationToken);

        var metadata = files.ToDictionary(f => GridFsMessageDataRepository.AddressOf(f["_id"].AsObjectId), f => f.GetValue("metadata", null));
        Assert.That(metadata[expiring]!["expiration"].ToUniversalTime(), Is.EqualTo(Now.AddHours(1).UtcDateTime));
        Assert.That(metadata[keeping]?.AsBsonDocument.Contains("expiration") ?? false, Is.False);
        Assert.That(metadata[forever]?.AsBsonDocument.Contains("expiration") ?? false, Is.False, "a time to live beyond the calendar never expires");
    }

    [Test]
    public async Task Should_delete_only_expired_data_with_its_chunks(CancellationToken cancellationToken)
    {
        var soon = await Repository.Put(new MemoryStream(Content), TimeSpan.FromMinutes(1), cancellationToken);
        var later = await Repository.Put(new MemoryStream(Content), TimeSpan.FromHours(2), cancellationToken);
        var never = await Repository.Put(new MemoryStream(Content), null, cancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(10));

        var deleted = await _repository.DeleteExpiredAsync(cancellationToken);
        var again = await _repository.DeleteExpiredAsync(cancellationToken);

        Assert.That(deleted, Is.EqualTo(1));
        Assert.That(again, Is.Zero);
        Assert.ThrowsAsync<MessageDataNotFoundException>(() => Repository.Get(soon, cancellationToken));
        Assert.That(await ChunksAsync(cancellationToken), Is.EqualTo(10), "only the expired file's chunks are gone");
        foreach (var kept in new[] { later, never })
        {
            await using var read = await Repository.Get(kept, cancellationToken);
            Assert.That(await ReadAllAsync(read, cancellationToken), Is.EqualTo(Content));
        }
    }

    [Test]
    public async Task Should_delete_data_by_address(CancellationToken cancellationToken)
    {
        var address = await Repository.Put(new MemoryStream(Content), null, cancellationToken);

        Assert.That(await _repository.DeleteAsync(address, cancellationToken), Is.True);
        Assert.That(await _repository.DeleteAsync(address, cancellationToken), Is.False);
        Assert.ThrowsAsync<MessageDataNotFoundException>(() => Repository.Get(address, cancellationToken));
        Assert.That(await ChunksAsync(cancellationToken), Is.Zero);
    }

    private Task<long> ChunksAsync(CancellationToken cancellationToken) =>
        _database.GetCollection<BsonDocument>(_bucket + ".chunks").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken);

    private Task<List<BsonDocument>> FilesAsync(CancellationToken cancellationToken) =>
        _database.GetCollection<BsonDocument>(_bucket + ".files").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(cancellationToken);

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex("^urn:mongodb:gridfs:[0-9a-f]{24}$")]
    private static partial Regex GridFsUrn();

    /// <summary>A source that can only be read forward, like an HTTP request body.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
