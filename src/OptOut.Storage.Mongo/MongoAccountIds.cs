using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;

namespace OptOut.Storage.Mongo;

/// <summary>
/// An account id as every collection stores it: a BSON string, the id exactly as the platform knows it (queries and
/// the unique indexes compare it as the server compares strings, byte by byte, so case-sensitively). A GUID account of
/// an earlier version was a UUID (binary subtype 4); <see cref="MongoAccountIdConversion"/> turns those into their
/// lowercase <c>D</c> strings at start-up, and a binary one is still read as that string.
/// </summary>
internal sealed class AccountIdSerializer : SerializerBase<AccountId>
{
    public static readonly AccountIdSerializer Instance = new();

    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, AccountId value) =>
        context.Writer.WriteString(value.Value);

    public override AccountId Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        var reader = context.Reader;
        return reader.GetCurrentBsonType() switch
        {
            BsonType.String => MongoAccountIds.FromBson(reader.ReadString()),
            BsonType.Binary => MongoAccountIds.FromBson(reader.ReadBinaryData()),
            var type => throw new FormatException($"An account id is stored as {type}; expected a string."),
        };
    }
}

/// <summary>How an account id is read from and written to a <see cref="BsonValue"/> (the untyped collections and the conversion).</summary>
internal static class MongoAccountIds
{
    public static BsonString ToBson(AccountId accountId) => new(accountId.Value);

    /// <summary>A stored id: a string, or a GUID of an earlier version (subtype 4, or the C# driver's legacy subtype 3).</summary>
    public static AccountId FromBson(BsonValue value) => value switch
    {
        BsonString text => AccountId.Parse(text.Value),
        BsonBinaryData { SubType: BsonBinarySubType.UuidStandard } binary => AccountId.FromGuid(binary.ToGuid(GuidRepresentation.Standard)),
        BsonBinaryData { SubType: BsonBinarySubType.UuidLegacy } binary => AccountId.FromGuid(binary.ToGuid(GuidRepresentation.CSharpLegacy)),
        _ => throw new FormatException($"An account id is stored as {value.BsonType} ({value}); expected a string or a UUID."),
    };
}
