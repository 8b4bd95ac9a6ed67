using Microsoft.Extensions.Time.Testing;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Intent;

namespace OptOut.Core.Tests;

/// <summary>START, HELP and detected revocations through <see cref="InboundTextHandler"/> (CTIA: honour START, answer HELP).</summary>
[TestFixture]
public class When_a_contact_texts_start_help_or_words
{
    private const string Contact = "+12015550123";

    private readonly AccountId _account = Guid.NewGuid();
    private FakeTimeProvider _clock = null!;
    private InMemoryOptOutStore _store = null!;
    private SettingsStore _settings = null!;
    private InboundTextHandler _handler = null!;
    private OptOutService _optOuts = null!;
    private int _texts;

    [SetUp]
    public void Create_the_handler()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        _store = new InMemoryOptOutStore();
        _settings = new SettingsStore();
        _optOuts = new OptOutService(_store, _clock);
        _handler = new InboundTextHandler(new SettingsCache(_settings, _clock), _optOuts, new HelpReplyLimiter(_clock));
    }

    [Test]
    public async Task Should_resume_a_contact_who_texted_stop_and_confirm_it()
    {
        await Text("STOP");
        var outcome = await Text("Start");

        var record = await _store.FindAsync(_account, Contact);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Decision!.Kind, Is.EqualTo(ChangeKind.Changed));
            Assert.That(outcome.Change!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(outcome.Change.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(outcome.RepliesNow, Is.True);
            Assert.That(outcome.Reply, Is.EqualTo(new InboundReply(ConfirmationKind.OptIn, "en", AccountSettings.Defaults(_account).Language("en").OptInMessage)));
            Assert.That(record!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That(record.History.Select(h => h.State), Is.EqualTo(new[] { OptState.OptedOut, OptState.OptedIn }));
        });
    }

    [Test]
    public async Task Should_resume_a_contact_whose_words_revoked_consent()
    {
        await Text("please stop texting me");
        var outcome = await Text("UNSTOP");

        Assert.That(outcome.Decision!.Kind, Is.EqualTo(ChangeKind.Changed));
    }

    [Test]
    public async Task Should_keep_a_number_an_administrator_opted_out_and_record_the_request()
    {
        await OptOutManually();

        var outcome = await Text("START");

        var record = await _store.FindAsync(_account, Contact);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Decision!.Kind, Is.EqualTo(ChangeKind.Refused));
            Assert.That(outcome.RepliesNow, Is.False, "no opt-in confirmation for an opt-in that didn't happen");
            Assert.That(record!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.Source, Is.EqualTo(OptOutSource.Manual));
            Assert.That(record.History, Has.Count.EqualTo(2));
            Assert.That(record.History[1].State, Is.EqualTo(OptState.OptedOut));
            Assert.That(record.History[1].Note, Does.Contain("START").And.Contain("stays opted out").And.Contain("Manual"));
        });
    }

    [Test]
    public async Task Should_record_a_refused_start_once_when_it_is_redelivered()
    {
        await OptOutManually();

        await Text("START", causation: "inbound:same");
        var again = await Text("START", causation: "inbound:same");

        var record = await _store.FindAsync(_account, Contact);
        Assert.Multiple(() =>
        {
            Assert.That(again.Decision!.Publishes, Is.False);
            Assert.That(record!.History, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Should_let_a_contact_undo_an_administrators_opt_out_when_the_account_allows_it()
    {
        _settings.Saved = Settings(overrides: true);
        await OptOutManually();

        var outcome = await Text("START");

        Assert.That(outcome.Decision!.Kind, Is.EqualTo(ChangeKind.Changed));
    }

    [TestCase("YES")]
    [TestCase("START")]
    public async Task Should_treat_an_opt_in_keyword_from_a_number_not_opted_out_as_an_ordinary_reply(string text)
    {
        var outcome = await Text(text);

        var record = await _store.FindAsync(_account, Contact);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Decision!.Publishes, Is.False);
            Assert.That(outcome.RepliesNow, Is.False);
            Assert.That(_store.Writes, Is.Zero, "nothing is remembered for a YES");
            Assert.That(record, Is.Null);
        });
    }

    [Test]
    public async Task Should_answer_help_once_per_number_per_ten_minutes()
    {
        var first = await Text("HELP");
        var second = await Text("help");
        var other = await Text("HELP", from: "+12015550124");
        _clock.Advance(HelpReplyLimiter.Interval);
        var later = await Text("INFO");

        Assert.Multiple(() =>
        {
            Assert.That(first.Reply?.Kind, Is.EqualTo(ConfirmationKind.Help));
            Assert.That(first.Reply?.Body, Is.EqualTo(AccountSettings.Defaults(_account).Language("en").HelpMessage));
            Assert.That(first.RepliesNow, Is.True);
            Assert.That(second.RepliesNow, Is.False, "an auto-responder must not loop");
            Assert.That(other.RepliesNow, Is.True);
            Assert.That(later.RepliesNow, Is.True);
            Assert.That(_store.Writes, Is.Zero, "help changes no state");
        });
    }

    [Test]
    public async Task Should_answer_a_redelivered_help_again()
    {
        await Text("HELP", causation: "inbound:help-1");
        var redelivered = await Text("HELP", causation: "inbound:help-1");

        Assert.That(redelivered.RepliesNow, Is.True, "the first publish may have been lost; the same message id makes it a duplicate downstream");
    }

    [Test]
    public async Task Should_answer_help_in_the_contacts_language()
    {
        var outcome = await Text("AYUDA");

        Assert.That(outcome.Reply, Is.EqualTo(new InboundReply(ConfirmationKind.Help, "es", AccountSettings.Defaults(_account).Language("es").HelpMessage)));
    }

    [Test]
    public async Task Should_opt_out_a_revocation_in_words_and_say_how_it_was_read()
    {
        var outcome = await Text("Please stop texting me, I moved");

        var entry = (await _store.FindAsync(_account, Contact))!.History.Single();
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Intent.Kind, Is.EqualTo(TextIntentKind.OptOut));
            Assert.That(outcome.Reply?.Kind, Is.EqualTo(ConfirmationKind.OptOut));
            Assert.That(entry.Source, Is.EqualTo(OptOutSource.Keyword));
            Assert.That(entry.Detection?.Method, Is.EqualTo(DetectionMethod.Phrase));
            Assert.That(entry.Detection?.Language, Is.EqualTo("en"));
            Assert.That(entry.Note, Does.StartWith("Contact texted \"Please stop texting me, I moved\" to +15559870000: "));
        });
    }

    [Test]
    public async Task Should_leave_a_possible_revocation_to_a_person()
    {
        var outcome = await Text("not interested");

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Intent.Kind, Is.EqualTo(TextIntentKind.PossibleOptOut));
            Assert.That(outcome.Contact?.E164, Is.EqualTo(Contact));
            Assert.That(outcome.Change, Is.Null);
            Assert.That(_store.Writes, Is.Zero);
        });
    }

    [Test]
    public async Task Should_do_nothing_at_all_when_automatic_opt_out_is_off()
    {
        _settings.Saved = Settings(auto: false);

        var outcomes = new[] { await Text("STOP"), await Text("HELP"), await Text("stop texting me") };

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Select(o => o.Intent.Kind), Is.All.EqualTo(TextIntentKind.None));
            Assert.That(_store.Writes, Is.Zero);
        });
    }

    private AccountSettings Settings(bool overrides = false, bool auto = true) => AccountSettings.Validate(new UpdateOptOutSettings
    {
        AccountId = _account,
        DefaultCountryCode = "1",
        AutoOptOutEnabled = auto,
        OptOutMessage = AccountSettings.DefaultOptOutMessage,
        ContactOptInOverridesAdmin = overrides,
    }, AccountSettings.Defaults(_account), _clock.GetUtcNow()).Settings!;

    private Task<OptDecision> OptOutManually() => _optOuts.ApplyAsync(new OptChange
    {
        AccountId = _account,
        Phone = PhoneNumberParser.Parse(Contact, 1).Number!,
        State = OptState.OptedOut,
        Source = OptOutSource.Manual,
        At = _clock.GetUtcNow().AddMinutes(-1),
        CausationId = "request:" + Guid.NewGuid(),
        Actor = "admin@example.com",
        Note = "Opted out by admin@example.com",
    });

    private Task<InboundOutcome> Text(string body, string from = Contact, string? causation = null)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        return _handler.HandleAsync(new InboundText
        {
            AccountId = _account,
            From = from,
            To = "+15559870000",
            Body = body,
            ReceivedAt = _clock.GetUtcNow(),
            CausationId = causation ?? "inbound:" + ++_texts,
        });
    }

    private sealed class SettingsStore : ISettingsStore
    {
        public AccountSettings? Saved { get; set; }

        public Task<AccountSettings?> GetAsync(AccountId accountId, CancellationToken cancellationToken = default) => Task.FromResult(Saved);

        public Task SaveAsync(AccountSettings settings, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
