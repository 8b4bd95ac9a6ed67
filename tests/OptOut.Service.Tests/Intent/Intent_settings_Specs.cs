using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

[TestFixture]
public class When_an_account_turns_detection_off
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        // The defaults cached first, so the spec proves the change reaches a cached account.
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "hi"));
        await _service.Apply(IntentSpecs.Settings(_account) with { DetectionEnabled = false });
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [TestCase("please stop texting me")]
    [TestCase("wrong number")]
    [TestCase("unsubcribe")]
    [TestCase("not interested")]
    public async Task Should_do_nothing_for_words_that_are_not_a_keyword(string body)
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Is.Empty);
            Assert.That(record, Is.Null);
        });
    }

    [TestCase("STOP", "en")]
    [TestCase("ALTO", "es")]
    public async Task Should_still_opt_out_on_a_keyword(string body, string language)
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body));

        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => (c.State, c.Detection?.Method)),
                Is.EqualTo(new[] { (OptState.OptedOut, (DetectionMethod?)DetectionMethod.Keyword) }));
            Assert.That(_service.Published<ConfirmationMessageRequested>().Select(c => c.Body),
                Is.EqualTo(new[] { IntentSpecs.Shipped(language).OptOutMessage }));
        });
    }
}

[TestFixture]
public class When_an_account_turns_a_language_off
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "hi"));
        await _service.Apply(IntentSpecs.Settings(_account) with { ActiveLanguages = ["en", "es", "pt", "de", "zh", "vi", "ko", "tl"] });
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [TestCase("ARRÊT")]
    [TestCase("ARRET")]
    [TestCase("désabonner")]
    [TestCase("AIDE")]
    [TestCase("COMMENCER")]
    public async Task Should_do_nothing_for_its_keywords(string body)
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Is.Empty);
            Assert.That(record, Is.Null);
        });
    }

    [TestCase("STOP", "en")]
    [TestCase("ALTO", "es")]
    public async Task Should_still_opt_out_on_the_keywords_of_the_active_languages(string body, string language)
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body));

        Assert.That(_service.Published<ConfirmationMessageRequested>().Select(c => (c.Kind, c.Language)),
            Is.EqualTo(new[] { ((ConfirmationKind?)ConfirmationKind.OptOut, (string?)language) }));
    }
}

[TestFixture]
public class When_an_account_raises_the_possible_revocation_threshold
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "hi"));
        await _service.Apply(IntentSpecs.Settings(_account) with { PossibleRevocationThreshold = AccountSettings.MaxPossibleRevocationThreshold });
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public async Task Should_publish_nothing_for_a_text_scored_below_it()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "not interested"));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Is.Empty);
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_still_opt_out_on_a_revocation_in_words()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "please stop texting me"));

        Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => c.Detection?.Method),
            Is.EqualTo(new DetectionMethod?[] { DetectionMethod.Phrase }));
    }
}

[TestFixture]
public class When_an_account_moves_the_possible_revocation_threshold_across_a_texts_score
{
    [Test]
    public async Task Should_review_the_text_only_while_the_threshold_is_at_or_below_its_score()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        // "no thanks" scores 0.55 (When_a_contact_texts_something_that_may_be_a_revocation): above 0.6 is nothing, 0.5 a review.
        await service.Apply(IntentSpecs.Settings(account) with { PossibleRevocationThreshold = 0.6 });
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "no thanks"));
        var above = service.Published<OptOutReviewRequested>().Count;

        await service.Apply(IntentSpecs.Settings(account) with { PossibleRevocationThreshold = 0.5 });
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "no thanks", Messages.T0.AddMinutes(1)));

        Assert.Multiple(() =>
        {
            Assert.That(above, Is.Zero, "threshold 0.6: nothing");
            Assert.That(service.Published<OptOutReviewRequested>(), Has.Count.EqualTo(1), "threshold 0.5: one review");
        });
    }
}

[TestFixture]
public class When_an_account_turns_keyword_auto_opt_out_off
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();
    private int _before;

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        // A number the contact opted out while auto opt-out was on: START would resume it.
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "STOP", Messages.T0));
        await _service.Apply(IntentSpecs.Settings(_account) with { AutoOptOutEnabled = false });
        _before = _service.Caused().Count;
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [TestCase("STOP")]
    [TestCase("HELP")]
    [TestCase("ALTO")]
    [TestCase("please stop texting me")]
    [TestCase("not interested")]
    public async Task Should_do_nothing_for_a_text_from_a_new_number(string body)
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body, Messages.T0.AddMinutes(1)));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Has.Count.EqualTo(_before));
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_not_resume_a_contact_who_texts_start()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "START", Messages.T0.AddMinutes(1)));

        var record = await _service.Find(_account, IntentSpecs.OtherContact);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Has.Count.EqualTo(_before));
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.History, Has.Count.EqualTo(1));
        });
    }
}

[TestFixture]
public class When_an_account_changes_its_intent_settings
{
    [Test]
    public async Task Should_announce_every_new_setting_in_the_changed_event()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        var update = IntentSettings(account);

        await service.Apply(update);

        var changed = service.Published<OptOutSettingsChanged>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(changed.ActiveLanguages, Is.EqualTo(new[] { "en", "es" }));
            Assert.That(changed.DetectionEnabled, Is.False);
            Assert.That(changed.PossibleRevocationThreshold, Is.EqualTo(0.7));
            Assert.That(changed.ContactOptInOverridesAdmin, Is.True);
            Assert.That(changed.Languages.Select(l => l.Language), Is.SupersetOf(new[] { "en", "es" }), "every shipped language's lists and messages");
        });
    }

    [Test]
    public async Task Should_keep_them_when_a_later_update_leaves_them_out()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.Apply(IntentSettings(account));

        // Only the original fields, as an admin panel that predates the intent settings sends them.
        await service.Apply(IntentSpecs.Settings(account));
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "ARRÊT"));
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.OtherContact, "please stop texting me"));

        Assert.That(service.Caused(), Is.Empty, "French is still off and detection still off");
    }

    private static UpdateOptOutSettings IntentSettings(AccountId account) => IntentSpecs.Settings(account) with
    {
        ActiveLanguages = ["en", "es"],
        DetectionEnabled = false,
        PossibleRevocationThreshold = 0.7,
        ContactOptInOverridesAdmin = true,
    };
}

/// <summary>
/// Why the specs above can fail while the validator accepts the update: the settings must survive the store, since every
/// instance (this one too) drops its cached copy on <c>OptOutSettingsChanged</c> and reads them back.
/// </summary>
[TestFixture]
public class When_intent_settings_are_read_back_from_the_store
{
    [Test]
    public async Task Should_read_back_what_was_saved()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        var (saved, errors) = AccountSettings.TryCreate(IntentSpecs.Settings(account) with
        {
            ActiveLanguages = ["en", "es"],
            DetectionEnabled = false,
            PossibleRevocationThreshold = 0.7,
            ContactOptInOverridesAdmin = true,
            Languages = [new LanguageSettings { Language = "es", HelpMessage = "Acme: responda ALTO para darse de baja." }],
        }, AccountSettings.Defaults(account), Messages.T0);
        Assert.That(errors, Is.Empty);
        var store = service.Services.GetRequiredService<ISettingsStore>();

        await store.SaveAsync(saved!);
        var read = await store.GetAsync(account);

        Assert.Multiple(() =>
        {
            Assert.That(read!.ActiveLanguages, Is.EqualTo(new[] { "en", "es" }));
            Assert.That(read.DetectionEnabled, Is.False);
            Assert.That(read.PossibleRevocationThreshold, Is.EqualTo(0.7));
            Assert.That(read.ContactOptInOverridesAdmin, Is.True);
            Assert.That(read.Language("es").HelpMessage, Is.EqualTo("Acme: responda ALTO para darse de baja."));
        });
    }
}
