using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Storage.Mongo;

/// <summary>
/// The stored shape of an opt-out record: one document per (accountId, phone), history embedded so a transition
/// and its evidence are written by one atomic single-document update. Kept apart from Core's records so the
/// database layout can evolve (and Core needs no MongoDB reference).
/// </summary>
internal sealed class OptOutDocument
{
    public ObjectId Id { get; set; }

    public Guid AccountId { get; set; }

    public string Phone { get; set; } = "";

    public OptState State { get; set; }

    public OptOutSource Source { get; set; }

    public string? Note { get; set; }

    public string? Actor { get; set; }

    public DateTimeOffset StateAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public bool Flagged { get; set; }

    public long Version { get; set; }

    public List<HistoryDocument> History { get; set; } = [];

    public static OptOutDocument From(OptOutRecord record, OptOutHistoryEntry? appended) => new()
    {
        Id = ObjectId.GenerateNewId(),
        AccountId = record.AccountId,
        Phone = record.Phone,
        State = record.State,
        Source = record.Source,
        Note = record.Note,
        Actor = record.Actor,
        StateAt = record.StateAt.ToUniversalTime(),
        CreatedAt = record.CreatedAt.ToUniversalTime(),
        UpdatedAt = record.UpdatedAt.ToUniversalTime(),
        Flagged = record.Flagged,
        Version = record.Version,
        // The store appends only what the write names: the history is evidence, never rewritten from a caller's copy.
        History = appended is null ? [] : [HistoryDocument.From(appended)],
    };

    public OptOutRecord ToRecord() => new()
    {
        AccountId = AccountId,
        Phone = Phone,
        State = State,
        Source = Source,
        Note = Note,
        Actor = Actor,
        StateAt = StateAt,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        Flagged = Flagged,
        Version = Version,
        History = History.ConvertAll(h => h.ToEntry()),
    };
}

internal sealed class HistoryDocument
{
    public OptState State { get; set; }

    public OptOutSource Source { get; set; }

    public DateTimeOffset At { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public string? Actor { get; set; }

    public string? Note { get; set; }

    public string CausationId { get; set; } = "";

    public string? ConversationId { get; set; }

    public string? CampaignId { get; set; }

    public DetectionDocument? Detection { get; set; }

    public static HistoryDocument From(OptOutHistoryEntry entry) => new()
    {
        State = entry.State,
        Source = entry.Source,
        At = entry.At.ToUniversalTime(),
        RecordedAt = entry.RecordedAt.ToUniversalTime(),
        Actor = entry.Actor,
        Note = entry.Note,
        CausationId = entry.CausationId,
        ConversationId = entry.ConversationId,
        CampaignId = entry.CampaignId,
        Detection = DetectionDocument.From(entry.Detection),
    };

    public OptOutHistoryEntry ToEntry() => new()
    {
        State = State,
        Source = Source,
        At = At,
        RecordedAt = RecordedAt,
        Actor = Actor,
        Note = Note,
        CausationId = CausationId,
        ConversationId = ConversationId,
        CampaignId = CampaignId,
        Detection = Detection?.ToDetection(),
    };
}

/// <summary>An account's settings; <c>_id</c> is the account id, so there is one document per account.</summary>
internal sealed class SettingsDocument
{
    public Guid AccountId { get; set; }

    public int DefaultCountryCode { get; set; }

    public bool AutoOptOutEnabled { get; set; }

    public string OptOutMessage { get; set; } = "";

    public List<string> Keywords { get; set; } = [];

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>Null in a document saved before languages existed; <see cref="OptOutMessage"/> and <see cref="Keywords"/> are English's in every document.</summary>
    public LanguageSettingsDocument? Languages { get; set; }

    public static SettingsDocument From(AccountSettings settings) => new()
    {
        AccountId = settings.AccountId,
        DefaultCountryCode = settings.DefaultCountryCode,
        AutoOptOutEnabled = settings.AutoOptOutEnabled,
        OptOutMessage = settings.OptOutMessage,
        Keywords = [.. settings.Keywords],
        UpdatedAt = settings.UpdatedAt?.ToUniversalTime(),
        UpdatedBy = settings.UpdatedBy,
        Languages = LanguageSettingsDocument.From(settings.ToStored()),
    };

    public AccountSettings ToSettings() => AccountSettings.Restore(
        AccountId, DefaultCountryCode, AutoOptOutEnabled, OptOutMessage, Keywords, UpdatedAt, UpdatedBy, Languages?.ToStored());
}

/// <summary>
/// One upload's state in collection <c>bulkUploads</c>; <c>_id</c> is the upload id (globally unique: the caller's
/// idempotency key), and every query also matches the account.
/// </summary>
internal sealed class BulkUploadDocument
{
    public Guid UploadId { get; set; }

    public Guid AccountId { get; set; }

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
}

internal sealed class CountsDocument
{
    public long OptedOut { get; set; }

    public long AlreadyOptedOut { get; set; }

    public long DuplicateRows { get; set; }

    public long InvalidRows { get; set; }

    public long FlaggedRows { get; set; }

    public static CountsDocument From(BulkUploadCounts counts) => new()
    {
        OptedOut = counts.OptedOut,
        AlreadyOptedOut = counts.AlreadyOptedOut,
        DuplicateRows = counts.DuplicateRows,
        InvalidRows = counts.InvalidRows,
        FlaggedRows = counts.FlaggedRows,
    };

    public BulkUploadCounts ToCounts() => new()
    {
        OptedOut = OptedOut,
        AlreadyOptedOut = AlreadyOptedOut,
        DuplicateRows = DuplicateRows,
        InvalidRows = InvalidRows,
        FlaggedRows = FlaggedRows,
    };
}

internal sealed class RejectedRowDocument
{
    public long Row { get; set; }

    public string Value { get; set; } = "";

    public string Reason { get; set; } = "";

    public static RejectedRowDocument From(BulkUploadRejectedRow row) => new() { Row = row.Row, Value = row.Value, Reason = row.Reason };

    public BulkUploadRejectedRow ToRow() => new() { Row = Row, Value = Value, Reason = Reason };
}

/// <summary>
/// Explicit BSON mappings: camelCase element names, enums as strings (readable, and stable if enum members are
/// reordered), GUIDs as standard UUIDs, times at full tick precision.
/// </summary>
internal static class MongoMappings
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    // MongoDB dates hold milliseconds; the event-time rules compare exact DateTimeOffsets (a tie goes to opt-out),
    // so times are stored as { DateTime, Ticks, Offset }: a queryable date plus the exact ticks.
    private static readonly DateTimeOffsetSerializer Time = new(BsonType.Document);
    private static readonly GuidSerializer StandardGuid = new(GuidRepresentation.Standard);

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;

            // CONVENTIONS.md: GUIDs are standard UUIDs. TryRegister because the host or another library may have
            // registered one first (registering twice throws); the members below name their serializer anyway.
            BsonSerializer.TryRegisterSerializer(new GuidSerializer(GuidRepresentation.Standard));

            MongoLanguageMappings.Register();

            BsonClassMap.TryRegisterClassMap<HistoryDocument>(cm =>
            {
                cm.SetIgnoreExtraElements(true);
                cm.MapMember(x => x.State).SetElementName("state").SetSerializer(new EnumSerializer<OptState>(BsonType.String));
                cm.MapMember(x => x.Source).SetElementName("source").SetSerializer(new EnumSerializer<OptOutSource>(BsonType.String));
                cm.MapMember(x => x.At).SetElementName("at").SetSerializer(Time);
                cm.MapMember(x => x.RecordedAt).SetElementName("recordedAt").SetSerializer(Time);
                cm.MapMember(x => x.Actor).SetElementName("actor");
                cm.MapMember(x => x.Note).SetElementName("note");
                cm.MapMember(x => x.CausationId).SetElementName("causationId");
                cm.MapMember(x => x.ConversationId).SetElementName("conversationId");
                cm.MapMember(x => x.CampaignId).SetElementName("campaignId");
                // Only entries a contact's text caused have one: the others (an upload's million) carry no field.
                cm.MapMember(x => x.Detection).SetElementName("detection").SetIgnoreIfNull(true).SetDefaultValue((DetectionDocument?)null);
            });

            BsonClassMap.TryRegisterClassMap<OptOutDocument>(cm =>
            {
                // Newer versions of the service may add fields; older instances must still read the document.
                cm.SetIgnoreExtraElements(true);
                cm.MapIdMember(x => x.Id);
                cm.MapMember(x => x.AccountId).SetElementName("accountId").SetSerializer(StandardGuid);
                cm.MapMember(x => x.Phone).SetElementName("phone");
                cm.MapMember(x => x.State).SetElementName("state").SetSerializer(new EnumSerializer<OptState>(BsonType.String));
                cm.MapMember(x => x.Source).SetElementName("source").SetSerializer(new EnumSerializer<OptOutSource>(BsonType.String));
                cm.MapMember(x => x.Note).SetElementName("note");
                cm.MapMember(x => x.Actor).SetElementName("actor");
                cm.MapMember(x => x.StateAt).SetElementName("stateAt").SetSerializer(Time);
                cm.MapMember(x => x.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                cm.MapMember(x => x.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
                cm.MapMember(x => x.Flagged).SetElementName("flagged");
                cm.MapMember(x => x.Version).SetElementName("version");
                // Pages are read without the history (a projection); missing must mean empty, not null.
                cm.MapMember(x => x.History).SetElementName("history").SetDefaultValue(() => new List<HistoryDocument>());
            });

            BsonClassMap.TryRegisterClassMap<SettingsDocument>(cm =>
            {
                cm.SetIgnoreExtraElements(true);
                cm.MapIdMember(x => x.AccountId).SetSerializer(StandardGuid);
                cm.MapMember(x => x.DefaultCountryCode).SetElementName("defaultCountryCode");
                cm.MapMember(x => x.AutoOptOutEnabled).SetElementName("autoOptOutEnabled");
                cm.MapMember(x => x.OptOutMessage).SetElementName("optOutMessage");
                cm.MapMember(x => x.Keywords).SetElementName("keywords");
                cm.MapMember(x => x.UpdatedAt).SetElementName("updatedAt")
                    .SetSerializer(new NullableSerializer<DateTimeOffset>(Time));
                cm.MapMember(x => x.UpdatedBy).SetElementName("updatedBy");
                cm.MapMember(x => x.Languages).SetElementName("languages").SetIgnoreIfNull(true).SetDefaultValue((LanguageSettingsDocument?)null);
            });

            BsonClassMap.TryRegisterClassMap<CountsDocument>(cm =>
            {
                cm.SetIgnoreExtraElements(true);
                cm.MapMember(x => x.OptedOut).SetElementName("optedOut");
                cm.MapMember(x => x.AlreadyOptedOut).SetElementName("alreadyOptedOut");
                cm.MapMember(x => x.DuplicateRows).SetElementName("duplicateRows");
                cm.MapMember(x => x.InvalidRows).SetElementName("invalidRows");
                cm.MapMember(x => x.FlaggedRows).SetElementName("flaggedRows");
            });

            BsonClassMap.TryRegisterClassMap<RejectedRowDocument>(cm =>
            {
                cm.SetIgnoreExtraElements(true);
                cm.MapMember(x => x.Row).SetElementName("row");
                cm.MapMember(x => x.Value).SetElementName("value");
                cm.MapMember(x => x.Reason).SetElementName("reason");
            });

            BsonClassMap.TryRegisterClassMap<BulkUploadDocument>(cm =>
            {
                cm.SetIgnoreExtraElements(true);
                cm.MapIdMember(x => x.UploadId).SetSerializer(StandardGuid);
                cm.MapMember(x => x.AccountId).SetElementName("accountId").SetSerializer(StandardGuid);
                cm.MapMember(x => x.FileName).SetElementName("fileName");
                cm.MapMember(x => x.SubmittedBy).SetElementName("submittedBy");
                cm.MapMember(x => x.SubmittedAt).SetElementName("submittedAt").SetSerializer(Time);
                cm.MapMember(x => x.DryRun).SetElementName("dryRun");
                cm.MapMember(x => x.Status).SetElementName("status").SetSerializer(new EnumSerializer<BulkUploadStatus>(BsonType.String));
                cm.MapMember(x => x.StartedAt).SetElementName("startedAt").SetSerializer(Time);
                cm.MapMember(x => x.IngestedAt).SetElementName("ingestedAt").SetSerializer(new NullableSerializer<DateTimeOffset>(Time));
                cm.MapMember(x => x.CompletedAt).SetElementName("completedAt").SetSerializer(new NullableSerializer<DateTimeOffset>(Time));
                cm.MapMember(x => x.TotalRows).SetElementName("totalRows");
                cm.MapMember(x => x.NumbersApplied).SetElementName("numbersApplied");
                cm.MapMember(x => x.Counts).SetElementName("counts");
                cm.MapMember(x => x.RejectedRows).SetElementName("rejectedRows").SetDefaultValue(() => new List<RejectedRowDocument>());
                cm.MapMember(x => x.ReportAddress).SetElementName("reportAddress");
                cm.MapMember(x => x.EventsDispatchedAfter).SetElementName("eventsDispatchedAfter");
                cm.MapMember(x => x.EventsDispatched).SetElementName("eventsDispatched");
                cm.MapMember(x => x.FailureReason).SetElementName("failureReason");
                cm.MapMember(x => x.UndoneAt).SetElementName("undoneAt").SetSerializer(new NullableSerializer<DateTimeOffset>(Time));
                cm.MapMember(x => x.UndoneBy).SetElementName("undoneBy");
                cm.MapMember(x => x.UndoOptedIn).SetElementName("undoOptedIn");
                cm.MapMember(x => x.UndoKept).SetElementName("undoKept");
                cm.MapMember(x => x.Version).SetElementName("version");
            });

            _registered = true;
        }
    }
}
