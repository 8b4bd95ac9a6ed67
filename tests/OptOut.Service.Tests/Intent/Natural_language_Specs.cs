using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

/// <summary>FCC 24-24: revocation "by any reasonable means": words that are not a keyword but plainly say stop.</summary>
[TestFixture("Please stop texting me")]
[TestFixture("wrong number")]
[TestFixture("Remove me from your list")]
public class When_a_contact_revokes_consent_in_their_own_words(string body)
{
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_opt_the_contact_out_saying_which_phrase_and_why()
    {
        var changed = _service.Published<ConversationOptStateChanged>().SingleOrDefault();
        Assert.That(changed, Is.Not.Null, "opted out");
        Assert.Multiple(() =>
        {
            Assert.That(changed!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(changed.PhoneNumber, Is.EqualTo(IntentSpecs.Contact));
            Assert.That(changed.Detection?.Method, Is.EqualTo(DetectionMethod.Phrase));
            Assert.That(changed.Detection?.Language, Is.EqualTo("en"));
            Assert.That(changed.Detection?.Matched, Is.Not.Empty);
            Assert.That(changed.Detection?.Reason, Is.Not.Empty);
            Assert.That(changed.Detection?.Score, Is.GreaterThanOrEqualTo(AccountSettings.RevocationScore).And.LessThanOrEqualTo(1));
        });
    }

    [Test]
    public void Should_send_one_confirmation_in_english()
    {
        var confirmation = _service.Published<ConfirmationMessageRequested>().SingleOrDefault();
        Assert.Multiple(() =>
        {
            Assert.That(confirmation?.Kind, Is.EqualTo(ConfirmationKind.OptOut));
            Assert.That(confirmation?.Body, Is.EqualTo(AccountSettings.DefaultOptOutMessage));
            Assert.That(confirmation?.Language, Is.EqualTo("en"));
            Assert.That(confirmation?.From, Is.EqualTo(Messages.OurNumber));
        });
    }

    [Test]
    public async Task Should_quote_the_contacts_text_in_the_note()
    {
        var record = await _service.Find(_account);
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.Note, Does.Contain($"\"{body}\""));
            Assert.That(record.History.Single().Note, Does.Contain($"\"{body}\""));
        });
    }

    [Test]
    public async Task Should_keep_how_the_text_was_read_in_the_history_entry()
    {
        var entry = (await _service.Find(_account))!.History.Single();
        Assert.That(entry.Detection, Is.Not.Null, "the evidence says how each revocation was detected");
        Assert.Multiple(() =>
        {
            Assert.That(entry.Detection!.Method, Is.EqualTo(DetectionMethod.Phrase));
            Assert.That(entry.Detection.Reason, Is.Not.Empty);
            Assert.That(entry.Detection.Score, Is.GreaterThanOrEqualTo(AccountSettings.RevocationScore));
        });
    }
}

[TestFixture]
public class When_a_contact_misspells_an_opt_out_keyword
{
    [TestCase("unsubcribe", "UNSUBSCRIBE")]
    [TestCase("Stpo", "STOP")]
    public async Task Should_opt_the_contact_out_as_a_typo(string body, string keyword)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, body));

        var changed = service.Published<ConversationOptStateChanged>().SingleOrDefault();
        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(changed?.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed?.Detection?.Method, Is.EqualTo(DetectionMethod.Typo));
            Assert.That(changed?.Detection?.Matched, Is.EqualTo(keyword));
            Assert.That(changed?.Detection?.Score, Is.GreaterThanOrEqualTo(AccountSettings.RevocationScore));
            Assert.That(service.Published<ConfirmationMessageRequested>().Select(c => c.Kind), Is.EqualTo(new ConfirmationKind?[] { ConfirmationKind.OptOut }));
            Assert.That(record?.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record?.Note, Does.Contain($"\"{body}\""));
        });
    }
}

[TestFixture]
public class When_a_contact_uses_stop_in_another_sense
{
    [TestCase("don't stop")]
    [TestCase("Don't stop!")]
    [TestCase("bus stop")]
    [TestCase("I'm at the bus stop")]
    [TestCase("stop the war")]
    [TestCase("ok")]
    [TestCase("who is this?")]
    [TestCase("See you at 5")]
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
}

/// <summary>At-least-once in, effectively-once out, as <c>When_the_same_text_is_delivered_twice</c> checks for STOP.</summary>
[TestFixture]
public class When_the_same_revocation_in_words_is_delivered_twice
{
    private const string ProviderId = "SM-dup-phrase-1";

    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        var text = Messages.Text(_account, IntentSpecs.Typed, "Please stop texting me", providerId: ProviderId);
        await _service.PublishAndWait(text);
        // The gateway re-sends it (a new bus message, same provider id), as after a crash before the ack.
        await _service.PublishAndWait(text);
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public async Task Should_change_state_once()
    {
        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(record?.History, Has.Count.EqualTo(1), "one transition");
            Assert.That(_service.Published<ConversationOptStateChanged>().Select(c => c.State).Distinct(), Is.EqualTo(new[] { OptState.OptedOut }));
        });
    }

    [Test]
    public void Should_publish_the_state_change_and_the_confirmation_once_with_the_derived_message_ids()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_service.MessageIdsOf<ConversationOptStateChanged>(), Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(ProviderId, "state") }),
                "the copy finds the events confirmed: published once");
            Assert.That(_service.MessageIdsOf<ConfirmationMessageRequested>(), Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(ProviderId, "confirmation") }),
                "one confirmation, whatever the number of deliveries");
        });
    }
}
