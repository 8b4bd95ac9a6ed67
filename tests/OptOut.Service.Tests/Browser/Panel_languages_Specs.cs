using System.Globalization;
using MassTransit;
using Microsoft.Playwright;
using OptOut.Contracts;
using OptOut.Core.Keywords;
using static Microsoft.Playwright.Assertions;

namespace OptOut.Service.Tests.Browser;

/// <summary>The settings' languages and detection in the panel, and how a contact's text opted a number out in the search.</summary>
[TestFixture]
public sealed class When_an_administrator_sets_languages_and_detection_in_the_panel : PanelSpecification
{
    private const string OurNumber = "+15552010000";

    [Test]
    public async Task Should_keep_english_on_and_save_another_language_turned_off()
    {
        await SignIn();
        var english = Page.GetByLabel("English", new() { Exact = true });
        var french = Page.GetByLabel("French", new() { Exact = true });
        await Expect(english).ToBeCheckedAsync();
        await Expect(english).ToBeDisabledAsync();
        await Expect(french).ToBeCheckedAsync();

        await french.UncheckAsync();
        await Expect(Page.Locator("#language-fr-state")).ToHaveTextAsync("not active");
        await SaveSettings();

        await Page.ReloadAsync();
        await Expect(french).Not.ToBeCheckedAsync();
        await Expect(Page.GetByLabel("Spanish", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(english).ToBeCheckedAsync();
        var settings = await ReadSettings();
        Assert.That(Strings(settings.GetProperty("activeLanguages")), Does.Not.Contain("fr").And.Contain("en").And.Contain("es"));
    }

    [Test]
    public async Task Should_add_a_spanish_opt_in_keyword_and_show_a_refused_one_next_to_its_list()
    {
        await SignIn();
        await Page.Locator("#language-es > summary").ClickAsync();
        var input = Page.GetByLabel("New Spanish opt-in keyword");

        // AIDE is French's help keyword, and French is active: refused, next to the Spanish opt-in list.
        await input.FillAsync("aide");
        await input.PressAsync("Enter");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.Locator("#lang-es-opt-in-keywords-error")).ToContainTextAsync("'AIDE' of es is already 'AIDE', a help keyword of fr");
        await Expect(input).ToBeFocusedAsync();
        await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.Locator("#settings-status")).ToBeHiddenAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Remove Spanish opt-in keyword AIDE" }).ClickAsync();
        await input.FillAsync("  vamos ");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add Spanish opt-in keyword" }).ClickAsync();
        await SaveSettings();

        await Page.ReloadAsync();
        await Page.Locator("#language-es > summary").ClickAsync();
        var keywords = await Page.Locator("#lang-es-opt-in-keywords-list li span:first-child").AllTextContentsAsync();
        Assert.That(keywords, Is.EqualTo(ShippedLanguage.Find("es")!.OptIn.Append("VAMOS")));
        // English's START stays, and can't be removed.
        await Expect(Page.Locator("#lang-en-opt-in-keywords-list")).ToContainTextAsync("START");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Remove English opt-in keyword START", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Remove English help keyword HELP", Exact = true })).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Should_edit_a_help_message_with_its_counter_and_open_its_section_for_a_refusal()
    {
        await SignIn();
        var section = Page.Locator("#language-fr > summary");
        await section.ClickAsync();
        var help = Page.GetByLabel("French help message");
        var counter = Page.Locator("#lang-fr-help-message-counter");
        await Expect(help).ToHaveValueAsync(ShippedLanguage.Find("fr")!.HelpMessage);
        await Expect(counter).ToHaveTextAsync(Counter(ShippedLanguage.Find("fr")!.HelpMessage));

        // Emptied, the section closed: the refusal opens it again and puts the focus on the message.
        await help.FillAsync("   ");
        await section.ClickAsync();
        await Expect(help).ToBeHiddenAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.Locator("#lang-fr-help-message-error")).ToContainTextAsync("the help message is empty");
        await Expect(help).ToBeFocusedAsync();

        const string message = "Acme ✉ : messages automatiques. Répondez ARRET pour vous désabonner, AIDE pour de l'aide.";
        await help.FillAsync(message);
        await Expect(counter).ToHaveTextAsync(Counter(message));
        Assert.That(await counter.TextContentAsync(), Does.EndWith("· UCS-2"), "✉ is not in the GSM alphabet");
        await SaveSettings();

        await Page.ReloadAsync();
        await section.ClickAsync();
        await Expect(help).ToHaveValueAsync(message);
        var french = (await ReadSettings()).GetProperty("languages").EnumerateArray().Single(l => l.GetProperty("language").GetString() == "fr");
        Assert.That(french.GetProperty("helpMessage").GetString(), Is.EqualTo(message));
    }

    [Test]
    public async Task Should_save_the_detection_settings_and_show_a_threshold_out_of_range_next_to_it()
    {
        await SignIn();
        var threshold = Page.GetByLabel("Possible-revocation threshold");
        await Expect(threshold).ToHaveValueAsync("0.5");
        await threshold.FillAsync("0.9");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.Locator("#possible-revocation-threshold-error")).ToContainTextAsync("it must be from 0.1 to 0.75");
        await Expect(threshold).ToBeFocusedAsync();

        await threshold.FillAsync("0.35");
        await Page.GetByLabel("Detect revocations that are not keywords").UncheckAsync();
        await Page.GetByLabel("Let a contact's START undo an administrator's opt-out").CheckAsync();
        await SaveSettings();

        await Page.ReloadAsync();
        await Expect(threshold).ToHaveValueAsync("0.35");
        await Expect(Page.GetByLabel("Detect revocations that are not keywords")).Not.ToBeCheckedAsync();
        await Expect(Page.GetByLabel("Let a contact's START undo an administrator's opt-out")).ToBeCheckedAsync();
    }

    [Test]
    public async Task Should_show_how_a_contact_opted_out_in_their_own_words()
    {
        const string phone = "+15552019101";
        await Text(phone, "please stop texting me");
        var record = await WaitForOptOut(phone);
        var detection = record.GetProperty("history")[0].GetProperty("detection");
        Assert.That(detection.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object), $"the lookup has no detection: {record}");

        await SignIn();
        await Search("(555) 201-9101");
        var shown = Page.Locator("#search-record");
        await Expect(shown.Locator("[data-field=source]")).ToHaveTextAsync("Keyword");
        await Expect(shown.Locator("[data-field=method]")).ToHaveTextAsync("Phrase (natural language)");
        await Expect(shown.Locator("[data-field=language]")).ToHaveTextAsync("English");
        await Expect(shown.Locator("[data-field=matched]")).ToHaveTextAsync(detection.GetProperty("matched").GetString()!);
        await Expect(shown.Locator("[data-field=score]")).ToHaveTextAsync(detection.GetProperty("score").GetDouble().ToString("0.00", CultureInfo.InvariantCulture));
        await Expect(shown.Locator("[data-field=text]")).ToHaveTextAsync("please stop texting me");
        await Expect(shown.Locator("[data-field=reason]")).ToHaveTextAsync(detection.GetProperty("reason").GetString()!);
        await Expect(Page.Locator("#history-table tbody tr").First).ToContainTextAsync("Phrase (natural language) · English");
    }

    [Test]
    public async Task Should_show_which_keyword_a_contact_texted()
    {
        const string phone = "+15552019102";
        await Text(phone, "Arrêt!");
        await WaitForOptOut(phone);

        await SignIn();
        await Search(phone);
        await Expect(Page.Locator("#search-record [data-field=keyword]")).ToHaveTextAsync("ARRÊT (French)");
        await Expect(Page.Locator("#search-record [data-field=method]")).ToHaveCountAsync(0);
    }

    private Task Text(string from, string body) => Services.GetRequiredService<IBus>().Publish(new InboundMessage
    {
        AccountId = Account,
        From = from,
        To = OurNumber,
        Body = body,
        ReceivedAt = DateTimeOffset.UtcNow,
        ProviderMessageId = "panel-spec-" + Guid.NewGuid().ToString("N"),
    });

    private async Task Search(string phone)
    {
        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync(phone);
        await Page.GetByLabel("Phone number", new() { Exact = true }).PressAsync("Enter");
        await Expect(Page.Locator("#search-record [data-field=state]")).ToHaveTextAsync("Opted out");
    }

    private async Task SaveSettings()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.Locator("#settings-status")).ToHaveTextAsync("Settings saved.");
    }

    private async Task<System.Text.Json.JsonElement> ReadSettings()
    {
        using var response = await CallApi(HttpMethod.Get, "settings");
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<string> Strings(System.Text.Json.JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);
}
