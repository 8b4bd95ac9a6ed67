using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

[TestFixture]
public class When_a_contact_texts_start_after_their_own_stop
{
    private const string StartId = "SM-start-1";

    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "STOP", Messages.T0));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "Start", Messages.T0.AddMinutes(1), StartId));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_publish_the_opted_in_state_change_from_the_keyword()
    {
        var changes = _service.Published<ConversationOptStateChanged>();
        Assert.That(changes.Select(c => c.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn }));
        var optedIn = changes[1];
        Assert.Multiple(() =>
        {
            Assert.That(optedIn.AccountId, Is.EqualTo(_account));
            Assert.That(optedIn.PhoneNumber, Is.EqualTo(IntentSpecs.Contact));
            Assert.That(optedIn.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(optedIn.ChangedAt, Is.EqualTo(Messages.T0.AddMinutes(1)));
            Assert.That(optedIn.Detection?.Method, Is.EqualTo(DetectionMethod.Keyword));
            Assert.That(optedIn.Detection?.Matched, Is.EqualTo("START"));
        });
    }

    [Test]
    public void Should_publish_one_opt_in_confirmation_in_english_from_our_number()
    {
        var confirmation = _service.Published<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.OptIn).Single();
        Assert.Multiple(() =>
        {
            Assert.That(confirmation.Body, Is.EqualTo(IntentSpecs.Shipped("en").OptInMessage));
            Assert.That(confirmation.Language, Is.EqualTo("en"));
            Assert.That(confirmation.From, Is.EqualTo(Messages.OurNumber));
            Assert.That(confirmation.To, Is.EqualTo(IntentSpecs.Contact));
            Assert.That(confirmation.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(_service.Published<ConfirmationMessageRequested>().Select(c => c.Kind),
                Is.EqualTo(new ConfirmationKind?[] { ConfirmationKind.OptOut, ConfirmationKind.OptIn }), "the STOP's confirmation, then the START's");
            Assert.That(_service.MessageIdsOf<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.OptIn),
                Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(StartId, "confirmation-opt-in") }));
        });
    }

    [Test]
    public async Task Should_store_the_number_opted_in_with_both_transitions()
    {
        var record = await _service.Find(_account);
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.History.Select(h => h.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn }));
            Assert.That(record.History[1].Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.History[1].CausationId, Is.EqualTo("inbound:" + StartId));
            Assert.That(record.History[1].Note, Does.Contain("START"));
        });
    }

    [Test]
    public async Task Should_change_nothing_for_a_second_start()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(2)));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConversationOptStateChanged>(), Has.Count.EqualTo(2));
            Assert.That(_service.Published<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.OptIn), Has.Count.EqualTo(1));
            Assert.That(record!.History, Has.Count.EqualTo(2));
        });
    }
}

[TestFixture]
public class When_a_contact_resumes_with_another_opt_in_keyword
{
    [TestCase("STOP", "UNSTOP", "en")]
    [TestCase("STOP", "yes", "en")]
    [TestCase("ALTO", "COMENZAR", "es")]
    [TestCase("ALTO", "comenzar", "es")]
    [TestCase("ARRÊT", "COMMENCER", "fr")]
    public async Task Should_opt_in_and_confirm_in_the_keywords_language(string stop, string start, string language)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Contact, stop, Messages.T0));

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Contact, start, Messages.T0.AddMinutes(1)));

        var confirmation = service.Published<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.OptIn).SingleOrDefault();
        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(service.Published<ConversationOptStateChanged>().LastOrDefault()?.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(confirmation?.Language, Is.EqualTo(language));
            Assert.That(confirmation?.Body, Is.EqualTo(IntentSpecs.Shipped(language).OptInMessage));
            Assert.That(record?.State, Is.EqualTo(OptState.OptedIn));
        });
    }
}

[TestFixture]
public class When_a_contact_texts_start_after_an_administrator_opted_them_out
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.OptOutBy(OptOutRequestSource.Manual, _account, IntentSpecs.Typed, Messages.T0);
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(1)));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_publish_no_state_change_and_no_confirmation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => (c.State, c.Source)),
                Is.EqualTo(new[] { (OptState.OptedOut, OptOutSource.Manual) }), "only the administrator's opt-out");
            Assert.That(_service.Published<ConfirmationMessageRequested>(), Is.Empty);
        });
    }

    [Test]
    public async Task Should_keep_the_number_opted_out_and_record_the_request_in_its_history()
    {
        var record = await _service.Find(_account);
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Manual), "the state is still the administrator's");
            Assert.That(record.History, Has.Count.EqualTo(2));
        });
        var refused = record!.History[^1];
        Assert.Multiple(() =>
        {
            Assert.That(refused.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(refused.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(refused.Note, Does.Contain("START").And.Contain("stays opted out"));
        });
    }

    [Test]
    public async Task Should_record_a_second_start_too_and_still_change_nothing()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(2)));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.History, Has.Count.EqualTo(3));
            Assert.That(_service.Published<ConversationOptStateChanged>(), Has.Count.EqualTo(1));
            Assert.That(_service.Published<ConfirmationMessageRequested>(), Is.Empty);
        });
    }
}

[TestFixture]
public class When_a_contact_texts_start_after_another_kind_of_administrator_opt_out
{
    [TestCase(OptOutRequestSource.Api)]
    [TestCase(OptOutRequestSource.Messenger)]
    public async Task Should_keep_the_number_opted_out(OptOutRequestSource source)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.OptOutBy(source, account, IntentSpecs.Typed, Messages.T0);
        var before = service.Published<ConversationOptStateChanged>().Count;

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(1)));

        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.History, Has.Count.EqualTo(2));
            Assert.That(service.Published<ConversationOptStateChanged>(), Has.Count.EqualTo(before));
            Assert.That(service.Published<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.OptIn), Is.Empty);
        });
    }
}

[TestFixture]
public class When_the_account_lets_a_contacts_start_undo_an_administrators_opt_out
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.Apply(IntentSpecs.Settings(_account) with { ContactOptInOverridesAdmin = true });
        await _service.OptOutBy(OptOutRequestSource.Manual, _account, IntentSpecs.Typed, Messages.T0);
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(1)));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_publish_the_opted_in_state_change_and_the_opt_in_confirmation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => (c.State, c.Source)),
                Is.EqualTo(new[] { (OptState.OptedOut, OptOutSource.Manual), (OptState.OptedIn, OptOutSource.Keyword) }));
            Assert.That(_service.Published<ConfirmationMessageRequested>().Select(c => (c.Kind, c.Body)),
                Is.EqualTo(new[] { ((ConfirmationKind?)ConfirmationKind.OptIn, IntentSpecs.Shipped("en").OptInMessage) }));
        });
    }

    [Test]
    public async Task Should_store_the_number_opted_in()
    {
        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.History.Select(h => (h.State, h.Source)),
                Is.EqualTo(new[] { (OptState.OptedOut, OptOutSource.Manual), (OptState.OptedIn, OptOutSource.Keyword) }));
        });
    }
}

[TestFixture]
public class When_a_number_that_is_not_opted_out_texts_an_opt_in_keyword
{
    [TestCase("YES")]
    [TestCase("START")]
    [TestCase("Yes!")]
    [TestCase("COMENZAR")]
    public async Task Should_publish_nothing_and_store_nothing(string body)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, body));

        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(service.Caused(), Is.Empty);
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_publish_nothing_for_a_number_already_opted_back_in()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "STOP", Messages.T0));
        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "START", Messages.T0.AddMinutes(1)));
        var before = service.Caused().Count;

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, "YES", Messages.T0.AddMinutes(2)));

        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(service.Caused(), Has.Count.EqualTo(before));
            Assert.That(record!.History, Has.Count.EqualTo(2));
        });
    }
}
