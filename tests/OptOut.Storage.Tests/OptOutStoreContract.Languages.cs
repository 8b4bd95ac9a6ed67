using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;

namespace OptOut.Storage.Tests;

/// <summary>
/// What the stores keep since languages and natural-language detection: an account's language settings (every
/// customization exactly, and settings saved before languages existed read as every shipped language active with
/// English's keywords and message as saved), and each history entry's detection, the evidence of how a contact's text
/// was read (the evidence of each revocation).
/// </summary>
public abstract partial class OptOutStoreContract
{
    private static readonly OptOutDetection KeywordDetection = new()
    {
        Method = DetectionMethod.Keyword, Language = "es", Matched = "ALTO", Score = 1, Reason = "the whole text is ALTO, a Spanish opt-out keyword",
    };

    private static readonly OptOutDetection PhraseDetection = new()
    {
        Method = DetectionMethod.Phrase, Language = "en", Matched = "STOP TEXTING", Score = 0.95,
        Reason = "\"please stop texting me\" asks to stop — “quoted”, ✓",
    };

    private static readonly OptOutDetection TypoDetection = new()
    {
        Method = DetectionMethod.Typo, Language = "en", Matched = "UNSUBSCRIBE", Score = 0.8500000000000001, Reason = null,
    };

    /// <summary>
    /// Writes the account's settings as a build before languages wrote them: only the original fields (for SQLite a row
    /// without <c>languages</c>, for MongoDB a document without <c>languages</c>).
    /// </summary>
    protected abstract Task SaveSettingsAsBeforeLanguagesAsync(AccountId accountId, int defaultCountryCode, bool autoOptOutEnabled,
        string optOutMessage, IReadOnlyList<string> keywords, DateTimeOffset updatedAt, string updatedBy, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the settings, then removes <c>reviewDeadlineBusinessDays</c> and <c>timeZone</c> from what the store keeps
    /// beside the original fields, as a build before review deadlines wrote it.
    /// </summary>
    protected abstract Task SaveSettingsAsBeforeReviewDeadlinesAsync(AccountSettings settings, CancellationToken cancellationToken);

    // ---------------------------------------------------------------- language settings

    [Test]
    public async Task Should_round_trip_settings_with_customized_languages_exactly(CancellationToken cancellationToken)
    {
        var saved = CustomizedSettings(Account);

        await Settings.SaveAsync(saved, cancellationToken);
        var read = await Settings.GetAsync(Account, cancellationToken);

        AssertSettings(read, saved);
        AssertLanguages(read!, saved);
        Assert.That(read!.ToStored().Languages.Select(l => l.Code), Is.EqualTo(new[] { "en", "es" }), "what differs from the shipped languages");
    }

    [Test]
    public async Task Should_replace_customized_languages_with_the_shipped_ones_on_save(CancellationToken cancellationToken)
    {
        await Settings.SaveAsync(CustomizedSettings(Account), cancellationToken);
        var reset = AccountSettings.Defaults(Account);

        await Settings.SaveAsync(reset, cancellationToken);
        var read = await Settings.GetAsync(Account, cancellationToken);

        AssertSettings(read, reset);
        AssertLanguages(read!, reset);
    }

    [Test]
    public async Task Should_read_settings_saved_before_languages_with_every_shipped_language(CancellationToken cancellationToken)
    {
        string[] keywords = ["STOP", "QUIT", "ENOUGH"];
        const string message = "Bye — reply START 🙂";
        var at = Now.AddDays(-30).AddTicks(4_321);
        await SaveSettingsAsBeforeLanguagesAsync(Account, 44, false, message, keywords, at, "admin@example.com", cancellationToken);

        var read = await Settings.GetAsync(Account, cancellationToken);

        var expected = AccountSettings.Restore(Account, 44, false, message, keywords, at, "admin@example.com", languages: null);
        AssertSettings(read, expected);
        AssertLanguages(read!, expected);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read!.ActiveLanguages, Is.EqualTo(ShippedLanguages.All.Select(l => l.Code)), "every shipped language is active");
            Assert.That(read.Keywords, Is.EqualTo(keywords));
            Assert.That(read.OptOutMessage, Is.EqualTo(message));
            Assert.That(read.Languages.Skip(1).Select(l => l.OptOut), Is.EqualTo(ShippedLanguages.All.Skip(1).Select(l => l.OptOut)),
                "the other languages as shipped");
        }
    }

    [Test]
    public async Task Should_read_settings_saved_before_review_deadlines_with_the_defaults(CancellationToken cancellationToken)
    {
        var saved = CustomizedSettings(Account);
        await SaveSettingsAsBeforeReviewDeadlinesAsync(saved, cancellationToken);

        var read = await Settings.GetAsync(Account, cancellationToken);

        Assert.That(read, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((read!.ReviewDeadlineBusinessDays, read.TimeZone), Is.EqualTo((1, "America/New_York")), "the defaults");
            Assert.That(read.PossibleRevocationThreshold, Is.EqualTo(saved.PossibleRevocationThreshold), "the rest as saved");
            Assert.That(read.ActiveLanguages, Is.EqualTo(saved.ActiveLanguages));
        }
    }

    // ---------------------------------------------------------------- detections

    [Test]
    public async Task Should_keep_the_detection_of_a_first_history_entry(CancellationToken cancellationToken)
    {
        var keyword = TestPhones.Us(2300).E164;
        var manual = TestPhones.Us(2301).E164;
        await InsertWith(keyword, KeywordDetection, cancellationToken);
        await InsertWith(manual, null, cancellationToken);
        // New numbers inserted with one decision share its entry (and its detection): SQLite writes them with one statement.
        var typo = Entry(OptState.OptedOut, Now.AddMinutes(-3), "inbound:typo") with { Detection = TypoDetection };
        var alike = Enumerable.Range(0, 20).Select(i => $"+1555231{i:D4}").ToList();
        var written = await Store.TryInsertManyAsync(
            new NewNumbers(Record(alike[0], OptState.OptedOut, typo.At, 1), typo, [.. alike.Select(p => new NewNumber(p, false))]), cancellationToken);
        Assert.That(written, Is.All.True);

        var found = await Store.FindManyAsync(Account, [keyword, manual, .. alike], cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Store.FindAsync(Account, keyword, cancellationToken))!.History.Single().Detection, Is.EqualTo(KeywordDetection));
            Assert.That((await Store.FindAsync(Account, manual, cancellationToken))!.History.Single().Detection, Is.Null);
            Assert.That(found[keyword].History.Single().Detection, Is.EqualTo(KeywordDetection));
            Assert.That(found[manual].History.Single().Detection, Is.Null);
            Assert.That(alike.Select(p => found[p].History.Single().Detection), Is.All.EqualTo(TypoDetection));
            Assert.That(found[alike[0]].History.Single().Detection!.Score, Is.EqualTo(0.8500000000000001), "the exact score");
        }
    }

    [Test]
    public async Task Should_keep_the_detection_of_every_later_history_entry(CancellationToken cancellationToken)
    {
        var phone = TestPhones.Us(2310);
        OptChange[] changes =
        [
            Change(phone, OptState.OptedOut, Now.AddHours(-3), "inbound:SM2310", actor: "contact", note: "Texted ALTO") with { Detection = KeywordDetection },
            Change(phone, OptState.OptedIn, Now.AddHours(-2), "request:opt-in-2310", OptOutSource.Manual, actor: "admin@example.com"),
            Change(phone, OptState.OptedOut, Now.AddHours(-1), "inbound:SM2311", actor: "contact") with { Detection = PhraseDetection },
        ];
        foreach (var change in changes)
            Assert.That((await Service.ApplyAsync(change, cancellationToken)).Kind, Is.EqualTo(ChangeKind.Changed));

        // And through a batch update, as a bulk upload's opt-in of a number with history would be written.
        var current = (await Store.FindAsync(Account, phone.E164, cancellationToken))!;
        var typo = Entry(OptState.OptedIn, Now.AddMinutes(-30), "inbound:SM2312") with { Detection = TypoDetection };
        var next = current with { State = OptState.OptedIn, StateAt = typo.At, Version = current.Version + 1 };
        Assert.That(await Store.TryWriteManyAsync([new OptOutWrite(next, current.Version, typo)], cancellationToken), Is.All.True);

        var record = await Store.FindAsync(Account, phone.E164, cancellationToken);
        var found = (await Store.FindManyAsync(Account, [phone.E164], cancellationToken))[phone.E164];
        OptOutDetection?[] expected = [KeywordDetection, null, PhraseDetection, TypoDetection];
        Assert.That(record!.History.Select(h => h.Detection), Is.EqualTo(expected));
        Assert.That(found.History.Select(h => h.Detection), Is.EqualTo(expected));
        Assert.That(record.History.Select(h => h.CausationId), Is.EqualTo(new[] { "inbound:SM2310", "request:opt-in-2310", "inbound:SM2311", "inbound:SM2312" }));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Settings unlike the defaults in every language field: German off, Spanish with a keyword removed from and one added
    /// to each list and messages of its own, English's opt-out keywords and message changed, detection off, threshold 0.3,
    /// a contact's START overriding an administrator's opt-out.
    /// </summary>
    /// <remarks>
    /// English's OPT OUT and OPT-OUT go together: the validator keeps one of the two (they normalize alike), and the stored
    /// difference from the shipped list would bring the other back.
    /// </remarks>
    private AccountSettings CustomizedSettings(AccountId accountId)
    {
        var en = ShippedLanguages.All.Single(l => l.Code == "en");
        var es = ShippedLanguages.All.Single(l => l.Code == "es");
        var update = new UpdateOptOutSettings
        {
            AccountId = accountId,
            DefaultCountryCode = "44",
            AutoOptOutEnabled = false,
            OptOutMessage = "You're unsubscribed — reply START to come back 🙂",
            Keywords = [.. en.OptOut.Where(k => k is not ("END" or "OPT OUT" or "OPT-OUT")), "ENOUGH"],
            ActiveLanguages = [.. ShippedLanguages.All.Select(l => l.Code).Where(c => c != "de")],
            Languages =
            [
                new LanguageSettings
                {
                    Language = "es",
                    OptOutKeywords = [.. es.OptOut.Where(k => k != "FIN"), "BASTA YA"],
                    OptInKeywords = [.. es.OptIn.Where(k => k != "INICIAR"), "VOLVER"],
                    HelpKeywords = [.. es.Help.Where(k => k != "AUXILIO"), "SOCORRO"],
                    OptOutMessage = "Baja confirmada. Responda VOLVER para regresar.",
                    OptInMessage = "¡Bienvenido de nuevo! Responda ALTO para darse de baja.",
                    HelpMessage = "Ayuda: responda ALTO para darse de baja, VOLVER para regresar.",
                },
            ],
            DetectionEnabled = false,
            PossibleRevocationThreshold = 0.3,
            ContactOptInOverridesAdmin = true,
            ReviewDeadlineBusinessDays = 5,
            TimeZone = "America/Chicago",
            RequestedBy = "admin@example.com",
        };

        var (settings, errors) = AccountSettings.Validate(update, AccountSettings.Defaults(accountId), Now.AddTicks(1_234));
        Assert.That(errors, Is.Empty);
        return settings!;
    }

    private async Task InsertWith(string phone, OptOutDetection? detection, CancellationToken cancellationToken)
    {
        var entry = Entry(OptState.OptedOut, Now.AddMinutes(-5), $"inbound:{phone}") with { Detection = detection };
        Assert.That(await Store.TryWriteAsync(new OptOutWrite(Record(phone, OptState.OptedOut, entry.At, 1), 0, entry), cancellationToken), Is.True);
    }

    private static void AssertLanguages(AccountSettings read, AccountSettings expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.ActiveLanguages, Is.EqualTo(expected.ActiveLanguages));
            Assert.That(read.DetectionEnabled, Is.EqualTo(expected.DetectionEnabled));
            Assert.That(read.PossibleRevocationThreshold, Is.EqualTo(expected.PossibleRevocationThreshold));
            Assert.That(read.ContactOptInOverridesAdmin, Is.EqualTo(expected.ContactOptInOverridesAdmin));
            Assert.That(read.ReviewDeadlineBusinessDays, Is.EqualTo(expected.ReviewDeadlineBusinessDays));
            Assert.That(read.TimeZone, Is.EqualTo(expected.TimeZone));
            Assert.That(read.Languages.Select(l => l.Code), Is.EqualTo(expected.Languages.Select(l => l.Code)));
            foreach (var (language, wanted) in read.Languages.Zip(expected.Languages))
            {
                // LanguageKeywords compares its lists by reference: each list and message is compared on its own.
                Assert.That(language.OptOut, Is.EqualTo(wanted.OptOut), $"{wanted.Code} opt-out keywords");
                Assert.That(language.OptIn, Is.EqualTo(wanted.OptIn), $"{wanted.Code} opt-in keywords");
                Assert.That(language.Help, Is.EqualTo(wanted.Help), $"{wanted.Code} help keywords");
                Assert.That((language.OptOutMessage, language.OptInMessage, language.HelpMessage),
                    Is.EqualTo((wanted.OptOutMessage, wanted.OptInMessage, wanted.HelpMessage)), $"{wanted.Code} messages");
            }
        }
    }
}
