using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Storage.Mongo;

/// <summary>
/// One upload's state in collection <c>bulkUploads</c>; <c>_id</c> is the upload id (globally unique: the caller's
/// idempotency key), and every query also matches the account.
/// </summary>
internal sealed class BulkUploadDocument
{
    public Guid UploadId { get; set; }

    public AccountId AccountId { get; set; }

    public string? FileName { get; set; }

    public string? SubmittedBy { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public bool DryRun { get; set; }

    public BulkUploadStatus Status { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? IngestedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public long TotalRows { get; set; }

    public long NumbersApplied { get; set; }

    public CountsDocument Counts { get; set; } = new();

    public List<RejectedRowDocument> RejectedRows { get; set; } = [];

    public string? FileAddress { get; set; }

    public string? ReportAddress { get; set; }

    public string? EventsDispatchedAfter { get; set; }

    public long EventsDispatched { get; set; }

    public string? FailureReason { get; set; }

    public DateTimeOffset? UndoneAt { get; set; }

    public string? UndoneBy { get; set; }

    public long UndoOptedIn { get; set; }

    public long UndoKept { get; set; }

    public long Version { get; set; }

    public static BulkUploadDocument From(BulkUploadState state) => new()
    {
        UploadId = state.UploadId,
        AccountId = state.AccountId,
        FileName = state.FileName,
        SubmittedBy = state.SubmittedBy,
        SubmittedAt = state.SubmittedAt.ToUniversalTime(),
        DryRun = state.DryRun,
        Status = state.Status,
        StartedAt = state.StartedAt.ToUniversalTime(),
        IngestedAt = state.IngestedAt?.ToUniversalTime(),
        CompletedAt = state.CompletedAt?.ToUniversalTime(),
        TotalRows = state.TotalRows,
        NumbersApplied = state.NumbersApplied,
        Counts = CountsDocument.From(state.Counts),
        RejectedRows = [.. state.RejectedRows.Select(RejectedRowDocument.From)],
        FileAddress = state.FileAddress,
        ReportAddress = state.ReportAddress,
        EventsDispatchedAfter = state.EventsDispatchedAfter,
        EventsDispatched = state.EventsDispatched,
        FailureReason = state.FailureReason,
        UndoneAt = state.UndoneAt?.ToUniversalTime(),
        UndoneBy = state.UndoneBy,
        UndoOptedIn = state.UndoOptedIn,
        UndoKept = state.UndoKept,
        Version = state.Version,
    };

    public BulkUploadState ToState() => new()
    {
        UploadId = UploadId,
        AccountId = AccountId,
        FileName = FileName,
        SubmittedBy = SubmittedBy,
        SubmittedAt = SubmittedAt,
        DryRun = DryRun,
        Status = Status,
        StartedAt = StartedAt,
        IngestedAt = IngestedAt,
        CompletedAt = CompletedAt,
        TotalRows = TotalRows,
        NumbersApplied = NumbersApplied,
        Counts = Counts.ToCounts(),
        RejectedRows = RejectedRows.ConvertAll(r => r.ToRow()),
        FileAddress = FileAddress,
        ReportAddress = ReportAddress,
        EventsDispatchedAfter = EventsDispatchedAfter,
        EventsDispatched = EventsDispatched,
        FailureReason = FailureReason,
        UndoneAt = UndoneAt,
        UndoneBy = UndoneBy,
        UndoOptedIn = UndoOptedIn,
        UndoKept = UndoKept,
        Version = Version,
    };

    /// <summary>The element names and serializers (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<BulkUploadDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapIdMember(x => x.UploadId).SetSerializer(MongoMappings.StandardGuid);
        cm.MapMember(x => x.AccountId).SetElementName("accountId").SetSerializer(AccountIdSerializer.Instance);
        cm.MapMember(x => x.FileName).SetElementName("fileName");
        cm.MapMember(x => x.SubmittedBy).SetElementName("submittedBy");
        cm.MapMember(x => x.SubmittedAt).SetElementName("submittedAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.DryRun).SetElementName("dryRun");
        cm.MapMember(x => x.Status).SetElementName("status").SetSerializer(new EnumSerializer<BulkUploadStatus>(BsonType.String));
        cm.MapMember(x => x.StartedAt).SetElementName("startedAt").SetSerializer(MongoMappings.Time);
        cm.MapMember(x => x.IngestedAt).SetElementName("ingestedAt").SetSerializer(MongoMappings.NullableTime);
        cm.MapMember(x => x.CompletedAt).SetElementName("completedAt").SetSerializer(MongoMappings.NullableTime);
        cm.MapMember(x => x.TotalRows).SetElementName("totalRows");
        cm.MapMember(x => x.NumbersApplied).SetElementName("numbersApplied");
        cm.MapMember(x => x.Counts).SetElementName("counts");
        cm.MapMember(x => x.RejectedRows).SetElementName("rejectedRows").SetDefaultValue(() => new List<RejectedRowDocument>());
        cm.MapMember(x => x.FileAddress).SetElementName("fileAddress");
        cm.MapMember(x => x.ReportAddress).SetElementName("reportAddress");
        cm.MapMember(x => x.EventsDispatchedAfter).SetElementName("eventsDispatchedAfter");
        cm.MapMember(x => x.EventsDispatched).SetElementName("eventsDispatched");
        cm.MapMember(x => x.FailureReason).SetElementName("failureReason");
        cm.MapMember(x => x.UndoneAt).SetElementName("undoneAt").SetSerializer(MongoMappings.NullableTime);
        cm.MapMember(x => x.UndoneBy).SetElementName("undoneBy");
        cm.MapMember(x => x.UndoOptedIn).SetElementName("undoOptedIn");
        cm.MapMember(x => x.UndoKept).SetElementName("undoKept");
        cm.MapMember(x => x.Version).SetElementName("version");
    }
}

/// <summary>An upload's counts (<c>counts</c>): every field of <see cref="BulkUploadCounts"/>.</summary>
internal sealed class CountsDocument
{
    public long OptedOut { get; set; }

    public long AlreadyOptedOut { get; set; }

    public long DuplicateRows { get; set; }

    public long InvalidRows { get; set; }

    public long FlaggedRows { get; set; }

    public long SupersededRows { get; set; }

    public static CountsDocument From(BulkUploadCounts counts) => new()
    {
        OptedOut = counts.OptedOut,
        AlreadyOptedOut = counts.AlreadyOptedOut,
        DuplicateRows = counts.DuplicateRows,
        InvalidRows = counts.InvalidRows,
        FlaggedRows = counts.FlaggedRows,
        SupersededRows = counts.SupersededRows,
    };

    public BulkUploadCounts ToCounts() => new()
    {
        OptedOut = OptedOut,
        AlreadyOptedOut = AlreadyOptedOut,
        DuplicateRows = DuplicateRows,
        InvalidRows = InvalidRows,
        FlaggedRows = FlaggedRows,
        SupersededRows = SupersededRows,
    };

    /// <summary>The element names (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<CountsDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.OptedOut).SetElementName("optedOut");
        cm.MapMember(x => x.AlreadyOptedOut).SetElementName("alreadyOptedOut");
        cm.MapMember(x => x.DuplicateRows).SetElementName("duplicateRows");
        cm.MapMember(x => x.InvalidRows).SetElementName("invalidRows");
        cm.MapMember(x => x.FlaggedRows).SetElementName("flaggedRows");
        // Absent from the counts of an upload saved before the field existed: those read as 0 superseded rows.
        cm.MapMember(x => x.SupersededRows).SetElementName("supersededRows").SetDefaultValue(0L);
    }
}

/// <summary>One of the first <see cref="BulkUploadState.MaxRejectedRowsInline"/> rejected rows (<c>rejectedRows</c>).</summary>
internal sealed class RejectedRowDocument
{
    public long Row { get; set; }

    public string Value { get; set; } = "";

    public string Reason { get; set; } = "";

    public static RejectedRowDocument From(BulkUploadRejectedRow row) => new() { Row = row.Row, Value = row.Value, Reason = row.Reason };

    public BulkUploadRejectedRow ToRow() => new() { Row = Row, Value = Value, Reason = Reason };

    /// <summary>The element names (registered by <see cref="MongoMappings.Register"/>).</summary>
    public static void Map(BsonClassMap<RejectedRowDocument> cm)
    {
        cm.SetIgnoreExtraElements(true);
        cm.MapMember(x => x.Row).SetElementName("row");
        cm.MapMember(x => x.Value).SetElementName("value");
        cm.MapMember(x => x.Reason).SetElementName("reason");
    }
}
