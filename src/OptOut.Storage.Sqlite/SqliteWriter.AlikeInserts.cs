using System.Text;
using OptOut.Core;
using SQLitePCL;

namespace OptOut.Storage.Sqlite;

// The inserts of new numbers decided alike (IOptOutStore.TryInsertManyAsync): a bulk upload's new numbers are most of
// its writes, and they differ in nothing but the number, so one statement inserts them all (WriteStatements.InsertAlikeRecords).
internal sealed partial class SqliteWriter
{
    /// <summary>Fewer numbers than this are inserted one by one.</summary>
    private const int MinAlikeInserts = 16;

    /// <summary>
    /// Inserts <paramref name="inserts"/> in one transaction: the plain E.164 numbers of each flag value with one
    /// statement (<see cref="InsertAlike"/>), any other one by one. Result i is false when number i has a record.
    /// </summary>
    public bool[] TryInsertMany(NewNumbers inserts, CancellationToken cancellationToken)
    {
        var results = new bool[inserts.Numbers.Count];
        Execute(Prepared.Begin);
        try
        {
            List<int>? valid = null, flagged = null;
            for (var i = 0; i < results.Length; i++)
            {
                var number = inserts.Numbers[i];
                if (IsPlainE164(number.Phone))
                    (number.Flagged ? flagged ??= [] : valid ??= []).Add(i);
                else
                    results[i] = Apply(inserts.WriteOf(i));
            }

            foreach (var group in (List<int>?[])[valid, flagged])
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (group is null)
                    continue;
                if (group.Count >= MinAlikeInserts)
                {
                    InsertAlike(inserts, group, results, cancellationToken);
                    continue;
                }

                foreach (var i in group)
                    results[i] = Apply(inserts.WriteOf(i));
            }

            Execute(Prepared.Commit);
        }
        catch
        {
            Rollback();
            throw;
        }

        return results;
    }

    /// <summary>'+' and digits only: such a number goes into a JSON string as it is.</summary>
    private static bool IsPlainE164(string phone) =>
        phone.Length > 1 && phone[0] == '+' && !phone.AsSpan(1).ContainsAnyExcept("0123456789");

    /// <summary>
    /// Inserts the numbers <paramref name="indexes"/> (one flag value) with one statement (SQLite walks a JSON array of
    /// their numbers, instead of a statement run, reset and bound per number: 850,000 new numbers took 1.7–1.8 s of CPU
    /// instead of 2.1 s). When one of the numbers has a record (a race: rare), the statement is undone and they are
    /// written one by one, so each result says exactly which lost.
    /// </summary>
    private void InsertAlike(NewNumbers inserts, List<int> indexes, bool[] results, CancellationToken cancellationToken)
    {
        var template = inserts.WriteOf(indexes[0]);
        var statement = Prepared.InsertAlikeRecords;
        // The texts are looked up (and added) before the savepoint: rolling back to it must not undo a text whose id is cached.
        BindRecord(statement, template, TextId(template.Record.Note), TextId(template.Record.Actor));
        var json = new StringBuilder(indexes.Count * 16).Append('[');
        foreach (var i in indexes)
            json.Append(json.Length > 1 ? ",\"" : "\"").Append(inserts.Numbers[i].Phone).Append('"');
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
            results[i] = Apply(inserts.WriteOf(i));
        }
    }
}
