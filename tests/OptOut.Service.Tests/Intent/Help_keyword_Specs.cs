using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

[TestFixture]
public class When_a_contact_texts_help
{
    private const string HelpId = "SM-help-1";

    private FakeTimeProvider _clock = null!;
    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _clock = new FakeTimeProvider(Messages.T0);
        _service = await ServiceHarness.StartAsync(_clock);
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "HELP", Messages.T0, HelpId));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    private IReadOnlyList<ConfirmationMessageRequested> HelpReplies(string to = IntentSpecs.Contact) =>
        _service.Published<ConfirmationMessageRequested>(c => c.Kind == ConfirmationKind.Help && c.To == to);

    [Test]
    public void Should_reply_once_with_the_english_help_message_from_our_number()
    {
        var reply = _service.Published<ConfirmationMessageRequested>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(reply.Kind, Is.EqualTo(ConfirmationKind.Help));
            Assert.That(reply.Body, Is.EqualTo(IntentSpecs.Shipped("en").HelpMessage));
            Assert.That(reply.Language, Is.EqualTo("en"));
            Assert.That(reply.AccountId, Is.EqualTo(_account));
            Assert.That(reply.To, Is.EqualTo(IntentSpecs.Contact));
            Assert.That(reply.From, Is.EqualTo(Messages.OurNumber));
            Assert.That(reply.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(_service.MessageIdsOf<ConfirmationMessageRequested>(), Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(HelpId, "help") }));
        });
    }

    [Test]
    public async Task Should_change_no_state_and_store_nothing()
    {
        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Is.EqualTo(new[] { nameof(ConfirmationMessageRequested) }));
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_not_reply_to_a_second_help_from_the_number_within_ten_minutes()
    {
        _clock.Advance(TimeSpan.FromMinutes(9));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "help", Messages.T0.AddMinutes(9)));

        Assert.That(HelpReplies(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_not_reply_to_another_help_keyword_from_the_number_within_ten_minutes()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "INFO", Messages.T0.AddMinutes(1)));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "AYUDA", Messages.T0.AddMinutes(1)));

        Assert.That(_service.Published<ConfirmationMessageRequested>(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Should_reply_again_once_ten_minutes_have_passed()
    {
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "HELP", Messages.T0.AddMinutes(10)));

        Assert.That(HelpReplies(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Should_answer_a_redelivery_of_the_same_text_again_with_the_same_message_id()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, "HELP", Messages.T0, HelpId));

        Assert.That(_service.MessageIdsOf<ConfirmationMessageRequested>(),
            Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(HelpId, "help"), IntentSpecs.DerivedId(HelpId, "help") }),
            "a re-publish is an exact duplicate downstream can discard");
    }

    [Test]
    public async Task Should_reply_to_a_help_from_another_number()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.OtherContact, "HELP"));

        Assert.Multiple(() =>
        {
            Assert.That(HelpReplies(), Has.Count.EqualTo(1));
            Assert.That(HelpReplies(IntentSpecs.OtherContact), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_reply_to_the_same_number_in_another_account()
    {
        var other = Guid.NewGuid();
        await _service.PublishAndWait(Messages.Text(other, IntentSpecs.Typed, "HELP"));

        Assert.That(_service.Published<ConfirmationMessageRequested>().Select(c => c.AccountId), Is.EqualTo(new[] { _account, other }));
    }
}

[TestFixture]
public class When_a_contact_texts_help_in_another_language
{
    [TestCase("AYUDA", "es")]
    [TestCase("ayuda", "es")]
    [TestCase("Información", "es")]
    [TestCase("AIDE", "fr")]
    [TestCase("帮助", "zh")]
    [TestCase("HILFE", "de")]
    public async Task Should_reply_with_that_languages_help_message(string body, string language)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(Messages.Text(account, IntentSpecs.Typed, body));

        var reply = service.Published<ConfirmationMessageRequested>().SingleOrDefault();
        var record = await service.Find(account);
        Assert.Multiple(() =>
        {
            Assert.That(reply?.Kind, Is.EqualTo(ConfirmationKind.Help));
            Assert.That(reply?.Language, Is.EqualTo(language));
            Assert.That(reply?.Body, Is.EqualTo(IntentSpecs.Shipped(language).HelpMessage));
            Assert.That(record, Is.Null);
        });
    }
}
