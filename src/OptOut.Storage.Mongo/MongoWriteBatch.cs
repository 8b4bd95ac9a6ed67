using MongoDB.Bson;
using MongoDB.Driver;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Mongo;

/// <summary>
/// One wave of a batch (<see cref="Waves"/>): its writes, the bulk's models (built once, so a retry resends the same
/// inserts) and the results <see cref="MongoBatchWriter"/> settles.
/// </summary>
internal sealed class MongoWriteBatch
{
    private MongoWriteBatch(OptOutWrite[] writes, OptOutDocument?[] documents, WriteModel<OptOutDocument>[] models)
    {
        Writes = writes;
        Documents = documents;
        Models = models;
        Results = new bool[writes.Length];
        UpdateCount = documents.Count(d => d is null);
    }

    public OptOutWrite[] Writes { get; }

    /// <summary>The inserted document per insert (null for an update).</summary>
    public OptOutDocument?[] Documents { get; }

    public WriteModel<OptOutDocument>[] Models { get; }

    public bool[] Results { get; }

    public int Count => Writes.Length;

    public int UpdateCount { get; }

    /// <summary>
    /// Splits a batch into waves in which each number appears once, keeping the order of a number's writes across
    /// waves. An unordered bulk may apply its writes in any order, so two writes of one number (an insert and the
    /// update that expects it) must not share one. A bulk upload's batch has distinct numbers: one wave.
    /// </summary>
    public static List<int[]> Waves(IReadOnlyList<OptOutWrite> writes)
    {
        var occurrences = new Dictionary<(AccountId, string), int>(writes.Count);
        var waveOf = new int[writes.Count];
        var waveCount = writes.Count == 0 ? 0 : 1;
        for (var i = 0; i < writes.Count; i++)
        {
            var key = (writes[i].Record.AccountId, writes[i].Record.Phone);
            var seen = occurrences.GetValueOrDefault(key);
            occurrences[key] = seen + 1;
            waveOf[i] = seen;
            waveCount = Math.Max(waveCount, seen + 1);
        }

        if (waveCount <= 1)
            return waveCount == 0 ? [] : [Enumerable.Range(0, writes.Count).ToArray()];

        var waves = new List<int>[waveCount];
        for (var w = 0; w < waveCount; w++)
            waves[w] = [];
        for (var i = 0; i < writes.Count; i++)
            waves[waveOf[i]].Add(i);
        return [.. waves.Select(w => w.ToArray())];
    }

    /// <summary>The writes of <paramref name="all"/> at the indexes of <paramref name="wave"/>, with their models.</summary>
    public static MongoWriteBatch Of(IReadOnlyList<OptOutWrite> all, int[] wave)
    {
        var writes = new OptOutWrite[wave.Length];
        var documents = new OptOutDocument?[wave.Length];
        var models = new WriteModel<OptOutDocument>[wave.Length];
        for (var i = 0; i < wave.Length; i++)
        {
            var write = all[wave[i]];
            writes[i] = write;
            if (write.ExpectedVersion == 0)
            {
                var document = OptOutDocument.From(write);
                documents[i] = document;
                models[i] = new InsertOneModel<OptOutDocument>(document);
            }
            else
            {
                var (filter, update) = MongoCompareAndSwap.For(write);
                models[i] = new UpdateOneModel<OptOutDocument>(filter, update);
            }
        }

        return new MongoWriteBatch(writes, documents, models);
    }

    /// <summary>The writes at <paramref name="indexes"/>, with the same documents and models.</summary>
    public MongoWriteBatch Subset(List<int> indexes) => new(
        [.. indexes.Select(i => Writes[i])], [.. indexes.Select(i => Documents[i])], [.. indexes.Select(i => Models[i])]);

    public bool IsInsert(int i) => Documents[i] is not null;

    public ObjectId InsertedId(int i) => Documents[i]!.Id;

    public (AccountId AccountId, string Phone) Key(int i) => (Writes[i].Record.AccountId, Writes[i].Record.Phone);
}
