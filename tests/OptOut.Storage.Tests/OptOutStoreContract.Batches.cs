using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Storage.Tests;

/// <summary>
/// The batch operations bulk uploads use: <see cref="IOptOutStore.FindManyAsync"/>,
/// <see cref="IOptOutStore.TryWriteManyAsync"/> (each write compare-and-swapped on its own) and
/// <see cref="IOptOutStore.TryInsertManyAsync"/> (new numbers inserted with one decision).
/// </summary>
public abstract partial class OptOutStoreContract
{
    // ---------------------------------------------------------------- batch find

    [Test]
    public async Task Should_find_a_batch_with_history_and_only_the_numbers_that_exist(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        var existing = Enumerable.Range(0, 5).Select(i => $"+1555204{i:D4}").ToList();
        foreach (var phone in existing)
            await Insert(Account, phone, cancellationToken);
        // The same number in another account must not be found in this one.
        await Insert(other, "+15552049999", cancellationToken);
        string[] asked = [.. existing, "+15552040100", "+15552040101", "+15552049999"];

        var found = await Store.FindManyAsync(Account, asked, cancellationToken);

        Assert.That(found.Keys, Is.EquivalentTo(existing));
        foreach (var phone in existing)
        {
            var record = found[phone];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(record.Phone, Is.EqualTo(phone));
                Assert.That(record.AccountId, Is.EqualTo(Account));
                Assert.That(record.Version, Is.EqualTo(1));
                Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { $"insert:{phone}" }));
            }
        }
    }

    [Test]
    public async Task Should_find_a_batch_with_every_history_entry_in_order(CancellationToken cancellationToken)
    {
        var flapping = TestPhones.Us(300);
        var once = TestPhones.Us(301);
        await Service.ApplyAsync(Change(flapping, OptState.OptedOut, Now.AddMinutes(-30), "f:1"), cancellationToken);
        await Service.ApplyAsync(Change(flapping, OptState.OptedIn, Now.AddMinutes(-20), "f:2", OptOutSource.Manual), cancellationToken);
        await Service.ApplyAsync(Change(flapping, OptState.OptedOut, Now.AddMinutes(-10), "f:3"), cancellationToken);
        await Service.ApplyAsync(Change(once, OptState.OptedOut, Now.AddMinutes(-5), "o:1"), cancellationToken);

        var found = await Store.FindManyAsync(Account, [once.E164, flapping.E164], cancellationToken);

        Assert.That(found[flapping.E164].History.Select(h => h.CausationId), Is.EqualTo(new[] { "f:1", "f:2", "f:3" }));
        Assert.That(found[flapping.E164].Version, Is.EqualTo(3));
        Assert.That(found[once.E164].History.Select(h => h.CausationId), Is.EqualTo(new[] { "o:1" }));
        // The batch read returns what the single read returns.
        var single = await Store.FindAsync(Account, flapping.E164, cancellationToken);
        Assert.That(found[flapping.E164] with { History = [] }, Is.EqualTo(single! with { History = [] }));
        Assert.That(found[flapping.E164].History, Is.EqualTo(single.History));
    }

    [Test]
    public async Task Should_find_nothing_for_an_empty_batch(CancellationToken cancellationToken)
    {
        Assert.That(await Store.FindManyAsync(Account, [], cancellationToken), Is.Empty);
    }

    [Test]
    public async Task Should_find_a_batch_of_a_thousand_numbers(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 1_000).Select(i => $"+1555205{i:D4}").ToList();
        var written = await Store.TryWriteManyAsync([.. phones.Where((_, i) => i % 4 == 0).Select(p => NewWrite(p, "bulk:find"))], cancellationToken);
        Assert.That(written, Is.All.True);

        var found = await Store.FindManyAsync(Account, phones, cancellationToken);

        Assert.That(found.Keys, Is.EquivalentTo(phones.Where((_, i) => i % 4 == 0)));
        Assert.That(found.Values.Select(r => r.History.Count), Is.All.EqualTo(1));
    }

    // ---------------------------------------------------------------- batch write

    [Test]
    public async Task Should_write_a_batch_of_new_numbers_with_their_history(CancellationToken cancellationToken)
    {
        var writes = Enumerable.Range(0, 50).Select(i => NewWrite($"+1555206{i:D4}", "bulk:new")).ToList();

        var results = await Store.TryWriteManyAsync(writes, cancellationToken);

        Assert.That(results, Has.Count.EqualTo(50).And.All.True);
        var found = await Store.FindManyAsync(Account, [.. writes.Select(w => w.Record.Phone)], cancellationToken);
        Assert.That(found, Has.Count.EqualTo(50));
        foreach (var write in writes)
        {
            var record = found[write.Record.Phone];
            Assert.That(record with { History = [] }, Is.EqualTo(write.Record with { History = [] }));
            Assert.That(record.History, Is.EqualTo(new[] { write.Appended }));
        }
    }

    // Consecutive writes that share most values and differ in one (the store may skip binding repeated values): each
    // must be stored with its own, and read back exactly (non-ASCII and empty texts included). Notes, actors, flags,
    // sources, times and conversation ids alternate.

    [Test]
    public async Task Should_store_each_insert_of_a_batch_with_its_own_values_when_neighbours_differ_in_one(CancellationToken cancellationToken)
    {
        var writes = AlternatingInserts("+1555215");

        var results = await Store.TryWriteManyAsync(writes, cancellationToken);
        var found = await Store.FindManyAsync(Account, [.. writes.Select(w => w.Record.Phone)], cancellationToken);

        Assert.That(results, Is.All.True);
        for (var i = 0; i < writes.Count; i++)
        {
            var phone = writes[i].Record.Phone;
            Assert.That(found[phone] with { History = [] }, Is.EqualTo(writes[i].Record with { History = [] }), $"insert {i}");
            Assert.That(found[phone].History, Is.EqualTo(new[] { writes[i].Appended }), $"insert {i}");
        }
    }

    [Test]
    public async Task Should_store_each_update_of_a_batch_with_its_own_values_when_neighbours_differ_in_one(CancellationToken cancellationToken)
    {
        var writes = AlternatingInserts("+1555216");
        Assert.That(await Store.TryWriteManyAsync(writes, cancellationToken), Is.All.True);
        var found = await Store.FindManyAsync(Account, [.. writes.Select(w => w.Record.Phone)], cancellationToken);
        var updates = writes.Select((w, i) => i % 2 == 0
            ? NextWrite(found[w.Record.Phone], OptState.OptedIn, $"api:{i % 3}", OptOutSource.Api)
            : NextWrite(found[w.Record.Phone], OptState.OptedIn, "api:same") with { Appended = null }).ToList();

        var updated = await Store.TryWriteManyAsync(updates, cancellationToken);
        var after = await Store.FindManyAsync(Account, [.. writes.Select(w => w.Record.Phone)], cancellationToken);

        Assert.That(updated, Is.All.True);
        for (var i = 0; i < writes.Count; i++)
        {
            var phone = writes[i].Record.Phone;
            Assert.That(after[phone] with { History = [] }, Is.EqualTo(updates[i].Record with { History = [] }), $"update {i}");
            Assert.That(after[phone].History,
                Is.EqualTo(updates[i].Appended is { } appended ? new[] { writes[i].Appended!, appended } : new[] { writes[i].Appended! }), $"update {i}");
        }
    }

    private List<OptOutWrite> AlternatingInserts(string prefix) => Enumerable.Range(0, 12).Select(i =>
    {
        var write = NewWrite($"{prefix}{i:D4}", i % 3 == 0 ? "bulk:a" : "bulk:b", i % 4 == 0 ? OptOutSource.Manual : OptOutSource.BulkUpload);
        var entry = write.Appended! with
        {
            Actor = i % 2 == 0 ? null : "alice",
            Note = i % 5 == 0 ? null : $"note {i % 2}: José’s list ✓",
            ConversationId = i % 3 == 1 ? $"conv-{i}" : i % 6 == 2 ? "" : null,
            At = write.Appended!.At.AddSeconds(i % 2),
        };
        var record = write.Record with { Actor = entry.Actor, Note = entry.Note, Flagged = i % 4 == 3, StateAt = entry.At, CreatedAt = entry.At };
        return new OptOutWrite(record, 0, entry);
    }).ToList();

    // A bulk upload's new numbers: one decision, the same values but for the number and its flag
    // (IOptOutStore.TryInsertManyAsync; a store may write them with one statement).

    [Test]
    public async Task Should_insert_new_numbers_with_one_decision_each_with_its_own_number_and_flag(CancellationToken cancellationToken)
    {
        var inserts = NewNumbersOf("+1555217", 200, "bulk:alike", flagged: i => i % 10 == 7);

        var results = await Store.TryInsertManyAsync(inserts, cancellationToken);
        var found = await Store.FindManyAsync(Account, [.. inserts.Numbers.Select(n => n.Phone)], cancellationToken);

        Assert.That(results, Has.Count.EqualTo(200).And.All.True);
        Assert.Multiple(() =>
        {
            for (var i = 0; i < inserts.Numbers.Count; i++)
            {
                var number = inserts.Numbers[i];
                Assert.That(found[number.Phone] with { History = [] },
                    Is.EqualTo(inserts.Record with { Phone = number.Phone, Flagged = number.Flagged, History = [] }), $"number {i}");
                Assert.That(found[number.Phone].History, Is.EqualTo(new[] { inserts.Appended }), $"number {i}");
            }
        });
    }

    [Test]
    public async Task Should_refuse_only_the_inserts_of_new_numbers_that_exist(CancellationToken cancellationToken)
    {
        foreach (var count in (int[])[100, 3])
        {
            // 100 go together, 3 one by one: either way exactly the numbers that have a record lose.
            var prefix = count == 3 ? "+1555228" : "+1555218";
            var inserts = NewNumbersOf(prefix, count, "bulk:alike-race");
            var taken = new[] { 0, count / 2, count - 1 }.Select(i => inserts.Numbers[i].Phone).ToList();
            foreach (var phone in taken)
                await Insert(Account, phone, cancellationToken);

            var results = await Store.TryInsertManyAsync(inserts, cancellationToken);
            var found = await Store.FindManyAsync(Account, [.. inserts.Numbers.Select(n => n.Phone)], cancellationToken);

            Assert.That(results, Is.EqualTo(inserts.Numbers.Select(n => !taken.Contains(n.Phone))), $"{count}: exactly the numbers that had a record lost");
            Assert.Multiple(() =>
            {
                foreach (var phone in inserts.Numbers.Select(n => n.Phone))
                {
                    Assert.That(found[phone].History.Select(h => h.CausationId),
                        Is.EqualTo(new[] { taken.Contains(phone) ? $"insert:{phone}" : "bulk:alike-race" }), phone);
                }
            });
        }
    }

    [Test]
    public async Task Should_insert_no_new_numbers_and_refuse_inserts_that_are_not_new_records(CancellationToken cancellationToken)
    {
        var none = NewNumbersOf("+1555229", 0, "bulk:none");
        Assert.That(await Store.TryInsertManyAsync(none, cancellationToken), Is.Empty);

        var stale = NewNumbersOf("+1555229", 20, "bulk:stale");
        Assert.ThrowsAsync<ArgumentException>(() => Store.TryInsertManyAsync(stale with { Record = stale.Record with { Version = 0 } }, cancellationToken));
        Assert.That(await Store.FindManyAsync(Account, [.. stale.Numbers.Select(n => n.Phone)], cancellationToken), Is.Empty, "nothing written");
    }

    /// <summary>New numbers <paramref name="prefix"/>0000 on, inserted with one decision (that of <see cref="NewWrite"/>).</summary>
    private NewNumbers NewNumbersOf(string prefix, int count, string causationId, Func<int, bool>? flagged = null)
    {
        var template = NewWrite($"{prefix}0000", causationId);
        return new NewNumbers(template.Record, template.Appended!,
            [.. Enumerable.Range(0, count).Select(i => new NewNumber($"{prefix}{i:D4}", flagged?.Invoke(i) ?? false))]);
    }

    [Test]
    public async Task Should_refuse_only_the_insert_of_a_number_that_exists_in_a_batch(CancellationToken cancellationToken)
    {
        const string taken = "+15552070002";
        await Insert(Account, taken, cancellationToken);
        var writes = Enumerable.Range(0, 5).Select(i => NewWrite($"+1555207{i:D4}", "bulk:stale-insert")).ToList();

        var results = await Store.TryWriteManyAsync(writes, cancellationToken);

        Assert.That(results, Is.EqualTo(new[] { true, true, false, true, true }));
        var found = await Store.FindManyAsync(Account, [.. writes.Select(w => w.Record.Phone)], cancellationToken);
        Assert.That(found[taken].History.Select(h => h.CausationId), Is.EqualTo(new[] { $"insert:{taken}" }), "the existing record is untouched");
        foreach (var write in writes.Where(w => w.Record.Phone != taken))
            Assert.That(found[write.Record.Phone].History, Is.EqualTo(new[] { write.Appended }));
    }

    [Test]
    public async Task Should_refuse_only_the_stale_update_in_a_batch(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 6).Select(i => $"+1555208{i:D4}").ToList();
        Assert.That(await Store.TryWriteManyAsync([.. phones.Select(p => NewWrite(p, "bulk:seed"))], cancellationToken), Is.All.True);
        var seeded = await Store.FindManyAsync(Account, phones, cancellationToken);
        // Another writer moves number 3 on after the batch read it.
        Assert.That(await Store.TryWriteAsync(NextWrite(seeded[phones[3]], OptState.OptedIn, "other"), cancellationToken), Is.True);
        var writes = new List<OptOutWrite>
        {
            NextWrite(seeded[phones[0]], OptState.OptedIn, "bulk:undo"),
            NewWrite("+15552080100", "bulk:undo"),
            NextWrite(seeded[phones[3]], OptState.OptedIn, "bulk:undo"),
            NextWrite(seeded[phones[5]], OptState.OptedIn, "bulk:undo"),
        };

        var results = await Store.TryWriteManyAsync(writes, cancellationToken);

        Assert.That(results, Is.EqualTo(new[] { true, true, false, true }));
        var found = await Store.FindManyAsync(Account, [.. phones, "+15552080100"], cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found[phones[0]].History.Select(h => h.CausationId), Is.EqualTo(new[] { "bulk:seed", "bulk:undo" }));
            Assert.That(found[phones[0]].State, Is.EqualTo(OptState.OptedIn));
            Assert.That(found[phones[0]].Version, Is.EqualTo(2));
            Assert.That(found[phones[5]].History.Select(h => h.CausationId), Is.EqualTo(new[] { "bulk:seed", "bulk:undo" }));
            Assert.That(found["+15552080100"].History.Select(h => h.CausationId), Is.EqualTo(new[] { "bulk:undo" }));
            // The stale one wrote nothing: the other writer's version stands.
            Assert.That(found[phones[3]].History.Select(h => h.CausationId), Is.EqualTo(new[] { "bulk:seed", "other" }));
            Assert.That(found[phones[3]].Version, Is.EqualTo(2));
            // Numbers the batch did not name are untouched.
            Assert.That(found[phones[1]].Version, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Should_refuse_only_the_update_of_a_missing_number_in_a_batch(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 3).Select(i => $"+1555209{i:D4}").ToList();
        Assert.That(await Store.TryWriteManyAsync([.. phones.Select(p => NewWrite(p, "bulk:seed"))], cancellationToken), Is.All.True);
        var seeded = await Store.FindManyAsync(Account, phones, cancellationToken);
        var ghost = seeded[phones[1]] with { Phone = "+15552090100" };

        var results = await Store.TryWriteManyAsync(
            [.. phones.Select(p => NextWrite(seeded[p], OptState.OptedIn, "bulk:2")), NextWrite(ghost, OptState.OptedIn, "bulk:2")],
            cancellationToken);

        Assert.That(results, Is.EqualTo(new[] { true, true, true, false }));
        Assert.That(await Store.FindAsync(Account, ghost.Phone, cancellationToken), Is.Null);
        var found = await Store.FindManyAsync(Account, phones, cancellationToken);
        Assert.That(found.Values.Select(r => r.Version), Is.All.EqualTo(2));
    }

    [Test]
    public async Task Should_apply_two_writes_of_one_number_in_order_within_a_batch(CancellationToken cancellationToken)
    {
        const string phone = "+15552100001";
        var insert = NewWrite(phone, "b:1");
        var stored = insert.Record with { History = [insert.Appended!] };
        var update = NextWrite(stored, OptState.OptedIn, "b:2");

        var results = await Store.TryWriteManyAsync([insert, NewWrite("+15552100002", "b:1"), update], cancellationToken);

        Assert.That(results, Is.All.True);
        var record = await Store.FindAsync(Account, phone, cancellationToken);
        Assert.That(record!.Version, Is.EqualTo(2));
        Assert.That(record.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { "b:1", "b:2" }));
    }

    [Test]
    public async Task Should_reject_a_batch_write_that_does_not_advance_the_version(CancellationToken cancellationToken)
    {
        var good = NewWrite("+15552110001", "b");
        var bad = NewWrite("+15552110002", "b") with { ExpectedVersion = 1 };

        Assert.ThrowsAsync<ArgumentException>(() => Store.TryWriteManyAsync([good, bad], cancellationToken));
        Assert.That(await Store.FindAsync(Account, good.Record.Phone, cancellationToken), Is.Null, "nothing of the batch is written");
    }

    [Test]
    public async Task Should_write_nothing_for_an_empty_batch(CancellationToken cancellationToken)
    {
        Assert.That(await Store.TryWriteManyAsync([], cancellationToken), Is.Empty);
    }

    [Test]
    public async Task Should_let_exactly_one_win_when_a_batch_of_inserts_races_a_single_insert(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 10; round++)
        {
            var phones = Enumerable.Range(0, 200).Select(i => $"+1555212{round:D1}{i:D3}").ToList();
            var contested = phones[(round * 37) % phones.Count];
            var batch = phones.Select(p => NewWrite(p, $"bulk:{round}")).ToList();
            var single = NewWrite(contested, $"single:{round}", OptOutSource.Keyword);

            var (batchResults, singleResult) = await Race(batch, single, cancellationToken);

            var contestedIndex = phones.IndexOf(contested);
            Assert.That(batchResults[contestedIndex] ^ singleResult, Is.True, $"round {round}: exactly one writer wins the number");
            Assert.That(batchResults.Where((_, i) => i != contestedIndex), Is.All.True, $"round {round}");
            var winner = singleResult ? single : batch[contestedIndex];
            var record = await Store.FindAsync(Account, contested, cancellationToken);
            Assert.That(record!.History, Is.EqualTo(new[] { winner.Appended }), $"round {round}: only the winner's evidence");
            Assert.That(record.Source, Is.EqualTo(winner.Record.Source));
        }
    }

    [Test]
    public async Task Should_let_exactly_one_win_when_a_batch_of_updates_races_a_single_update(CancellationToken cancellationToken)
    {
        for (var round = 0; round < 10; round++)
        {
            var phones = Enumerable.Range(0, 200).Select(i => $"+1555213{round:D1}{i:D3}").ToList();
            Assert.That(await Store.TryWriteManyAsync([.. phones.Select(p => NewWrite(p, "seed"))], cancellationToken), Is.All.True);
            var seeded = await Store.FindManyAsync(Account, phones, cancellationToken);
            var contested = phones[(round * 53) % phones.Count];
            var batch = phones.Select(p => NextWrite(seeded[p], OptState.OptedIn, $"bulk:{round}")).ToList();
            var single = NextWrite(seeded[contested], OptState.OptedIn, $"single:{round}", OptOutSource.Manual);

            var (batchResults, singleResult) = await Race(batch, single, cancellationToken);

            var contestedIndex = phones.IndexOf(contested);
            Assert.That(batchResults[contestedIndex] ^ singleResult, Is.True, $"round {round}: exactly one writer wins the number");
            Assert.That(batchResults.Where((_, i) => i != contestedIndex), Is.All.True, $"round {round}");
            var winner = singleResult ? single : batch[contestedIndex];
            var record = await Store.FindAsync(Account, contested, cancellationToken);
            Assert.That(record!.History.Select(h => h.CausationId), Is.EqualTo(new[] { "seed", winner.Appended!.CausationId }), $"round {round}");
            Assert.That(record.Version, Is.EqualTo(2));
            Assert.That(record.Source, Is.EqualTo(winner.Record.Source));
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The insert of a new opted-out number (version 1) with its one history entry.</summary>
    protected OptOutWrite NewWrite(string phone, string causationId, OptOutSource source = OptOutSource.BulkUpload, AccountId? account = null)
    {
        var entry = Entry(OptState.OptedOut, Now.AddMinutes(-3), causationId, source);
        var record = Record(phone, OptState.OptedOut, entry.At, 1, account) with { Source = source, Note = $"by {causationId}" };
        return new OptOutWrite(record, 0, entry);
    }

    /// <summary>The next version of <paramref name="current"/>: a transition to <paramref name="state"/>.</summary>
    protected static OptOutWrite NextWrite(OptOutRecord current, OptState state, string causationId, OptOutSource source = OptOutSource.BulkUpload)
    {
        var entry = Entry(state, current.StateAt.AddSeconds(1), causationId, source);
        var next = current with { State = state, Source = source, StateAt = entry.At, Version = current.Version + 1, History = [] };
        return new OptOutWrite(next, current.Version, entry);
    }

    /// <summary>Releases a batch and a single write at the same moment and returns both outcomes.</summary>
    private async Task<(IReadOnlyList<bool> Batch, bool Single)> Race(
        IReadOnlyList<OptOutWrite> batch, OptOutWrite single, CancellationToken cancellationToken)
    {
        using var start = new ManualResetEventSlim();
        var batchTask = Task.Run(async () => { start.Wait(cancellationToken); return await Store.TryWriteManyAsync(batch, cancellationToken); },
            cancellationToken);
        var singleTask = Task.Run(async () => { start.Wait(cancellationToken); return await Store.TryWriteAsync(single, cancellationToken); },
            cancellationToken);
        start.Set();
        return (await batchTask, await singleTask);
    }
}
