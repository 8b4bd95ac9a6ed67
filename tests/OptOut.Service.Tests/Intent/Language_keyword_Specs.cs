using OptOut.Contracts;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

/// <summary>Every shipped language is active by default: its opt-out keyword opts out and is confirmed in that language.</summary>
[TestFixture("ALTO", "es", "ALTO")]
[TestFixture("alto", "es", "ALTO")]
[TestFixture("ARRÊT", "fr", "ARRÊT")]
[TestFixture("arret", "fr", "ARRÊT")]
[TestFixture("ARRET", "fr", "ARRÊT")]
[TestFixture("退订", "zh", "退订")]
[TestFixture("STOPP", "de", "STOPP")]
public class When_a_contact_texts_an_opt_out_keyword_of_another_language(string body, string language, string listed)
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
    public void Should_opt_the_contact_out_saying_which_keyword_of_which_language()
    {
        var changed = _service.Published<ConversationOptStateChanged>().SingleOrDefault();
        Assert.That(changed, Is.Not.Null, "opted out");
        Assert.Multiple(() =>
        {
            Assert.That(changed!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(changed.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(changed.PhoneNumber, Is.EqualTo(IntentSpecs.Contact));
            Assert.That(changed.Detection?.Method, Is.EqualTo(DetectionMethod.Keyword));
            Assert.That(changed.Detection?.Language, Is.EqualTo(language));
            Assert.That(changed.Detection?.Matched, Is.EqualTo(listed));
            Assert.That(changed.Detection?.Score, Is.EqualTo(1));
            Assert.That(changed.Detection?.Reason, Is.Not.Empty);
        });
    }

    [Test]
    public void Should_confirm_in_that_language()
    {
        var confirmation = _service.Published<ConfirmationMessageRequested>().SingleOrDefault();
        Assert.That(confirmation, Is.Not.Null, "one confirmation");
        Assert.Multiple(() =>
        {
            Assert.That(confirmation!.Kind, Is.EqualTo(ConfirmationKind.OptOut));
            Assert.That(confirmation.Language, Is.EqualTo(language));
            Assert.That(confirmation.Body, Is.EqualTo(IntentSpecs.Shipped(language).OptOutMessage));
            Assert.That(confirmation.From, Is.EqualTo(Messages.OurNumber));
            Assert.That(confirmation.To, Is.EqualTo(IntentSpecs.Contact));
        });
    }

    [Test]
    public async Task Should_store_the_number_opted_out_by_keyword()
    {
        var record = await _service.Find(_account);
        Assert.That(record, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(record.History, Has.Count.EqualTo(1));
            Assert.That(record.Note, Does.Contain(listed));
        });
    }

    [Test]
    public async Task Should_keep_how_the_text_was_read_in_the_history_entry()
    {
        var entry = (await _service.Find(_account))!.History.Single();
        Assert.That(entry.Detection, Is.Not.Null, "the evidence says how each revocation was detected");
        Assert.Multiple(() =>
        {
            Assert.That(entry.Detection!.Method, Is.EqualTo(DetectionMethod.Keyword));
            Assert.That(entry.Detection.Language, Is.EqualTo(language));
            Assert.That(entry.Detection.Matched, Is.EqualTo(listed));
        });
    }
}
