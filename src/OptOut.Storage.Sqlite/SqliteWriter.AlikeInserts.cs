using System.Text;
using OptOut.Core;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

// The batch inserts of the writer: a bulk upload's new numbers are most of its writes, and those of one batch are alike
// but for the number, so one statement inserts them all (WriteStatements.InsertAlikeRecords).
internal sealed partial class SqliteWriter
{
    /// <summary>Fewer alike inserts than this in a batch are written one by one.</summary>
    private const int MinAlikeInserts = 16;

    /// <summary>
    /// The inserts of a batch that are alike but for the number (a bulk upload's new numbers: the same record values
    /// and the very same first history entry), marked by index: written by one statement, <see cref="InsertAlike"/>.
    /// Null when there are too few to be worth it.
    /// </summary>
    private static bool[]? AlikeInserts(IReadOnlyList<OptOutWrite> writes)
    {
        var alike = new bool[writes.Count];
        var first = -1;
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write.ExpectedVersion != 0 || !IsPlainE164(write.Record.Phone))
                continue;
            if (first < 0)
                first = i;
            alike[i] = i == first || Alike(writes[first], write);
        }

        // The group is written after the batch's other writes: a number another write of the batch also touches
        // stays in its place, so the batch's writes of one number still apply in order.
        var others = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < writes.Count; i++)
        {
            if (!alike[i])
                others.Add(writes[i].Record.Phone);
        }

        var count = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            alike[i] &= !others.Contains(writes[i].Record.Phone);
            count += alike[i] ? 1 : 0;
        }

        return count >= MinAlikeInserts ? alike : null;
    }

    /// <summary>Both inserts write the same values but for the phone: the same record values and the same history entry object.</summary>
    private static bool Alike(OptOutWrite a, OptOutWrite b)
    {
        OptOutRecord x = a.Record, y = b.Record;
        return ReferenceEquals(a.Appended, b.Appended) && x.AccountId == y.AccountId && x.State == y.State && x.Source == y.Source
               && string.Equals(x.Note, y.Note, StringComparison.Ordinal) && string.Equals(x.Actor, y.Actor, StringComparison.Ordinal)
               && x.StateAt == y.StateAt && x.CreatedAt == y.CreatedAt && x.UpdatedAt == y.UpdatedAt && x.Flagged == y.Flagged
               && x.Version == y.Version;
    }

    /// <summary>'+' and digits only: such a number goes into a JSON string as it is.</summary>
    private static bool IsPlainE164(string phone) =>
        phone.Length > 1 && phone[0] == '+' && !phone.AsSpan(1).ContainsAnyExcept("0123456789");

    /// <summary>
    /// Inserts the writes marked <paramref name="alike"/> with one statement (SQLite walks a JSON array of their
    /// numbers, instead of a statement run, reset and bound per number: 850,000 new numbers took 1.7–1.8 s of CPU
    /// instead of 2.1 s; a bulk upload's new numbers are most of its writes).
    /// When one of the numbers got a record first (a race: rare), the statement is undone and they are written one by
    /// one, so each result says exactly which lost.
    /// </summary>
    private void InsertAlike(IReadOnlyList<OptOutWrite> writes, bool[] alike, bool[] results, CancellationToken cancellationToken)
    {
        var indexes = Enumerable.Range(0, writes.Count).Where(i => alike[i]).ToList();
        var template = writes[indexes[0]];
        var statement = Prepared.InsertAlikeRecords;
        // The texts are looked up (and added) before the savepoint: rolling back to it must not undo a text whose id is cached.
        BindRecord(statement, template, TextId(template.Record.Note), TextId(template.Record.Actor));
        var json = new StringBuilder(indexes.Count * 16).Append('[');
        foreach (var i in indexes)
            json.Append(json.Length > 1 ? ",\"" : "\"").Append(writes[i].Record.Phone).Append('"');
        statement.Text(2, json.Append(']').ToString());

        Execute(Prepared.SavepointAlike);
        Execute(statement.Statement);
        if (raw.sqlite3_changes(_db) == indexes.Count)
        {
            Execute(Prepared.ReleaseAlike);
            foreach (var i in indexes)
                results[i] = true;
            return;
        }

        Execute(Prepared.RollbackAlike);
        Execute(Prepared.ReleaseAlike);
        foreach (var i in indexes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[i] = Apply(writes[i]);
        }
    }
}
