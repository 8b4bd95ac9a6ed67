using System.Net;
using OptOut.Contracts;
using OptOut.Core;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_an_administrator_exports_the_opt_outs : AdminApiSpecification
{
    [Test]
    public async Task Should_stream_every_current_opt_out_as_csv_safe_for_a_spreadsheet()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552016001, +15552016002", note = "list, \"A\"" }));
        await Expect(post, HttpStatusCode.OK);
        using var delete = await client.DeleteAsync(Url(account, "opt-outs/+15552016002"));
        await Expect(delete, HttpStatusCode.OK);
        // A note written by another tool (an import, an older version) that a spreadsheet would run as a formula.
        await WriteRecordAsync(account, "+15552016003", "=HYPERLINK(\"http://evil\",\"click\")");
        await WriteRecordAsync(account, "+15552016004", "-2+3");
        await WriteRecordAsync(Guid.NewGuid(), "+15552016005", "another account");

        using var response = await client.GetAsync(Url(account, "opt-outs.csv"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Does.StartWith("opt-outs").And.EndWith(".csv"));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("phone,optedOutAt,source,note"));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "+15552016001", "+15552016003", "+15552016004" }),
                "current opt-outs only (the deleted one and the other account's are not there), by number");
            Assert.That(lines[1], Does.Match(@"^\+15552016001,\d{4}-\d\d-\d\dT[^,]+,Manual,""Opted out manually by alice: list, """"A""""""$"));
            Assert.That(lines[2], Does.EndWith(",Manual,\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\""));
            Assert.That(lines[3], Does.EndWith(",Manual,'-2+3"));
        });
    }

    private async Task WriteRecordAsync(AccountId account, string phone, string note)
    {
        var store = Services.GetRequiredService<IOptOutStore>();
        var now = DateTimeOffset.UtcNow;
        var entry = new OptOutHistoryEntry
        {
            State = OptState.OptedOut, Source = OptOutSource.Manual, At = now, RecordedAt = now, Actor = "import", Note = note,
            CausationId = "spec:" + Guid.NewGuid().ToString("N"),
        };
        var record = new OptOutRecord
        {
            AccountId = account, Phone = phone, State = OptState.OptedOut, Source = OptOutSource.Manual, Note = note, Actor = "import",
            StateAt = now, CreatedAt = now, UpdatedAt = now, Version = 1, History = [entry],
        };
        Assert.That(await store.TryWriteAsync(new OptOutWrite(record, 0, entry)), Is.True);
    }
}
