using OptOut.Contracts;
using Microsoft.Extensions.Time.Testing;
using OptOut.Core;

namespace OptOut.Core.Tests;

/// <summary>
/// An ordinary reply's sender is only checked (<see cref="PhoneNumberParser.Check"/>), a keyword's is parsed: both
/// must reject the same senders with the same reason, masked.
/// </summary>
[TestFixture]
public class When_an_inbound_text_comes_from_an_unusable_number
{
    private static readonly AccountId Account = Guid.NewGuid();

    private InMemoryOptOutStore _store = null!;
    private InboundTextHandler _handler = null!;

    [SetUp]
    public void Create_the_handler()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        _store = new InMemoryOptOutStore();
        _handler = new InboundTextHandler(new SettingsCache(new NoSettings(), clock), new OptOutService(_store, clock), new HelpReplyLimiter(clock));
    }

    [TestCase("STOP")]
    [TestCase("Sounds good, see you then")]
    [TestCase("ok")]
    public void Should_reject_a_local_number_whatever_the_text_says(string body)
    {
        var ex = Assert.ThrowsAsync<InvalidMessageException>(() => _handler.HandleAsync(Text("555-2012", body)));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Is.EqualTo("Rejected: from: '****2012' is a local number without an area code"));
            Assert.That(_store.Writes, Is.Zero);
        });
    }

    [TestCase("STOP")]
    [TestCase("What time?")]
    public void Should_reject_what_is_not_a_number_whatever_the_text_says(string body)
    {
        var ex = Assert.ThrowsAsync<InvalidMessageException>(() => _handler.HandleAsync(Text("not a number", body)));

        Assert.That(ex!.Message, Is.EqualTo("Rejected: from: '********mber' is not a phone number"));
    }

    [Test]
    public async Task Should_accept_an_ordinary_reply_from_a_usable_number_and_store_nothing()
    {
        var outcome = await _handler.HandleAsync(Text("(201) 555-0123", "Who is this?"));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Intent.Keyword, Is.Null);
            Assert.That(outcome.Change, Is.Null);
            Assert.That(outcome.Contact, Is.Null);
            Assert.That(_store.Writes, Is.Zero);
        });
    }

    [Test]
    public async Task Should_normalize_the_sender_of_a_keyword()
    {
        var outcome = await _handler.HandleAsync(Text("(201) 555-0123", "Stop!"));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Intent.Keyword, Is.EqualTo("STOP"));
            Assert.That(outcome.Contact?.E164, Is.EqualTo("+12015550123"));
            Assert.That(outcome.Change?.Phone.E164, Is.EqualTo("+12015550123"));
            Assert.That(_store.Writes, Is.EqualTo(1));
        });
    }

    private static InboundText Text(string from, string body) => new()
    {
        AccountId = Account,
        From = from,
        To = "+15559870000",
        Body = body,
        ReceivedAt = new DateTimeOffset(2026, 11, 29, 11, 0, 0, TimeSpan.Zero),
        CausationId = "inbound:" + Guid.NewGuid().ToString("N"),
    };

    private sealed class NoSettings : ISettingsStore
    {
        public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) => Task.FromResult<AccountSettings?>(null);

        public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
