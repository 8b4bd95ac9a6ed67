using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OptOut.Core;
using static Microsoft.Playwright.Assertions;

namespace OptOut.Service.Tests.Browser;

[TestFixture]
public sealed class When_an_administrator_uses_the_panel : PanelSpecification
{
    [Test]
    public async Task Should_save_the_settings_and_count_the_message_as_it_is_typed()
    {
        await SignIn();
        var message = Page.GetByLabel("English opt-out message");
        var counter = Page.Locator("#opt-out-message-counter");
        await Expect(counter).ToHaveTextAsync(Counter(AccountSettings.DefaultOptOutMessage));

        const string gsm = "You're unsubscribed from {Acme}. Reply START to resubscribe. Msg&data rates may apply; costs €0.";
        await message.FillAsync(gsm);
        await Expect(counter).ToHaveTextAsync(Counter(gsm));
        Assert.That(await counter.TextContentAsync(), Does.EndWith("· GSM-7"));
        const string ucs = "Désabonné ✅ Répondez START pour revenir.";
        await message.FillAsync(ucs);
        await Expect(counter).ToHaveTextAsync($"{ucs.Length} characters · 1 segment · UCS-2");
        var long160 = new string('a', 150) + "[]{}" + "€";
        await message.FillAsync(long160 + "!");
        await Expect(counter).ToHaveTextAsync(Counter(long160 + "!"));
        Assert.That(await counter.TextContentAsync(), Does.Contain("2 segments"), "161 septets take two parts");

        await message.FillAsync(gsm);
        await Page.GetByLabel("Default country code").FillAsync("44");
        await Page.GetByLabel("Automatic opt-outs").UncheckAsync();
        await Page.GetByLabel("New English opt-out keyword").FillAsync("enough");
        await Page.GetByLabel("New English opt-out keyword").PressAsync("Enter");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Remove English opt-out keyword QUIT" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Remove English opt-out keyword STOP", Exact = true })).ToHaveCountAsync(0);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(Page.Locator("#settings-status")).ToHaveTextAsync("Settings saved.");

        // What the service stored, seen after a reload (the session keeps the key and the account).
        await Page.ReloadAsync();
        await Expect(Page.GetByLabel("Default country code")).ToHaveValueAsync("44");
        await Expect(Page.GetByLabel("Automatic opt-outs")).Not.ToBeCheckedAsync();
        await Expect(message).ToHaveValueAsync(gsm);
        var keywords = await Page.Locator("#keywords-list li span:first-child").AllTextContentsAsync();
        Assert.That(keywords, Does.Contain("ENOUGH").And.Not.Contain("QUIT").And.Contain("STOP"));
    }

    [Test]
    public async Task Should_show_each_reason_of_a_refusal_next_to_its_field()
    {
        await SignIn();
        await Page.GetByLabel("Default country code").FillAsync("0");
        await Page.GetByLabel("English opt-out message").FillAsync("   ");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();

        await Expect(Page.Locator("#default-country-code-error")).ToContainTextAsync("'0' is not a country calling code");
        await Expect(Page.Locator("#opt-out-message-error")).ToContainTextAsync("the opt-out message is empty");
        await Expect(Page.GetByLabel("Default country code")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.GetByLabel("Default country code")).ToBeFocusedAsync();
        await Expect(Page.Locator("#settings-status")).ToBeHiddenAsync();
    }

    [Test]
    public async Task Should_count_segments_exactly_like_the_service()
    {
        await SignIn();
        string[] texts =
        [
            "", "STOP", new('a', 160), new('a', 161), new('a', 306), new('a', 307), new('€', 80), new('€', 81), "^{}\\[~]|€\f",
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà", "ç", "Ж", new('Ж', 70), new('Ж', 71), new('Ж', 134),
            new('Ж', 135), "👍", new string('a', 69) + "👍", "`", "\t", "ê",
        ];
        var measured = await Page.EvaluateAsync<JsonElement>("texts => texts.map(t => window.optOutPanel.measureSms(t))", texts);
        var panel = measured.EnumerateArray().ToList();
        for (var i = 0; i < texts.Length; i++)
        {
            var expected = SmsSegments.Measure(texts[i]);
            var actual = new SmsLength(panel[i].GetProperty("encoding").GetString()!, panel[i].GetProperty("length").GetInt32(), panel[i].GetProperty("segments").GetInt32());
            Assert.That(actual, Is.EqualTo(expected), $"text #{i} ({texts[i].Length} chars)");
        }
    }

    [Test]
    public async Task Should_opt_out_two_numbers_and_find_them_by_search_with_their_note()
    {
        await SignIn();
        await Page.GetByLabel("Phone numbers").FillAsync("+1 555 201 3101\n(555) 201-3102, 201-1234");
        await Page.GetByLabel("Note", new() { Exact = true }).FillAsync("asked at the front desk");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Opt out", Exact = true }).ClickAsync();

        var rows = Page.Locator("#manual-results tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToContainTextAsync("+15552013101");
        await Expect(rows.Nth(0)).ToContainTextAsync("Opted out");
        await Expect(rows.Nth(1)).ToContainTextAsync("+15552013102");
        await Expect(rows.Nth(2)).ToContainTextAsync("Rejected");
        await Expect(rows.Nth(2)).ToContainTextAsync("local number");
        await Expect(Page.Locator("#manual-status")).ToHaveTextAsync("Opted out: 2, Rejected: 1");

        foreach (var (typed, number) in new[] { ("555.201.3101", "+15552013101"), ("15552013102", "+15552013102") })
        {
            await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync(typed);
            await Page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
            await Expect(Page.Locator("#search-record [data-field=number]")).ToHaveTextAsync(number);
            await Expect(Page.Locator("#search-record [data-field=state]")).ToHaveTextAsync("Opted out");
            await Expect(Page.Locator("#search-record [data-field=note]")).ToHaveTextAsync($"Opted out manually by {KeyName}: asked at the front desk");
            await Expect(Page.Locator("#history-table tbody tr")).ToHaveCountAsync(1);
            await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Delete Opt Out" })).ToBeVisibleAsync();
        }

        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("+15552013199");
        await Page.GetByLabel("Phone number", new() { Exact = true }).PressAsync("Enter");
        await Expect(Page.Locator("#search-status")).ToHaveTextAsync("+15552013199 has never been opted out in this account.");
        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("call me");
        await Page.GetByLabel("Phone number", new() { Exact = true }).PressAsync("Enter");
        await Expect(Page.Locator("#search-phone-error")).ToContainTextAsync("not a phone number");
    }

    [Test]
    public async Task Should_upload_a_csv_and_follow_the_progress_bar_to_the_report()
    {
        await SignIn();
        var csv = new StringBuilder("name,phone\n");
        const int valid = 20_000;
        for (var i = 0; i < valid; i++)
            csv.Append("contact ").Append(i).Append(",+1555").Append((3_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        csv.Append("typo,555-01\nformula,=1+2\n");
        await Page.GetByLabel("CSV file with a phone column").SetInputFilesAsync(new FilePayload
        {
            Name = "spring-campaign.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv.ToString()),
        });

        // Record every value the progress bar shows, to check it only moves forward and ends full.
        await Page.EvaluateAsync("""
            () => {
              window.progressSeen = [];
              const bar = document.getElementById('upload-progress');
              new MutationObserver(() => window.progressSeen.push(bar.getAttribute('aria-valuetext') + '|' + (bar.hasAttribute('value') ? bar.value : ''))).observe(bar, { attributes: true });
            }
            """);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(Page.GetByLabel("Upload progress")).ToBeVisibleAsync();

        var report = Page.Locator("#upload-report");
        await Expect(report).ToBeVisibleAsync(new() { Timeout = Patience });
        await Expect(Page.GetByLabel("Upload progress")).ToHaveJSPropertyAsync("value", 100);
        var seen = await Page.EvaluateAsync<string[]>("() => window.progressSeen");
        TestContext.Progress.WriteLine("progress seen: " + string.Join(" ; ", seen.Distinct()));
        var values = seen.Select(s => s.Split('|')[1]).Where(v => v.Length > 0).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(values, Is.Ordered, "the bar never goes back");
        Assert.That(values[^1], Is.EqualTo(100));

        await Expect(Page.Locator("#upload-report-summary")).ToContainTextAsync("spring-campaign.csv · Completed");
        await Expect(Page.Locator("[data-count=optedOut] dd")).ToHaveTextAsync(valid.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        await Expect(Page.Locator("[data-count=invalidRows] dd")).ToHaveTextAsync("2");
        var rejected = Page.Locator("#rejected-rows tbody tr");
        await Expect(rejected).ToHaveCountAsync(2);
        await Expect(rejected.Nth(0)).ToContainTextAsync("555-01");
        await Expect(rejected.Nth(1)).ToContainTextAsync("=1+2");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Download report" }).ClickAsync());
        var path = await download.PathAsync();
        var lines = await File.ReadAllLinesAsync(path!);
        Assert.Multiple(() =>
        {
            Assert.That(download.SuggestedFilename, Does.StartWith("report-").And.EndWith(".csv"));
            Assert.That(lines[0], Is.EqualTo("row,value,phone,outcome,reason"));
            Assert.That(lines, Has.Length.EqualTo(valid + 3));
            Assert.That(lines[^1], Does.StartWith($"{valid + 2},'=1+2,,Rejected"));
        });

        var upload = Page.Locator("#uploads-table tbody tr", new() { HasText = "spring-campaign.csv" });
        await Expect(upload).ToContainTextAsync("Completed");
        await Expect(upload.GetByRole(AriaRole.Button, new() { Name = "Undo spring-campaign.csv" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Should_undo_a_past_upload_once_confirmed()
    {
        await SignIn();
        await Page.GetByLabel("CSV file with a phone column").SetInputFilesAsync(new FilePayload
        {
            Name = "mistake.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("phone\n+15552017101\n+15552017102\n+15552017103\n"),
        });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#upload-report-summary")).ToContainTextAsync("mistake.csv · Completed");

        var upload = Page.Locator("#uploads-table tbody tr", new() { HasText = "mistake.csv" });
        await Expect(upload).ToContainTextAsync("Completed");
        var undo = upload.GetByRole(AriaRole.Button, new() { Name = "Undo mistake.csv" });
        await undo.ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Undo mistake.csv?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(upload).ToContainTextAsync("Completed");

        await undo.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Undo upload" }).ClickAsync();
        await Expect(Page.Locator("#uploads-status")).ToHaveTextAsync("mistake.csv was undone: 3 numbers opted back in, 0 kept.");
        await Expect(upload).ToContainTextAsync("Undone");
        await Expect(upload.GetByRole(AriaRole.Button, new() { Name = "Undo mistake.csv" })).ToHaveCountAsync(0);

        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("+15552017102");
        await Page.GetByLabel("Phone number", new() { Exact = true }).PressAsync("Enter");
        await Expect(Page.Locator("#search-record [data-field=state]")).ToHaveTextAsync("Opted in");
    }

    [Test]
    public async Task Should_show_every_part_of_the_page_on_a_laptop_screen()
    {
        await CallApi(HttpMethod.Post, "opt-outs", new { phones = "+15552018101", note = "replied STOP by email" });
        await SignIn();
        await Page.GetByLabel("Phone numbers").FillAsync("+1 555 201 8102, (555) 201-8103, 201-1234");
        await Page.GetByLabel("Note", new() { Exact = true }).FillAsync("front desk");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Opt out", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#manual-results tbody tr")).ToHaveCountAsync(3);
        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("555-201-8101");
        await Page.GetByLabel("Phone number", new() { Exact = true }).PressAsync("Enter");
        await Expect(Page.Locator("#search-record [data-field=note]")).ToContainTextAsync("replied STOP by email");
        foreach (var heading in new[] { "Opt Out Settings", "Create Opt Out", "Search", "Export", "Past uploads" })
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();

        // The README's picture of the panel (docs/panel.png is a copy of this one).
        await Page.Mouse.MoveAsync(0, 0);
        await Page.EvaluateAsync("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }");
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "panel-1280x900.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.AddTestAttachment(path);
    }

    [Test]
    public async Task Should_delete_an_opt_out_only_once_confirmed()
    {
        await CallApi(HttpMethod.Post, "opt-outs", new { phones = "+15552014101", note = "wrong number" });
        await SignIn();
        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync("(555) 201-4101");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var delete = Page.GetByRole(AriaRole.Button, new() { Name = "Delete Opt Out" });

        // Escape (keyboard) backs out; nothing changes.
        await delete.ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("Opt +15552014101 back in?");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true })).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(Page.Locator("#search-status")).ToHaveTextAsync("Nothing was deleted.");
        await Expect(Page.Locator("#search-record [data-field=state]")).ToHaveTextAsync("Opted out");

        await delete.ClickAsync();
        await Page.GetByLabel("Reason (optional)").FillAsync("the contact called back");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete Opt Out" }).ClickAsync();
        await Expect(Page.Locator("#search-status")).ToHaveTextAsync("+15552014101 was opted back in.");
        await Expect(Page.Locator("#search-record [data-field=state]")).ToHaveTextAsync("Opted in");
        var history = Page.Locator("#history-table tbody tr");
        await Expect(history).ToHaveCountAsync(2);
        await Expect(history.Nth(1)).ToContainTextAsync("the contact called back");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Delete Opt Out" })).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Should_export_the_opt_outs_as_a_csv_file()
    {
        await CallApi(HttpMethod.Post, "opt-outs", new { phones = "+15552015101, +15552015102", note = "=cmd|' /C calc'!A0" });
        await SignIn();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Export opt-outs.csv" }).ClickAsync());
        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Multiple(() =>
        {
            Assert.That(download.SuggestedFilename, Is.EqualTo($"opt-outs-{Account.Value.Replace(':', '_')}.csv"));
            Assert.That(lines[0], Is.EqualTo("phone,optedOutAt,source,note"));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "+15552015101", "+15552015102" }));
            Assert.That(lines[1], Does.EndWith($",Manual,Opted out manually by {KeyName}: =cmd|' /C calc'!A0"));
        });
        await Expect(Page.Locator("#export-status")).ToContainTextAsync($"Downloaded opt-outs-{Account.Value.Replace(':', '_')}.csv");
    }

    [Test]
    public async Task Should_say_next_to_the_field_when_the_api_key_is_wrong()
    {
        await Page.GotoAsync($"/?account={Account}");
        await Page.GetByLabel("API key").FillAsync("not-the-key");
        await Page.GetByLabel("API key").PressAsync("Enter");
        await Expect(Page.Locator("#api-key-error")).ToContainTextAsync("valid key");
        await Expect(Page.GetByLabel("API key")).ToBeFocusedAsync();
        await Expect(Page.Locator("#workspace")).ToBeHiddenAsync();

        await Page.GetByLabel("Account id").FillAsync("account 7");
        await Page.GetByLabel("API key").FillAsync(ApiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Open account" }).ClickAsync();
        await Expect(Page.Locator("#account-id-error")).ToContainTextAsync("is not an account id");
    }
}

[TestFixture]
public sealed class When_an_administrator_uses_the_panel_on_a_phone : PanelSpecification
{
    protected override ViewportSize Viewport => new() { Width = 390, Height = 844 };

    [Test]
    public async Task Should_fit_the_screen_without_sideways_scrolling()
    {
        await SignIn();
        await Page.GetByLabel("Phone numbers").FillAsync("+15552016101");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Opt out", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#manual-results tbody tr")).ToHaveCountAsync(1);
        var overflow = await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), "the page scrolls sideways on a 390 px wide screen");

        // Every control can be reached with the keyboard, and the focus is visible.
        await Page.GetByLabel("Default country code").FocusAsync();
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.GetByLabel("Automatic opt-outs")).ToBeFocusedAsync();
        var outline = await Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.That(outline, Is.Not.EqualTo("none"));
    }
}
