using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

/// <summary>FCC 24-24: words a reasonable person could read either way go to a person, and the number is left as it is.</summary>
[TestFixture("not interested")]
[TestFixture("no thanks")]
public class When_a_contact_texts_something_that_may_be_a_revocation(string body)
{
    private const string ProviderId = "SM-maybe-1";

    private ServiceHarness _service = null!;
    private readonly AccountId _account = Guid.NewGuid();

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body, Messages.T0, ProviderId));
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_publish_one_review_request_saying_why()
    {
        var review = _service.Published<OptOutReviewRequested>().SingleOrDefault();
        Assert.That(review, Is.Not.Null, "one review request");
        Assert.Multiple(() =>
        {
            Assert.That(review!.AccountId, Is.EqualTo(_account));
            Assert.That(review.PhoneNumber, Is.EqualTo(IntentSpecs.Contact), "the contact in E.164, not as typed");
            Assert.That(review.To, Is.EqualTo(Messages.OurNumber));
            Assert.That(review.Text, Is.EqualTo(body));
            Assert.That(review.Reason, Is.Not.Empty);
            Assert.That(review.Score, Is.GreaterThanOrEqualTo(AccountSettings.DefaultPossibleRevocationThreshold).And.LessThan(AccountSettings.RevocationScore));
            Assert.That(review.Detection?.Method, Is.EqualTo(DetectionMethod.Phrase));
            Assert.That(review.Detection?.Score, Is.EqualTo(review.Score));
            Assert.That(review.Detection?.Reason, Is.EqualTo(review.Reason));
            Assert.That(review.ReceivedAt, Is.EqualTo(Messages.T0));
            Assert.That(review.ProviderMessageId, Is.EqualTo(ProviderId));
            Assert.That(review.ConversationId, Is.EqualTo("conv-1"));
            Assert.That(review.CampaignId, Is.EqualTo("camp-1"));
        });
    }

    [Test]
    public void Should_derive_the_message_id_from_the_text()
    {
        Assert.That(_service.MessageIdsOf<OptOutReviewRequested>(), Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(ProviderId, "review") }));
    }

    [Test]
    public async Task Should_change_no_state_and_store_nothing()
    {
        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.Caused(), Is.EqualTo(new[] { nameof(OptOutReviewRequested) }), "no state change, no confirmation");
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_publish_an_exact_duplicate_for_a_redelivery()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body, Messages.T0, ProviderId));

        var record = await _service.Find(_account);
        Assert.Multiple(() =>
        {
            Assert.That(_service.MessageIdsOf<OptOutReviewRequested>(),
                Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(ProviderId, "review"), IntentSpecs.DerivedId(ProviderId, "review") }));
            Assert.That(_service.Published<ConversationOptStateChanged>(), Is.Empty);
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_publish_a_review_with_another_message_id_for_another_text()
    {
        await _service.PublishAndWait(Messages.Text(_account, IntentSpecs.Typed, body, Messages.T0.AddMinutes(1), "SM-maybe-2"));

        Assert.That(_service.MessageIdsOf<OptOutReviewRequested>(),
            Is.EqualTo(new Guid?[] { IntentSpecs.DerivedId(ProviderId, "review"), IntentSpecs.DerivedId("SM-maybe-2", "review") }));
    }
}
