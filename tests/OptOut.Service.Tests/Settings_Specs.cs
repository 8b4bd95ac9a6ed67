using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

[TestFixture]
public class When_account_settings_are_updated
{
    private static UpdateOptOutSettings Update(AccountId account, Action<UpdateOptOutSettingsBuilder>? change = null)
    {
        var b = new UpdateOptOutSettingsBuilder { AccountId = account };
        change?.Invoke(b);
        return b.Build();
    }

    [Test]
    public async Task Should_apply_a_new_keyword_and_message_to_the_next_text()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        // Prime the cache with the defaults first, so the spec proves the change reaches a cached account.
        await service.PublishAndWait(Messages.Text(account, "+15552011111", "hi"));

        await service.PublishAndWait(Update(account, b =>
        {
            b.Message = "Bye from Acme. Reply START to rejoin.";
            b.Keywords = [.. AccountSettings.DefaultKeywords, "BASTA"];
        }));
        await service.PublishAndWait(Messages.Text(account, "+15552011234", "basta"));

        Assert.That(service.Published<OptOutSettingsChanged>().Single().Keywords, Does.Contain("BASTA"));
        Assert.That(service.Published<ConfirmationMessageRequested>().Single().Body, Is.EqualTo("Bye from Acme. Reply START to rejoin."));
    }

    [Test]
    public async Task Should_apply_a_change_made_by_another_instance_once_its_event_arrives()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Messages.Text(account, "+15552011111", "hi")); // this instance caches the defaults (PINEAPPLE is read as nothing)

        // Another instance (same store) applies an update: it saves the settings and publishes OptOutSettingsChanged.
        var store = service.Services.GetRequiredService<ISettingsStore>();
        var (settings, errors) = AccountSettings.TryCreate(
            Update(account, b => { b.Message = "Bye from Acme."; b.Keywords = [.. AccountSettings.DefaultKeywords, "PINEAPPLE"]; }),
            AccountSettings.Defaults(account), Messages.T0);
        Assert.That(errors, Is.Empty);
        await store.SaveAsync(settings!);
        await service.PublishAndWait(Messages.Text(account, "+15552011234", "pineapple"));
        var beforeTheEvent = service.Published<ConversationOptStateChanged>().Count;

        await service.PublishAndWait(new OptOutSettingsChanged { AccountId = account, Keywords = settings!.Keywords, OptOutMessage = settings.OptOutMessage });
        await service.PublishAndWait(Messages.Text(account, "+15552015678", "pineapple"));

        Assert.Multiple(() =>
        {
            Assert.That(beforeTheEvent, Is.Zero, "until the event arrives, this instance's cached settings apply (the spec would prove nothing otherwise)");
            Assert.That(service.Published<ConversationOptStateChanged>().Single().PhoneNumber, Is.EqualTo("+15552015678"));
            Assert.That(service.Published<ConfirmationMessageRequested>().Single().Body, Is.EqualTo("Bye from Acme."));
        });
    }

    [Test]
    public async Task Should_stop_keyword_opt_outs_when_auto_opt_out_is_off()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Update(account, b => b.Auto = false));

        await service.PublishAndWait(Messages.Text(account, "+15552011234", "STOP"));

        Assert.That(service.Published<ConversationOptStateChanged>(), Is.Empty);
    }

    [Test]
    public async Task Should_use_the_default_country_code_for_numbers_typed_without_one()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        await service.PublishAndWait(Update(account, b => b.CountryCode = "44"));

        await service.PublishAndWait(Messages.Text(account, "07700 900123", "STOP"));

        Assert.That(service.Published<ConversationOptStateChanged>().Single().PhoneNumber, Is.EqualTo("+447700900123"));
    }

    [Test]
    public async Task Should_reject_an_invalid_update_with_every_reason_and_change_nothing()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(Update(account, b =>
        {
            b.CountryCode = "999";
            b.Message = new string('x', 400);
            b.Keywords = ["QUIT"];
        }));
        await service.PublishAndWait(Messages.Text(account, "+15552011234", "STOP"));

        var rejected = service.Published<OptOutSettingsRejected>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Reasons, Has.Count.EqualTo(3), string.Join(" | ", rejected.Reasons));
            Assert.That(rejected.Errors.Select(e => e.Field), Is.EqualTo(new[] { "defaultCountryCode", "optOutMessage", "keywords" }));
            Assert.That(rejected.Errors.Select(e => e.Reason), Is.EqualTo(rejected.Reasons));
            Assert.That(service.Published<OptOutSettingsChanged>(), Is.Empty);
            Assert.That(service.Published<ConfirmationMessageRequested>().Single().Body, Is.EqualTo(Core.AccountSettings.DefaultOptOutMessage));
        });
    }

    [Test]
    public async Task Should_reject_an_empty_message()
    {
        await using var service = await ServiceHarness.StartAsync();
        var client = service.Harness.GetRequestClient<UpdateOptOutSettings>();

        var response = await client.GetResponse<OptOutSettingsChanged, OptOutSettingsRejected>(Update(Guid.NewGuid(), b => b.Message = "  "));

        Assert.That(response.Is(out Response<OptOutSettingsRejected>? rejected), Is.True);
        Assert.That(rejected!.Message.Reasons, Has.Some.Contains("empty"));
    }

    public sealed class UpdateOptOutSettingsBuilder
    {
        public AccountId AccountId { get; set; }

        public string CountryCode { get; set; } = "1";

        public bool Auto { get; set; } = true;

        public string Message { get; set; } = "You are opted out. Reply START to opt back in.";

        public IReadOnlyList<string>? Keywords { get; set; }

        public UpdateOptOutSettings Build() => new()
        {
            AccountId = AccountId,
            RequestId = Guid.NewGuid(),
            DefaultCountryCode = CountryCode,
            AutoOptOutEnabled = Auto,
            OptOutMessage = Message,
            Keywords = Keywords,
            RequestedBy = "admin@example.com",
        };
    }
}
