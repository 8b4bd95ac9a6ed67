using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using static OptOut.Storage.Sqlite.StoredValues;

namespace OptOut.Storage.Sqlite;

/// <summary>
/// The columns a read of records and history entries selects, and how such a row becomes an <see cref="OptOutRecord"/>
/// or <see cref="OptOutHistoryEntry"/>: the ordinals below and the column lists are one contract, kept side by side.
/// </summary>
internal static class RecordRows
{
    // The integer the opt-out tables name the account @account_id (its id text) by: NULL, matching no row, for an
    // account never written. SQLite evaluates it once per statement and probes the key with it.
    internal const string AccountKey = "(SELECT id FROM accounts WHERE value = @account_id)";

    // Record and history columns as read back: the account is the caller's (every query filters on it), the shared
    // texts are joined in. LEFT JOINs keep SQLite walking the opt-out table first (an inner join may start from texts).
    internal const string RecordColumns =
        "SELECT o.phone, o.state, o.source, n.value, a.value, o.state_at, o.created_at, o.updated_at, o.flagged, o.version";

    internal const string RecordTexts = " LEFT JOIN texts n ON n.id = o.note LEFT JOIN texts a ON a.id = o.actor";

    internal const string RecordSelect = RecordColumns + " FROM opt_outs o" + RecordTexts;

    // A record's first history entry is in its own row (ReadFirstEntry); later ones in opt_out_history.
    internal const string RecordWithFirstEntryColumns = RecordColumns
        + ", o.first_state, o.first_source, o.first_at, o.first_recorded_at, fa.value, fn.value, fc.value, o.first_conversation_id, o.first_campaign_id"
        + ", o.first_detection";

    internal const string RecordWithFirstEntryFrom = " FROM opt_outs o" + RecordTexts
        + " LEFT JOIN texts fa ON fa.id = o.first_actor LEFT JOIN texts fn ON fn.id = o.first_note LEFT JOIN texts fc ON fc.id = o.first_causation";

    internal const string RecordWithFirstEntrySelect = RecordWithFirstEntryColumns + RecordWithFirstEntryFrom;

    internal const int FirstEntryOrdinal = 10;

    /// <summary>How many columns a history entry has in a row read back (<see cref="ReadEntry{TRow}"/>).</summary>
    internal const int EntryColumns = 10;

    internal const string HistorySelect = """
        SELECT h.phone, h.state, h.source, h.at, h.recorded_at, a.value, n.value, c.value, h.conversation_id, h.campaign_id, h.detection
        FROM opt_out_history h LEFT JOIN texts a ON a.id = h.actor LEFT JOIN texts n ON n.id = h.note LEFT JOIN texts c ON c.id = h.causation
        """;

    /// <summary>Reads the columns of <see cref="RecordSelect"/>.</summary>
    internal static OptOutRecord ReadRecord(SqliteDataReader reader, AccountId accountId) => ReadRecord(new ReaderRow(reader), accountId);

    internal static OptOutRecord ReadRecord<TRow>(TRow row, AccountId accountId) where TRow : struct, IRow => new()
    {
        AccountId = accountId,
        Phone = row.Text(0)!,
        State = StateOf(row.Int64(1)),
        Source = SourceOf(row.Int64(2)),
        Note = row.Text(3),
        Actor = row.Text(4),
        StateAt = TimeOf(row.Int64(5)),
        CreatedAt = TimeOf(row.Int64(6)),
        UpdatedAt = TimeOf(row.Int64(7)),
        Flagged = row.Int64(8) != 0,
        Version = row.Int64(9),
    };

    /// <summary>Reads the columns of <see cref="HistorySelect"/> after the phone.</summary>
    internal static OptOutHistoryEntry ReadHistory(SqliteDataReader reader) => ReadEntry(new ReaderRow(reader), 1);

    /// <summary>Reads the first history entry of <see cref="RecordWithFirstEntrySelect"/>: null when the row holds none.</summary>
    internal static OptOutHistoryEntry? ReadFirstEntry(SqliteDataReader reader) => ReadFirstEntry(new ReaderRow(reader));

    internal static OptOutHistoryEntry? ReadFirstEntry<TRow>(TRow row) where TRow : struct, IRow =>
        row.IsNull(FirstEntryOrdinal) ? null : ReadEntry(row, FirstEntryOrdinal);

    /// <summary>
    /// Reads a history entry's ten columns (<see cref="EntryColumns"/>) from <paramref name="first"/> on: state, source,
    /// at, recorded_at, actor, note, causation, conversation, campaign, detection.
    /// </summary>
    internal static OptOutHistoryEntry ReadEntry<TRow>(TRow row, int first) where TRow : struct, IRow => new()
    {
        State = StateOf(row.Int64(first)),
        Source = SourceOf(row.Int64(first + 1)),
        At = TimeOf(row.Int64(first + 2)),
        RecordedAt = TimeOf(row.Int64(first + 3)),
        Actor = row.Text(first + 4),
        Note = row.Text(first + 5),
        CausationId = row.Text(first + 6)!,
        ConversationId = row.Text(first + 7),
        CampaignId = row.Text(first + 8),
        Detection = StoredJson.ParseDetection(row.Text(first + 9)),
    };
}
