using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;

namespace OptOut.Storage.Tests;

/// <summary>
/// What every <see cref="IOptOutStore"/>, <see cref="IBulkChangeLog"/>, <see cref="ISettingsStore"/> and <see cref="IBulkUploadStore"/> must do (two real
/// implementations passing one shared contract suite). Each concrete fixture supplies a store; each test works in an
/// account of its own, so the tests share one database per fixture without seeing each other's data.
/// Tests drive the store both directly (the compare-and-swap contract) and through Core's
/// <see cref="OptOutService"/> and <see cref="OptOutStateMachine"/> (the behaviour the service relies on).
/// </summary>
[CancelAfter(60_000)]
public abstract partial class OptOutStoreContract
{
    /// <summary>The service clock; event times in the tests lie before it.</summary>
    protected static readonly DateTimeOffset Now = new(2025, 4, 11, 12, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider _clock = null!;

    protected IOptOutStore Store { get; private set; } = null!;

    protected IBulkChangeLog ChangeLog { get; private set; } = null!;

    protected ISettingsStore Settings { get; private set; } = null!;

    protected IBulkUploadStore Uploads { get; private set; } = null!;

    protected OptOutService Service { get; private set; } = null!;

    /// <summary>A fresh account per test.</summary>
    protected AccountId Account { get; private set; }

    /// <summary>Creates the stores (schema and indexes included). May <see cref="Assert.Ignore(string)"/> with the reason.</summary>
    protected abstract Task<(IOptOutStore Store, IBulkChangeLog ChangeLog, ISettingsStore Settings, IBulkUploadStore Uploads)> StartStoresAsync(
        CancellationToken cancellationToken);

    /// <summary>Releases what <see cref="StartStoresAsync"/> created; runs even when it did not finish.</summary>
    protected abstract Task StopStoresAsync();

    /// <summary>Why this fixture's server can't run the named test, or null when it can.</summary>
    protected virtual string? WhyUnsupported(string testName) => null;

    [OneTimeSetUp]
    public async Task StartStores()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        (Store, ChangeLog, Settings, Uploads) = await StartStoresAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public Task StopStores() => StopStoresAsync();

    [SetUp]
    public void StartTest()
    {
        if (WhyUnsupported(TestContext.CurrentContext.Test.MethodName ?? "") is { } reason)
            Assert.Ignore(reason);

        // The platform's own kind of id, not a GUID: the stores keep any id (a GUID is one such string).
        Account = AccountId.Parse("acct-" + Guid.NewGuid().ToString("N")[..8]);
        _clock = new FakeTimeProvider(Now);
        Service = new OptOutService(Store, _clock);
    }

    // ---------------------------------------------------------------- insert and read back

    [Test]
    public async Task Should_insert_the_first_opt_out(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(1);
        var change = Change(phone, OptState.OptedOut, Now.AddMinutes(-5), "inbound:SM1", OptOutSource.Keyword,
            actor: "+15550009999", note: "Texted STOP", conversationId: "conv-1", campaignId: "camp-1");

        var decision = await Service.ApplyAsync(change, cancellationToken);
        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);

        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
        Assert.That(record, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record!.AccountId, Is.EqualTo(Account));
            Assert.That(record.Phone, Is.EqualTo(phone.E164));
            Assert.That(record.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.Note, Is.EqualTo("Texted STOP"));
            Assert.That(record.Actor, Is.EqualTo("+15550009999"));
            Assert.That(record.StateAt, Is.EqualTo(change.At));
            Assert.That(record.CreatedAt, Is.EqualTo(change.At));
            Assert.That(record.UpdatedAt, Is.EqualTo(Now));
            Assert.That(record.Version, Is.EqualTo(1));
            Assert.That(record.Flagged, Is.False);
            Assert.That(record.History, Has.Count.EqualTo(1));
        }

        AssertEntry(record.History[0], change, recordedAt: Now);
    }

    [Test]
    public async Task Should_return_null_for_a_number_never_opted_out(CancellationToken cancellationToken)
    {
        Assert.That(await Store.FindAsync(Account, TestPhones.Us(2).E164, cancellationToken), Is.Null);
    }

    [Test]
    public async Task Should_round_trip_every_field_exactly(CancellationToken cancellationToken)
    {
        // Offsets other than UTC and sub-millisecond ticks: the event-time rules compare exact instants.
        var at = new DateTimeOffset(2025, 3, 1, 8, 15, 30, TimeSpan.FromHours(5.5)).AddTicks(1_234_567);
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            At = at,
            RecordedAt = at.AddTicks(9),
            Actor = "Zoë O'Brien",
            Note = "Bulk upload \"spring.csv\", row 7 — flagged ✓",
            CausationId = "bulk:5b2f:7",
        };
        var record = new OptOutRecord
        {
            AccountId = Account,
            Phone = "+15552010003",
            State = OptState.OptedOut,
            Source = OptOutSource.BulkUpload,
            Note = entry.Note,
            Actor = entry.Actor,
            StateAt = at,
            CreatedAt = at.AddTicks(-1),
            UpdatedAt = at.AddTicks(9),
            Flagged = true,
            Version = 1,
            History = [entry],
        };

        Assert.That(await Store.TryWriteAsync(new OptOutWrite(record, 0, entry), cancellationToken), Is.True);
        var read = await Store.FindAsync(Account, record.Phone, cancellationToken);

        Assert.That(read, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read!.StateAt.UtcTicks, Is.EqualTo(at.UtcTicks));
            Assert.That(read.CreatedAt.UtcTicks, Is.EqualTo(at.UtcTicks - 1));
            Assert.That(read.UpdatedAt.UtcTicks, Is.EqualTo(at.UtcTicks + 9));
            Assert.That(read.Note, Is.EqualTo(entry.Note));
            Assert.That(read.Actor, Is.EqualTo(entry.Actor));
            Assert.That(read.Flagged, Is.True);
            Assert.That(read.Source, Is.EqualTo(OptOutSource.BulkUpload));
            Assert.That(read.History, Has.Count.EqualTo(1));
            Assert.That(read.History[0], Is.EqualTo(entry));
            Assert.That(read.History[0].At.UtcTicks, Is.EqualTo(at.UtcTicks));
            Assert.That(read.History[0].ConversationId, Is.Null);
            Assert.That(read.History[0].CampaignId, Is.Null);
        }
    }

    // ---------------------------------------------------------------- compare-and-swap

    [Test]
    public async Task Should_refuse_a_stale_version_and_write_nothing(CancellationToken cancellationToken)
    {
        const string phone = "+15552010004";
        var first = Entry(OptState.OptedOut, Now.AddMinutes(-30), "c1");
        var second = Entry(OptState.OptedIn, Now.AddMinutes(-20), "c2");
        var stale = Entry(OptState.OptedIn, Now.AddMinutes(-10), "c3", OptOutSource.Api);
        var v1 = Record(phone, OptState.OptedOut, first.At, 1);
        var v2 = v1 with { State = OptState.OptedIn, StateAt = second.At, Version = 2 };
        var lost = v1 with { State = OptState.OptedIn, StateAt = stale.At, Source = OptOutSource.Api, Note = "lost", Version = 2 };

        Assert.That(await Store.TryWriteAsync(new OptOutWrite(v1, 0, first), cancellationToken), Is.True);
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(v2, 1, second), cancellationToken), Is.True);
        // A writer that read version 1 before the write above lost the race.
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(lost, 1, stale), cancellationToken), Is.False);

        var read = await Store.FindAsync(Account, phone, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read!.Version, Is.EqualTo(2));
            Assert.That(read.StateAt, Is.EqualTo(second.At));
            Assert.That(read.Note, Is.Null);
            Assert.That(read.History.Select(h => h.CausationId), Is.EqualTo(new[] { "c1", "c2" }));
        }
    }

    [Test]
    public async Task Should_refuse_an_update_of_a_number_that_does_not_exist(CancellationToken cancellationToken)
    {
        const string phone = "+15552010005";
        var entry = Entry(OptState.OptedIn, Now, "c1");

        var written = await Store.TryWriteAsync(new OptOutWrite(Record(phone, OptState.OptedIn, Now, 4), 3, entry), cancellationToken);

        Assert.That(written, Is.False);
        Assert.That(await Store.FindAsync(Account, phone, cancellationToken), Is.Null);
    }

    [Test]
    public async Task Should_refuse_a_second_insert_of_the_same_number(CancellationToken cancellationToken)
    {
        const string phone = "+15552010006";
        var first = Entry(OptState.OptedOut, Now.AddMinutes(-2), "first");
        var second = Entry(OptState.OptedOut, Now.AddMinutes(-1), "second", OptOutSource.Manual);

        Assert.That(await Store.TryWriteAsync(new OptOutWrite(Record(phone, OptState.OptedOut, first.At, 1), 0, first), cancellationToken), Is.True);
        var again = Record(phone, OptState.OptedOut, second.At, 1) with { Source = OptOutSource.Manual };
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(again, 0, second), cancellationToken), Is.False);

        var read = await Store.FindAsync(Account, phone, cancellationToken);
        Assert.That(read!.Source, Is.EqualTo(OptOutSource.Keyword));
        Assert.That(read.History.Select(h => h.CausationId), Is.EqualTo(new[] { "first" }));
    }

    [Test]
    public async Task Should_let_exactly_one_of_20_racing_inserts_win(CancellationToken cancellationToken)
    {
        const string phone = "+15552010007";
        var writes = Enumerable.Range(0, 20).Select(i =>
        {
            var entry = Entry(OptState.OptedOut, Now.AddSeconds(-i), $"racer-{i}");
            return new OptOutWrite(Record(phone, OptState.OptedOut, entry.At, 1), 0, entry);
        }).ToList();

        var results = await Task.WhenAll(writes.Select(w => Task.Run(() => Store.TryWriteAsync(w, cancellationToken), cancellationToken)));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        var winner = writes[Array.IndexOf(results, true)];
        var read = await Store.FindAsync(Account, phone, cancellationToken);
        Assert.That(read!.StateAt, Is.EqualTo(winner.Record.StateAt));
        Assert.That(read.History.Select(h => h.CausationId), Is.EqualTo(new[] { winner.Appended!.CausationId }));
    }

    [Test]
    public async Task Should_update_without_history_when_no_entry_is_appended(CancellationToken cancellationToken)
    {
        const string phone = "+15552010008";
        var first = Entry(OptState.OptedOut, Now.AddMinutes(-10), "c1");
        var v1 = Record(phone, OptState.OptedOut, first.At, 1);
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(v1, 0, first), cancellationToken), Is.True);

        // The state machine's "same state, newer time": the clock advances, no transition is recorded.
        var advanced = v1 with { StateAt = Now.AddMinutes(-1), UpdatedAt = Now, Version = 2 };
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(advanced, 1, null), cancellationToken), Is.True);

        var read = await Store.FindAsync(Account, phone, cancellationToken);
        Assert.That(read!.Version, Is.EqualTo(2));
        Assert.That(read.StateAt, Is.EqualTo(advanced.StateAt));
        Assert.That(read.History, Has.Count.EqualTo(1));
    }

    [Test]
    public void Should_reject_a_write_that_does_not_advance_the_version()
    {
        var entry = Entry(OptState.OptedOut, Now, "c1");
        var record = Record("+15552010009", OptState.OptedOut, Now, 3);

        Assert.ThrowsAsync<ArgumentException>(() => Store.TryWriteAsync(new OptOutWrite(record, 3, entry)));
    }

    // ---------------------------------------------------------------- transitions through Core

    [Test]
    public async Task Should_append_every_transition_to_the_history_in_order(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(10);
        OptChange[] changes =
        [
            Change(phone, OptState.OptedOut, Now.AddHours(-3), "inbound:SM10", OptOutSource.Keyword,
                actor: phone.E164, note: "Texted STOP", conversationId: "conv-10", campaignId: "camp-10"),
            Change(phone, OptState.OptedIn, Now.AddHours(-2), "request:opt-in-10", OptOutSource.Manual,
                actor: "admin@example.com", note: "Deleted from the opt-out list"),
            Change(phone, OptState.OptedOut, Now.AddHours(-1), "request:messenger-10", OptOutSource.Messenger,
                actor: "agent-7", note: "Opted out from a conversation", conversationId: "conv-11"),
        ];

        foreach (var change in changes)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.That((await Service.ApplyAsync(change, cancellationToken)).Kind, Is.EqualTo(ChangeKind.Changed));
        }

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(record!.History, Has.Count.EqualTo(3));
        for (var i = 0; i < changes.Length; i++)
            AssertEntry(record.History[i], changes[i], recordedAt: Now.AddSeconds(i + 1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Messenger));
            Assert.That(record.Actor, Is.EqualTo("agent-7"));
            Assert.That(record.Note, Is.EqualTo("Opted out from a conversation"));
            Assert.That(record.StateAt, Is.EqualTo(changes[2].At));
            Assert.That(record.CreatedAt, Is.EqualTo(changes[0].At));
            Assert.That(record.Version, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Should_not_let_a_late_older_opt_in_override_a_newer_opt_out(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(11);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:new"), cancellationToken);

        var late = await Service.ApplyAsync(
            Change(phone, OptState.OptedIn, Now.AddMinutes(-10), "request:old", OptOutSource.Manual), cancellationToken);

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(late.Kind, Is.EqualTo(ChangeKind.Superseded));
        Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
        Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:new" }));
    }

    [Test]
    public async Task Should_let_an_opt_out_win_a_tie(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(12);
        var tie = Now.AddMinutes(-5);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-10), "inbound:1"), cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedIn, tie, "request:2", OptOutSource.Manual), cancellationToken);

        var decision = await Service.ApplyAsync(Change(phone, OptState.OptedOut, tie, "inbound:3"), cancellationToken);

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(decision.Kind, Is.EqualTo(ChangeKind.Changed));
        Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
        Assert.That(record.History.Select(h => h.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn, OptState.OptedOut }));
    }

    [Test]
    public async Task Should_not_transition_twice_for_a_redelivered_message(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(13);
        var change = Change(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:SM13");

        var first = await Service.ApplyAsync(change, cancellationToken);
        var redelivery = await Service.ApplyAsync(change, cancellationToken);

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(first.Kind, Is.EqualTo(ChangeKind.Changed));
        Assert.That(redelivery.Kind, Is.EqualTo(ChangeKind.Replayed));
        Assert.That(record!.History, Has.Count.EqualTo(1));
        Assert.That(record.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task Should_end_in_the_newest_state_when_20_writers_race_on_one_number(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(14);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddHours(-1), "seed"), cancellationToken);
        // Alternating states at distinct times; the newest (i = 19) is an opt-in, so it must win whatever the order.
        var changes = Enumerable.Range(0, 20)
            .Select(i => Change(phone, i % 2 == 0 ? OptState.OptedOut : OptState.OptedIn, Now.AddMinutes(-40 + i), $"racer-{i}",
                OptOutSource.Api, actor: $"writer-{i}"))
            .OrderBy(c => c.CausationId.GetHashCode(StringComparison.Ordinal))
            .ToList();

        var decisions = await Task.WhenAll(changes.Select(c => Task.Run(() => Service.ApplyAsync(c, cancellationToken), cancellationToken)));

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        var newest = changes.MaxBy(c => c.At)!;
        var changed = decisions.Where(d => d.Kind == ChangeKind.Changed).Select(d => d.Record!.History[^1].CausationId).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.StateAt, Is.EqualTo(newest.At));
            // Exactly one history entry per transition: the seed plus one per Changed decision, nothing lost or doubled.
            Assert.That(record.History.Skip(1).Select(h => h.CausationId), Is.EquivalentTo(changed));
            Assert.That(record.History.Select(h => h.CausationId), Is.Unique);
            // The newest change may only have advanced the clock (an older opt-in got there first): the record names
            // the transition that set the state, which is the last history entry.
            Assert.That(record.History[^1].State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.Actor, Is.EqualTo(record.History[^1].Actor));
            Assert.That(record.Source, Is.EqualTo(record.History[^1].Source));
        }

        for (var i = 1; i < record.History.Count; i++)
        {
            // Every entry is a transition: the state flips and event time moves forward.
            Assert.That(record.History[i].State, Is.Not.EqualTo(record.History[i - 1].State), $"entry {i}");
            Assert.That(record.History[i].At, Is.GreaterThan(record.History[i - 1].At), $"entry {i}");
        }
    }

    [Test]
    public async Task Should_record_one_opt_out_when_20_stops_race(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(15);
        var changes = Enumerable.Range(0, 20)
            .Select(i => Change(phone, OptState.OptedOut, Now.AddSeconds(-60 + i), $"inbound:SM15-{i}"))
            .ToList();

        var decisions = await Task.WhenAll(changes.Select(c => Task.Run(() => Service.ApplyAsync(c, cancellationToken), cancellationToken)));

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(decisions.Count(d => d.Kind == ChangeKind.Changed), Is.EqualTo(1), "one transition, so one confirmation text");
        Assert.That(record!.History, Has.Count.EqualTo(1));
        Assert.That(record.State, Is.EqualTo(OptState.OptedOut));
        Assert.That(record.StateAt, Is.EqualTo(changes.Max(c => c.At)));
    }

    // ---------------------------------------------------------------- tenancy

    [Test]
    public async Task Should_keep_the_same_number_independent_in_two_accounts(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(20);
        AccountId other = Guid.NewGuid();
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-10), "a:1"), cancellationToken);

        Assert.That(await Store.FindAsync(other, phone.E164, cancellationToken), Is.Null);

        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-9), "b:1", account: other), cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedIn, Now.AddMinutes(-8), "a:2", OptOutSource.Manual), cancellationToken);

        var mine = await Store.FindAsync(Account, phone.E164, cancellationToken);
        var theirs = await Store.FindAsync(other, phone.E164, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mine!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(mine.History.Select(h => h.CausationId), Is.EqualTo(new[] { "a:1", "a:2" }));
            Assert.That(theirs!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(theirs.AccountId, Is.EqualTo(other));
            Assert.That(theirs.Version, Is.EqualTo(1));
            Assert.That(theirs.History.Select(h => h.CausationId), Is.EqualTo(new[] { "b:1" }));
        }
    }

    [Test]
    public async Task Should_not_update_the_same_number_in_another_account(CancellationToken cancellationToken)
    {
        const string phone = "+15552010021";
        AccountId other = Guid.NewGuid();
        await Insert(other, phone, cancellationToken);

        // Same number and version, wrong account: the key includes the account, so nothing matches.
        var advanced = Record(phone, OptState.OptedOut, Now.AddMinutes(-1), 2);
        var written = await Store.TryWriteAsync(new OptOutWrite(advanced, 1, null), cancellationToken);

        Assert.That(written, Is.False);
        Assert.That(await Store.FindAsync(Account, phone, cancellationToken), Is.Null);
        Assert.That((await Store.FindAsync(other, phone, cancellationToken))!.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task Should_never_list_another_accounts_numbers(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        for (var i = 0; i < 5; i++)
        {
            await Insert(Account, $"+1555202{i:D4}", cancellationToken);
            await Insert(other, $"+1555202{i:D4}", cancellationToken);
            await Insert(other, $"+1555203{i:D4}", cancellationToken);
        }

        var mine = await Store.ListAsync(Account, null, null, 100, cancellationToken);
        var mineAfter = await Store.ListAsync(Account, OptState.OptedOut, "+15552020002", 100, cancellationToken);
        var nobody = await Store.ListAsync(Guid.NewGuid(), null, null, 100, cancellationToken);

        Assert.That(mine.Select(r => r.AccountId), Is.All.EqualTo(Account));
        Assert.That(mine, Has.Count.EqualTo(5));
        Assert.That(mineAfter.Select(r => r.Phone), Is.EqualTo(new[] { "+15552020003", "+15552020004" }));
        Assert.That(nobody, Is.Empty);
    }

    [Test]
    public async Task Should_keep_accounts_that_differ_only_in_letter_case_apart(CancellationToken cancellationToken)
    {
        // Ids are the platform's, compared exactly: "Acme-…" and "acme-…" are two tenants.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var upper = AccountId.Parse("Acme-" + suffix);
        var lower = AccountId.Parse("acme-" + suffix);
        const string phone = "+15552010031";
        await Insert(upper, phone, cancellationToken);

        var found = await Store.FindAsync(upper, phone, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found?.AccountId.Value, Is.EqualTo("Acme-" + suffix));
            Assert.That(await Store.FindAsync(lower, phone, cancellationToken), Is.Null);
            Assert.That(await Store.ListAsync(lower, null, null, 10, cancellationToken), Is.Empty);
            Assert.That(await Store.FindManyAsync(lower, [phone], cancellationToken), Is.Empty);
        }

        await Insert(lower, phone, cancellationToken);
        Assert.That(await Store.ListPhonesAsync(lower, null, 10, cancellationToken), Is.EqualTo(new[] { phone }));
        Assert.That((await Store.FindAsync(upper, phone, cancellationToken))!.Version, Is.EqualTo(1), "the other account's write left it alone");
    }

    // ---------------------------------------------------------------- paging

    [Test]
    public async Task Should_page_through_an_account_in_phone_order(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 25).Select(i => TestPhones.Us(100 + i).E164).ToList();
        var random = new Random(25);
        foreach (var phone in phones.OrderBy(_ => random.Next()))
            await Insert(Account, phone, cancellationToken);
        // Numbers of another account sorting between ours must not leak into the pages.
        await Insert(Guid.NewGuid(), "+15552010110", cancellationToken);

        var pages = new List<IReadOnlyList<OptOutRecord>>();
        string? after = null;
        do
        {
            pages.Add(await Store.ListAsync(Account, null, after, 10, cancellationToken));
            after = pages[^1].Count > 0 ? pages[^1][^1].Phone : after;
        }
        while (pages[^1].Count == 10);

        var listed = pages.SelectMany(p => p).ToList();
        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 10, 10, 5 }));
        Assert.That(listed.Select(r => r.Phone), Is.EqualTo(phones.Order(StringComparer.Ordinal)));
        Assert.That(listed.Select(r => r.Version), Is.All.EqualTo(1));
    }

    [Test]
    public async Task Should_page_through_an_accounts_phones_alone_in_phone_order(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 25).Select(i => TestPhones.Us(300 + i).E164).ToList();
        var random = new Random(26);
        foreach (var phone in phones.OrderBy(_ => random.Next()))
            await Insert(Account, phone, cancellationToken, phone.EndsWith('7') ? OptState.OptedIn : OptState.OptedOut);
        // Numbers of another account sorting between ours (and after them) must not leak into the pages.
        await Insert(Guid.NewGuid(), TestPhones.Us(310).E164 + "1", cancellationToken);
        await Insert(Guid.NewGuid(), TestPhones.Us(399).E164, cancellationToken);

        var pages = new List<IReadOnlyList<string>>();
        string? after = null;
        do
        {
            pages.Add(await Store.ListPhonesAsync(Account, after, 10, cancellationToken));
            after = pages[^1].Count > 0 ? pages[^1][^1] : after;
        }
        while (pages[^1].Count == 10);
        var nobody = await Store.ListPhonesAsync(Guid.NewGuid(), null, 10, cancellationToken);

        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 10, 10, 5 }));
        Assert.That(pages.SelectMany(p => p), Is.EqualTo(phones.Order(StringComparer.Ordinal)), "every state, in phone order");
        Assert.That(nobody, Is.Empty);
    }

    [Test]
    public async Task Should_not_load_history_into_pages(CancellationToken cancellationToken)
    {
        await Insert(Account, "+15552010150", cancellationToken);

        var page = await Store.ListAsync(Account, null, null, 10, cancellationToken);

        Assert.That(page, Has.Count.EqualTo(1));
        Assert.That(page[0].History, Is.Empty, "a page is a list view; history can be long and is read by FindAsync");
    }

    [Test]
    public async Task Should_page_by_state(CancellationToken cancellationToken)
    {
        var phones = Enumerable.Range(0, 12).Select(i => TestPhones.Us(200 + i).E164).ToList();
        var optedIn = phones.Where((_, i) => i % 3 == 0).ToList();
        // Written as they are, not through transitions: this test is about listing, not about how states change.
        foreach (var phone in phones)
            await Insert(Account, phone, cancellationToken, optedIn.Contains(phone) ? OptState.OptedIn : OptState.OptedOut);
        await Insert(Guid.NewGuid(), "+15552010203", cancellationToken, OptState.OptedIn);

        var outPages = new List<string>();
        string? after = null;
        IReadOnlyList<OptOutRecord> page;
        do
        {
            page = await Store.ListAsync(Account, OptState.OptedOut, after, 3, cancellationToken);
            outPages.AddRange(page.Select(r => r.Phone));
            after = page.Count > 0 ? page[^1].Phone : after;
        }
        while (page.Count == 3);
        var inPage = await Store.ListAsync(Account, OptState.OptedIn, null, 100, cancellationToken);

        Assert.That(outPages, Is.EqualTo(phones.Except(optedIn)));
        Assert.That(inPage.Select(r => r.Phone), Is.EqualTo(optedIn));
        Assert.That(inPage.Select(r => r.State), Is.All.EqualTo(OptState.OptedIn));
    }

    [Test]
    public void Should_reject_a_page_size_below_one()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListAsync(Account, null, null, 0));
    }

    // ---------------------------------------------------------------- settings

    [Test]
    public async Task Should_return_no_settings_for_an_account_that_never_saved_any(CancellationToken cancellationToken)
    {
        Assert.That(await Settings.GetAsync(Account, cancellationToken), Is.Null);
    }

    [Test]
    public async Task Should_round_trip_settings(CancellationToken cancellationToken)
    {
        var saved = AccountSettings.Restore(Account, 44, false, "Vous êtes désinscrit — répondez START 🙂",
            ["STOP", "ARRET", "OPT OUT", "OPT-OUT"], Now.AddTicks(1_234), "admin@example.com");

        await Settings.SaveAsync(saved, cancellationToken);
        var read = await Settings.GetAsync(Account, cancellationToken);

        AssertSettings(read, saved);
    }

    [Test]
    public async Task Should_replace_settings_on_save_and_keep_accounts_apart(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        var theirs = AccountSettings.Restore(other, 1, true, "Bye", ["STOP"], Now, "them");
        await Settings.SaveAsync(theirs, cancellationToken);
        await Settings.SaveAsync(AccountSettings.Restore(Account, 1, true, "First", ["STOP", "QUIT"], Now, "me"), cancellationToken);

        var replaced = AccountSettings.Restore(Account, 33, false, "Second", ["STOP"], null, null);
        await Settings.SaveAsync(replaced, cancellationToken);

        AssertSettings(await Settings.GetAsync(Account, cancellationToken), replaced);
        AssertSettings(await Settings.GetAsync(other, cancellationToken), theirs);
    }

    // ---------------------------------------------------------------- health

    [Test]
    public void Should_answer_a_ping()
    {
        Assert.DoesNotThrowAsync(() => Store.PingAsync());
    }

    // ---------------------------------------------------------------- helpers

    protected OptChange Change(PhoneNumber phone, OptState state, DateTimeOffset at, string causationId,
        OptOutSource source = OptOutSource.Keyword, string? actor = null, string? note = null, string? conversationId = null,
        string? campaignId = null, AccountId? account = null) => new()
    {
        AccountId = account ?? Account,
        Phone = phone,
        State = state,
        Source = source,
        At = at,
        CausationId = causationId,
        Actor = actor,
        Note = note,
        ConversationId = conversationId,
        CampaignId = campaignId,
    };

    protected OptOutRecord Record(string phone, OptState state, DateTimeOffset at, long version, AccountId? account = null) => new()
    {
        AccountId = account ?? Account,
        Phone = phone,
        State = state,
        Source = OptOutSource.Keyword,
        StateAt = at,
        CreatedAt = at,
        UpdatedAt = Now,
        Version = version,
    };

    protected static OptOutHistoryEntry Entry(OptState state, DateTimeOffset at, string causationId,
        OptOutSource source = OptOutSource.Keyword) => new()
    {
        State = state,
        Source = source,
        At = at,
        RecordedAt = Now,
        CausationId = causationId,
    };

    private async Task Insert(AccountId account, string phone, CancellationToken cancellationToken, OptState state = OptState.OptedOut)
    {
        var entry = Entry(state, Now.AddMinutes(-5), $"insert:{phone}");
        var written = await Store.TryWriteAsync(new OptOutWrite(Record(phone, state, entry.At, 1, account), 0, entry), cancellationToken);
        Assert.That(written, Is.True, $"insert {PhoneMask.Mask(phone)}");
    }

    private static void AssertEntry(OptOutHistoryEntry entry, OptChange change, DateTimeOffset recordedAt)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.State, Is.EqualTo(change.State));
            Assert.That(entry.Source, Is.EqualTo(change.Source));
            Assert.That(entry.At, Is.EqualTo(change.At));
            Assert.That(entry.RecordedAt, Is.EqualTo(recordedAt));
            Assert.That(entry.Actor, Is.EqualTo(change.Actor));
            Assert.That(entry.Note, Is.EqualTo(change.Note));
            Assert.That(entry.CausationId, Is.EqualTo(change.CausationId));
            Assert.That(entry.ConversationId, Is.EqualTo(change.ConversationId));
            Assert.That(entry.CampaignId, Is.EqualTo(change.CampaignId));
        }
    }

    private static void AssertSettings(AccountSettings? read, AccountSettings expected)
    {
        Assert.That(read, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read!.AccountId, Is.EqualTo(expected.AccountId));
            Assert.That(read.DefaultCountryCode, Is.EqualTo(expected.DefaultCountryCode));
            Assert.That(read.AutoOptOutEnabled, Is.EqualTo(expected.AutoOptOutEnabled));
            Assert.That(read.OptOutMessage, Is.EqualTo(expected.OptOutMessage));
            Assert.That(read.Keywords, Is.EqualTo(expected.Keywords));
            Assert.That(read.UpdatedAt, Is.EqualTo(expected.UpdatedAt));
            Assert.That(read.UpdatedBy, Is.EqualTo(expected.UpdatedBy));
        }
    }
}
