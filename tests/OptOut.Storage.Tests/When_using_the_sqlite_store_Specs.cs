using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Bulk;
using OptOut.Storage.Sqlite;

namespace OptOut.Storage.Tests;

/// <summary>The store contract against a SQLite file of its own in a temporary folder.</summary>
[TestFixture]
public sealed class When_using_the_sqlite_store : OptOutStoreContract
{
    private string? _folder;
    private SqliteOptOutStore? _store;

    private string DatabasePath => Path.Combine(_folder!, "optout.db");

    protected override async Task<(IOptOutStore Store, IBulkChangeLog ChangeLog, ISettingsStore Settings, IBulkUploadStore Uploads)> StartStoresAsync(
        CancellationToken cancellationToken)
    {
        _folder = Path.Combine(Path.GetTempPath(), "optout-store-tests-" + Guid.NewGuid().ToString("N"));
        // The store creates the folder: a fresh install has none.
        _store = new SqliteOptOutStore(DatabasePath);
        await _store.InitializeAsync(cancellationToken);
        return (_store, _store, _store, _store);
    }

    protected override Task StopStoresAsync()
    {
        _store?.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task SaveSettingsAsBeforeLanguagesAsync(AccountId accountId, int defaultCountryCode, bool autoOptOutEnabled,
        string optOutMessage, IReadOnlyList<string> keywords, DateTimeOffset updatedAt, string updatedBy, CancellationToken cancellationToken)
    {
        // The row as layout 3 wrote it (the file's upgrade added the languages column, NULL in such a row).
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO settings (account_id, default_country_code, auto_opt_out_enabled, opt_out_message, keywords, updated_at, updated_by)
            VALUES ($account, $code, $auto, $message, $keywords, $at, $by)
            """;
        command.Parameters.AddWithValue("$account", accountId.Value);
        command.Parameters.AddWithValue("$code", defaultCountryCode);
        command.Parameters.AddWithValue("$auto", autoOptOutEnabled ? 1 : 0);
        command.Parameters.AddWithValue("$message", optOutMessage);
        command.Parameters.AddWithValue("$keywords", JsonSerializer.Serialize(keywords));
        command.Parameters.AddWithValue("$at", updatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$by", updatedBy);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [Test]
    public async Task Should_use_write_ahead_logging(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.That(await command.ExecuteScalarAsync(cancellationToken), Is.EqualTo("wal"));
    }

    [Test]
    public async Task Should_mark_a_new_file_with_the_layout_it_writes(CancellationToken cancellationToken)
    {
        Assert.That(await ScalarAsync("PRAGMA user_version", cancellationToken), Is.EqualTo((long)SqliteSchema.Layout));
    }

    [Test]
    public async Task Should_create_the_schema_idempotently(CancellationToken cancellationToken)
    {
        await Service.ApplyAsync(Change(TestPhones.Us(30), OptState.OptedOut, Now.AddMinutes(-1), "inbound:30"), cancellationToken);

        await _store!.InitializeAsync(cancellationToken);

        Assert.That(await Store.FindAsync(Account, TestPhones.Us(30).E164, cancellationToken), Is.Not.Null);
    }

    [Test]
    public async Task Should_keep_everything_across_a_restart(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(31);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-2), "inbound:31"), cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedIn, Now.AddMinutes(-1), "request:31", OptOutSource.Manual), cancellationToken);

        using var restarted = new SqliteOptOutStore(DatabasePath);
        await restarted.InitializeAsync(cancellationToken);
        var record = await restarted.FindAsync(Account, phone.E164, cancellationToken);

        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:31", "request:31" }));
    }

    [Test]
    public async Task Should_stay_consistent_when_two_stores_write_one_file(CancellationToken cancellationToken)
    {
        // Two instances have separate in-process write queues, like two processes: only SQLite's own lock
        // (BEGIN IMMEDIATE, busy timeout) and the version check keep them consistent.
        using var second = new SqliteOptOutStore(DatabasePath);
        var services = new[] { Service, new OptOutService(second, new FakeTimeProvider(Now)) };
        var phone = TestPhones.Us(32);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddHours(-1), "seed"), cancellationToken);
        var changes = Enumerable.Range(0, 40)
            .Select(i => Change(phone, i % 2 == 0 ? OptState.OptedOut : OptState.OptedIn, Now.AddMinutes(-50 + i), $"racer-{i}"))
            .ToList();

        var decisions = await Task.WhenAll(changes.Select((c, i) =>
            Task.Run(() => services[i % 2].ApplyAsync(c, cancellationToken), cancellationToken)));

        var record = await second.FindAsync(Account, phone.E164, cancellationToken);
        Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
        Assert.That(record.StateAt, Is.EqualTo(changes[^1].At));
        Assert.That(record.History, Has.Count.EqualTo(1 + decisions.Count(d => d.Kind == ChangeKind.Changed)));
        Assert.That(record.History.Select(h => h.CausationId), Is.Unique);
    }

    [Test]
    public async Task Should_stay_consistent_when_a_batch_races_a_single_write_from_another_store(CancellationToken cancellationToken)
    {
        // Two instances on one file, as two processes: SQLite's write lock serializes the batch's transaction and the
        // single write; the version check decides which of the two wins the shared number.
        using var second = new SqliteOptOutStore(DatabasePath);
        for (var round = 0; round < 5; round++)
        {
            var phones = Enumerable.Range(0, 500).Select(i => $"+1555216{round:D1}{i:D3}").ToList();
            var contested = phones[250];
            var batch = phones.Select(p => NewWrite(p, $"bulk:{round}")).ToList();
            var single = NewWrite(contested, $"single:{round}", OptOutSource.Keyword);

            var batchTask = Task.Run(() => Store.TryWriteManyAsync(batch, cancellationToken), cancellationToken);
            var singleTask = Task.Run(() => second.TryWriteAsync(single, cancellationToken), cancellationToken);
            var (batchResults, singleResult) = (await batchTask, await singleTask);

            Assert.That(batchResults[250] ^ singleResult, Is.True, $"round {round}");
            var record = await second.FindAsync(Account, contested, cancellationToken);
            Assert.That(record!.History, Is.EqualTo(new[] { (singleResult ? single : batch[250]).Appended }));
            Assert.That((await second.FindManyAsync(Account, phones, cancellationToken)).Count, Is.EqualTo(500));
        }
    }

    protected override async Task SaveSettingsAsBeforeReviewDeadlinesAsync(AccountSettings settings, CancellationToken cancellationToken)
    {
        await Settings.SaveAsync(settings, cancellationToken);
        await ScalarAsync(
            $"UPDATE settings SET languages = json_remove(languages, '$.reviewDeadlineBusinessDays', '$.timeZone') WHERE account_id = '{settings.AccountId:D}'",
            cancellationToken);
        Assert.That(
            await ScalarAsync($"SELECT json_type(languages, '$.timeZone') FROM settings WHERE account_id = '{settings.AccountId:D}'", cancellationToken),
            Is.EqualTo(DBNull.Value));
    }

    [Test]
    public async Task Should_store_detections_and_languages_as_readable_json(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(2320);
        var detection = new OptOutDetection { Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.95, Reason = "asked to “stop” — it's <clear>" };
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-3), "inbound:2320") with { Detection = detection }, cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedIn, Now.AddMinutes(-2), "request:2320", OptOutSource.Manual), cancellationToken);
        await Service.ApplyAsync(Change(phone, OptState.OptedOut, Now.AddMinutes(-1), "inbound:2321") with { Detection = detection with { Language = null } },
            cancellationToken);
        var (settings, errors) = AccountSettings.Validate(new UpdateOptOutSettings
        {
            AccountId = Account,
            DefaultCountryCode = "1",
            AutoOptOutEnabled = true,
            OptOutMessage = "Bye",
            Keywords = ["STOP", "ENOUGH"],
            ActiveLanguages = ["en", "es"],
            PossibleRevocationThreshold = 0.3,
        }, AccountSettings.Defaults(Account), Now);
        Assert.That(errors, Is.Empty);
        await Settings.SaveAsync(settings!, cancellationToken);

        var where = $"WHERE phone = '{phone.E164}' AND account_id = '{Account:D}'";
        Task<object?> LanguagesAsync(string path) =>
            ScalarAsync($"SELECT json_extract(languages, '{path}') FROM settings WHERE account_id = '{Account:D}'", cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ScalarAsync($"SELECT group_concat(seq || ' ' || coalesce(detection, 'NULL'), ' | ') FROM opt_out_history_readable {where}", cancellationToken),
                Is.EqualTo("""1 {"method":"Phrase","language":"en","matched":"STOP TEXTING","score":0.95,"reason":"asked to “stop” — it's <clear>"} | 2 NULL | """
                    + """3 {"method":"Phrase","matched":"STOP TEXTING","score":0.95,"reason":"asked to “stop” — it's <clear>"}"""),
                "camelCase, the method by name, nulls left out, text as written");
            Assert.That(await ScalarAsync($"SELECT json_extract(detection, '$.method') FROM opt_outs_readable {where}", cancellationToken), Is.EqualTo("Phrase"),
                "the detection of the transition that set the state");
            Assert.That(await ScalarAsync($"SELECT typeof(detection) FROM opt_out_history WHERE phone = '{phone.E164}' AND seq = 2", cancellationToken), Is.EqualTo("null"));
            Assert.That(await ScalarAsync($"SELECT keywords || ' ' || opt_out_message FROM settings WHERE account_id = '{Account:D}'", cancellationToken),
                Is.EqualTo("""["STOP","ENOUGH"] Bye"""), "the original columns stay English's");
            Assert.That(await LanguagesAsync("$.inactiveLanguages"), Is.EqualTo("""["fr","pt","de","zh","vi","ko","tl"]"""));
            Assert.That(await LanguagesAsync("$.possibleRevocationThreshold"), Is.EqualTo(0.3));
            Assert.That(await LanguagesAsync("$.reviewDeadlineBusinessDays"), Is.EqualTo(1));
            Assert.That(await LanguagesAsync("$.timeZone"), Is.EqualTo("America/New_York"));
            Assert.That(await LanguagesAsync("$.languages[0].code"), Is.EqualTo("en"));
            Assert.That(await LanguagesAsync("$.languages[0].addedOptOut"), Is.EqualTo("""["ENOUGH"]"""));
            Assert.That(await LanguagesAsync("$.languages[0].optOutMessage"), Is.EqualTo("Bye"));
            Assert.That(await LanguagesAsync("$.languages[0].isEmpty"), Is.EqualTo(DBNull.Value), "computed, not stored");
        }
    }

    private static readonly Dictionary<string, string> BatchReadStatements = new()
    {
        [nameof(SqliteOptOutRecords.FindManyRecordsSql)] = SqliteOptOutRecords.FindManyRecordsSql,
        [nameof(SqliteOptOutRecords.FindManyHistorySql)] = SqliteOptOutRecords.FindManyHistorySql,
        [nameof(SqliteChangeLog.ListCausationPartsSql)] = SqliteChangeLog.ListCausationPartsSql,
        [nameof(SqliteOptOutRecords.ListOptedOutAfterSql)] = SqliteOptOutRecords.ListOptedOutAfterSql,
        [nameof(SqliteOptOutRecords.ListOptedInAfterSql)] = SqliteOptOutRecords.ListOptedInAfterSql,
    };

    [TestCase("FindManyRecordsSql", "USING PRIMARY KEY (account_id=? AND phone=?)")]
    [TestCase("FindManyHistorySql", "USING PRIMARY KEY (account_id=? AND phone=?)")]
    [TestCase("ListCausationPartsSql", "USING PRIMARY KEY (account_id=? AND causation=? AND position>?)")]
    [TestCase("ListOptedOutAfterSql", "USING PRIMARY KEY (account_id=? AND phone>?)")]
    [TestCase("ListOptedInAfterSql", "USING INDEX ix_opt_outs_opted_in (account_id=? AND phone>?)")]
    public async Task Should_plan_batch_reads_as_index_lookups(string statement, string expected)
    {
        // A scan of an account's records per batch would make a million-row upload quadratic.
        var sql = BatchReadStatements[statement];
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@account_id", "@phones", "@causation_id", "@after", "@limit", "@from", "@parts" })
            command.Parameters.AddWithValue(name, name == "@phones" ? "[]" : name is "@limit" or "@from" or "@parts" ? 10 : "x");

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(3));
        }

        Assert.That(plan, Has.Some.Contains(expected), string.Join(Environment.NewLine, plan));
        Assert.That(plan, Has.None.StartsWith("SCAN o ").And.None.StartsWith("SCAN h ").And.None.StartsWith("SCAN opt_out")
                .And.None.StartsWith("SCAN causation_changes"),
            string.Join(Environment.NewLine, plan));
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    [Test]
    public void Should_fail_the_ping_when_the_schema_is_missing()
    {
        var path = Path.Combine(_folder!, "never-initialized.db");
        using var store = new SqliteOptOutStore(path);

        Assert.ThrowsAsync<SqliteException>(() => store.PingAsync());
    }
}
