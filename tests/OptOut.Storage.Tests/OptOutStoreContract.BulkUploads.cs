using System.Collections;
using System.Reflection;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Storage.Tests;

/// <summary>What every <see cref="IBulkUploadStore"/> must do: exact round trip, compare-and-swap saves, newest-first pages, tenancy.</summary>
public abstract partial class OptOutStoreContract
{
    [Test]
    public async Task Should_round_trip_every_field_of_an_upload(CancellationToken cancellationToken)
    {
        var upload = EveryFieldSet(Guid.NewGuid(), 1, version: 1);
        var defaults = Fields(upload).Where(f => IsDefault(f.Value)).Select(f => f.Name);
        var shared = Fields(upload).Where(f => f.Value is not (bool or Enum or null))
            .GroupBy(f => Comparable(f.Value)).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(f => f.Name)));
        // A field left at its default reads back equal even when a store drops it; two fields with one value read back
        // equal even when a store swaps them.
        Assert.That(defaults, Is.Empty, "fields the spec leaves at their default");
        Assert.That(shared, Is.Empty, "fields the spec gives the same value");

        Assert.That(await Uploads.TrySaveAsync(upload, 0, cancellationToken), Is.True);

        AssertEveryField(await Uploads.GetAsync(Account, upload.UploadId, cancellationToken), upload, "after the insert");
    }

    [Test]
    public async Task Should_replace_every_field_of_an_upload_saved_again(CancellationToken cancellationToken)
    {
        var first = EveryFieldSet(Guid.NewGuid(), 1, version: 1);
        var second = EveryFieldSet(first.UploadId, 2, version: 2);
        var unchanged = Fields(second).Zip(Fields(first)).Where(f => SameValue(f.First.Value, f.Second.Value)).Select(f => f.First.Name);
        Assert.That(unchanged, Is.EquivalentTo(new[] { nameof(BulkUploadState.UploadId), nameof(BulkUploadState.AccountId) }),
            "every field but the key changes, so a replace that keeps a stored value fails");

        Assert.That(await Uploads.TrySaveAsync(first, 0, cancellationToken), Is.True);
        Assert.That(await Uploads.TrySaveAsync(second, 1, cancellationToken), Is.True);

        AssertEveryField(await Uploads.GetAsync(Account, first.UploadId, cancellationToken), second, "after the second save");
    }

    [Test]
    public async Task Should_round_trip_an_upload_with_nothing_optional_set(CancellationToken cancellationToken)
    {
        var upload = NewUpload(Now) with { FileName = null, SubmittedBy = null };

        Assert.That(await Uploads.TrySaveAsync(upload, 0, cancellationToken), Is.True);
        var read = await Uploads.GetAsync(Account, upload.UploadId, cancellationToken);

        Assert.That(read! with { RejectedRows = [] }, Is.EqualTo(upload with { RejectedRows = [] }));
        Assert.That(read.RejectedRows, Is.Empty);
        Assert.That(read.Counts, Is.EqualTo(new BulkUploadCounts()));
    }

    [Test]
    public async Task Should_save_an_upload_only_from_the_version_it_read(CancellationToken cancellationToken)
    {
        var v1 = NewUpload(Now.AddMinutes(-5));
        var v2 = v1 with { NumbersApplied = 1_000, Counts = new BulkUploadCounts { OptedOut = 990 }, Version = 2 };
        var stale = v1 with { Status = BulkUploadStatus.Failed, FailureReason = "stale", Version = 2 };

        Assert.That(await Uploads.TrySaveAsync(v1, 0, cancellationToken), Is.True);
        Assert.That(await Uploads.TrySaveAsync(v1, 0, cancellationToken), Is.False, "a second insert of the id");
        Assert.That(await Uploads.TrySaveAsync(v2, 1, cancellationToken), Is.True);
        Assert.That(await Uploads.TrySaveAsync(stale, 1, cancellationToken), Is.False, "a writer that read version 1 lost");
        Assert.That(await Uploads.TrySaveAsync(v2 with { Version = 4 }, 3, cancellationToken), Is.False, "a version never stored");

        var read = await Uploads.GetAsync(Account, v1.UploadId, cancellationToken);
        Assert.That(read!.Version, Is.EqualTo(2));
        Assert.That(read.Status, Is.EqualTo(BulkUploadStatus.Running));
        Assert.That(read.NumbersApplied, Is.EqualTo(1_000));
        Assert.That(read.Counts.OptedOut, Is.EqualTo(990));
    }

    [Test]
    public async Task Should_keep_a_queued_upload_until_exactly_one_start_replaces_it(CancellationToken cancellationToken)
    {
        var queued = NewUpload(Now.AddMinutes(-5)) with { Status = BulkUploadStatus.Queued, FileAddress = "urn:msgdata:queued-file" };
        Assert.That(await Uploads.TrySaveAsync(queued, 0, cancellationToken), Is.True);

        var read = await Uploads.GetAsync(Account, queued.UploadId, cancellationToken);
        var listed = await Uploads.ListAsync(Account, null, 10, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read! with { RejectedRows = [] }, Is.EqualTo(queued with { RejectedRows = [] }), "read back queued, with its file address");
            Assert.That(listed.Select(u => (u.UploadId, u.Status)), Is.EqualTo(new[] { (queued.UploadId, BulkUploadStatus.Queued) }));
        }

        // Two deliveries of its job start it from the version they both read: one wins, the other reads what it stored.
        var starts = Enumerable.Range(0, 2)
            .Select(i => queued with { Status = BulkUploadStatus.Running, StartedAt = Now.AddTicks(i), Version = 2 }).ToList();
        var results = await Task.WhenAll(starts.Select(s => Task.Run(() => Uploads.TrySaveAsync(s, 1, cancellationToken), cancellationToken)));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        var started = await Uploads.GetAsync(Account, queued.UploadId, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((started!.Status, started.Version, started.FileAddress), Is.EqualTo((BulkUploadStatus.Running, 2L, (string?)"urn:msgdata:queued-file")));
            Assert.That(started.StartedAt.UtcTicks, Is.EqualTo(starts[Array.IndexOf(results, true)].StartedAt.UtcTicks));
            Assert.That(await Uploads.TrySaveAsync(queued with { Status = BulkUploadStatus.Failed, Version = 2 }, 1, cancellationToken), Is.False,
                "failing it from the queued version once it started");
        }
    }

    [Test]
    public async Task Should_let_exactly_one_of_20_racing_upload_saves_win(CancellationToken cancellationToken)
    {
        var v1 = NewUpload(Now.AddMinutes(-5));
        Assert.That(await Uploads.TrySaveAsync(v1, 0, cancellationToken), Is.True);
        var saves = Enumerable.Range(0, 20).Select(i => v1 with { NumbersApplied = i, Version = 2 }).ToList();

        var results = await Task.WhenAll(saves.Select(s => Task.Run(() => Uploads.TrySaveAsync(s, 1, cancellationToken), cancellationToken)));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        var read = await Uploads.GetAsync(Account, v1.UploadId, cancellationToken);
        Assert.That(read!.NumbersApplied, Is.EqualTo(Array.IndexOf(results, true)));
    }

    [Test]
    public void Should_reject_an_upload_save_that_does_not_advance_the_version()
    {
        Assert.ThrowsAsync<ArgumentException>(() => Uploads.TrySaveAsync(NewUpload(Now) with { Version = 1 }, 1));
        Assert.ThrowsAsync<ArgumentException>(() => Uploads.TrySaveAsync(NewUpload(Now) with { Version = 0 }, 0));
    }

    [Test]
    public async Task Should_keep_an_upload_to_its_account(CancellationToken cancellationToken)
    {
        AccountId other = Guid.NewGuid();
        var mine = NewUpload(Now.AddMinutes(-5));
        Assert.That(await Uploads.TrySaveAsync(mine, 0, cancellationToken), Is.True);
        var intruder = mine with { AccountId = other, FileName = "theirs.csv" };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Uploads.GetAsync(other, mine.UploadId, cancellationToken), Is.Null);
            // The same upload id from another account neither inserts a second upload nor overwrites this one.
            Assert.That(await Uploads.TrySaveAsync(intruder, 0, cancellationToken), Is.False);
            Assert.That(await Uploads.TrySaveAsync(intruder with { Version = 2 }, 1, cancellationToken), Is.False);
            Assert.That(await Uploads.ListAsync(other, null, 10, cancellationToken), Is.Empty);
        }

        var read = await Uploads.GetAsync(Account, mine.UploadId, cancellationToken);
        Assert.That(read!.FileName, Is.EqualTo(mine.FileName));
        Assert.That(read.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task Should_return_null_for_an_unknown_upload(CancellationToken cancellationToken)
    {
        Assert.That(await Uploads.GetAsync(Account, Guid.NewGuid(), cancellationToken), Is.Null);
    }

    [Test]
    public async Task Should_list_uploads_newest_first_and_page_before_a_cursor(CancellationToken cancellationToken)
    {
        // Sub-millisecond apart (times are compared exactly), saved out of order.
        var times = Enumerable.Range(0, 6).Select(i => Now.AddMinutes(-60).AddTicks(i * 3_001)).ToList();
        var uploads = times.Select(NewUpload).ToList();
        var random = new Random(6);
        foreach (var upload in uploads.OrderBy(_ => random.Next()))
            Assert.That(await Uploads.TrySaveAsync(upload, 0, cancellationToken), Is.True);
        Assert.That(await Uploads.TrySaveAsync(NewUpload(Now.AddMinutes(-30)) with { AccountId = Guid.NewGuid() }, 0, cancellationToken), Is.True);
        var newestFirst = uploads.AsEnumerable().Reverse().Select(u => u.UploadId).ToList();

        var first = await Uploads.ListAsync(Account, null, 4, cancellationToken);
        var second = await Uploads.ListAsync(Account, first[^1].SubmittedAt, 4, cancellationToken);
        var beforeOldest = await Uploads.ListAsync(Account, times[0], 100, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Select(u => u.UploadId), Is.EqualTo(newestFirst.Take(4)));
            Assert.That(second.Select(u => u.UploadId), Is.EqualTo(newestFirst.Skip(4)));
            Assert.That(first.Concat(second).Select(u => u.AccountId), Is.All.EqualTo(Account));
            Assert.That(beforeOldest, Is.Empty);
        }
    }

    [Test]
    public async Task Should_order_uploads_submitted_at_the_same_instant_by_upload_id(CancellationToken cancellationToken)
    {
        var at = Now.AddMinutes(-20);
        var uploads = Enumerable.Range(0, 5).Select(_ => NewUpload(at)).Append(NewUpload(at.AddTicks(1))).ToList();
        foreach (var upload in uploads)
            Assert.That(await Uploads.TrySaveAsync(upload, 0, cancellationToken), Is.True);
        // On a tie, the greater upload id (in its canonical text form, which is also its byte order) first.
        var expected = uploads
            .OrderByDescending(u => u.SubmittedAt.UtcTicks)
            .ThenByDescending(u => u.UploadId.ToString("D"), StringComparer.Ordinal)
            .Select(u => u.UploadId);

        var all = await Uploads.ListAsync(Account, null, 100, cancellationToken);
        var beforeTheNewest = await Uploads.ListAsync(Account, at.AddTicks(1), 100, cancellationToken);
        var beforeTheTie = await Uploads.ListAsync(Account, at, 100, cancellationToken);

        Assert.That(all.Select(u => u.UploadId), Is.EqualTo(expected));
        Assert.That(beforeTheNewest, Has.Count.EqualTo(5), "strictly before the cursor, to the tick");
        Assert.That(beforeTheTie, Is.Empty);
    }

    [Test]
    public void Should_reject_an_upload_page_size_below_one()
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Uploads.ListAsync(Account, null, 0));
    }

    /// <summary>
    /// An upload of this test's account with every field set: times at an offset other than UTC with sub-millisecond
    /// ticks, text with quotes and non-ASCII letters, and numbers distinct from each other and between two values of
    /// <paramref name="n"/>.
    /// </summary>
    private BulkUploadState EveryFieldSet(Guid uploadId, int n, long version)
    {
        var at = new DateTimeOffset(2025, 4, 10, 8, 0, 0, TimeSpan.FromHours(-7)).AddDays(n).AddTicks(4_321);
        var k = n * 100_000L;
        return new BulkUploadState
        {
            UploadId = uploadId,
            AccountId = Account,
            FileName = $"spring \"list\" {n} — ✓.csv",
            SubmittedBy = $"admin{n}@example.com",
            SubmittedAt = at,
            DryRun = n == 1,
            Status = n == 1 ? BulkUploadStatus.Undone : BulkUploadStatus.Completed,
            StartedAt = at.AddSeconds(1).AddTicks(1),
            IngestedAt = at.AddMinutes(2).AddTicks(2),
            CompletedAt = at.AddMinutes(3).AddTicks(3),
            TotalRows = k + 1_000,
            NumbersApplied = k + 999,
            Counts = new BulkUploadCounts
            {
                OptedOut = k + 700, AlreadyOptedOut = k + 200, DuplicateRows = k + 50, InvalidRows = k + 49, FlaggedRows = k + 12, SupersededRows = k + 34,
            },
            RejectedRows =
            [
                new BulkUploadRejectedRow { Row = k + 7, Value = "201-1234", Reason = "local-only number" },
                new BulkUploadRejectedRow { Row = k + 9, Value = "\"quoted\", comma", Reason = $"not a number ({n})" },
            ],
            FileAddress = $"urn:mongodb:gridfs:1234567{n}abcdef0123456789",
            ReportAddress = $"urn:mongodb:gridfs:7654321{n}fedcba9876543210",
            EventsDispatchedAfter = $"+1555201004{n}",
            EventsDispatched = k + 42,
            FailureReason = $"none ({n})",
            UndoneAt = at.AddHours(1).AddTicks(4),
            UndoneBy = $"Zoë O'Brien ({n})",
            UndoOptedIn = k + 699,
            UndoKept = k + 1,
            Version = version,
        };
    }

    /// <summary>Each field of <paramref name="read"/> equals <paramref name="expected"/>'s, named in the failure.</summary>
    private static void AssertEveryField(BulkUploadState? read, BulkUploadState expected, string when)
    {
        Assert.That(read, Is.Not.Null, when);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (actual, wanted) in Fields(read!).Zip(Fields(expected)))
                Assert.That(Comparable(actual.Value), Is.EqualTo(Comparable(wanted.Value)), $"{wanted.Name} {when}");
        }
    }

    /// <summary>
    /// Every settable property of the state and of its counts (as <c>Counts.Name</c>), found by reflection so a field
    /// added later is covered without changing the specs that use this.
    /// </summary>
    private static IEnumerable<(string Name, object? Value)> Fields(BulkUploadState state) =>
        Settable<BulkUploadState>().Where(p => p.Name != nameof(BulkUploadState.Counts)).Select(p => (p.Name, p.GetValue(state)))
            .Concat(Settable<BulkUploadCounts>().Select(p => ($"{nameof(BulkUploadState.Counts)}.{p.Name}", p.GetValue(state.Counts))));

    private static IEnumerable<PropertyInfo> Settable<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null);

    /// <summary>A time as its exact instant (a store may return it at another offset); anything else as it is.</summary>
    private static object? Comparable(object? value) => value is DateTimeOffset time ? time.UtcTicks : value;

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string => false,
        IEnumerable items => !items.GetEnumerator().MoveNext(),
        _ => value.GetType().IsValueType && value.Equals(Activator.CreateInstance(value.GetType())),
    };

    private static bool SameValue(object? a, object? b) => a is IEnumerable x and not string && b is IEnumerable y and not string
        ? x.Cast<object>().SequenceEqual(y.Cast<object>())
        : Equals(Comparable(a), Comparable(b));

    /// <summary>A new running upload (version 1) of this test's account, submitted at <paramref name="submittedAt"/>.</summary>
    protected BulkUploadState NewUpload(DateTimeOffset submittedAt) => new()
    {
        UploadId = Guid.NewGuid(),
        AccountId = Account,
        FileName = "spring.csv",
        SubmittedBy = "admin@example.com",
        SubmittedAt = submittedAt,
        Status = BulkUploadStatus.Running,
        StartedAt = submittedAt.AddSeconds(1),
        Version = 1,
    };
}
