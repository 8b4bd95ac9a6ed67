using System.Net;
using OptOut.Contracts;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The admin API under any account id the platform uses (<c>/api/accounts/{accountId}/…</c>): the platform's own
/// strings and numbers work like GUIDs, letter case makes another account, and a path whose account breaks the rule
/// is a 400 that states it.
/// </summary>
[TestFixture]
public sealed class When_the_admin_api_is_called_with_the_platforms_account_ids : AdminApiSpecification
{
    [Test]
    public async Task Should_opt_out_find_and_configure_an_account_named_by_a_string()
    {
        using var client = Client();
        var account = AccountId.Parse("acme-campaigns-" + Guid.NewGuid().ToString("N")[..8]);
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552017001", note = "asked by email" }));
        await Expect(post, HttpStatusCode.OK);
        using var put = await client.PutAsync(Url(account, "settings"), Json(new { defaultCountryCode = "44", autoOptOutEnabled = true, optOutMessage = "Bye." }));
        await Expect(put, HttpStatusCode.OK);

        using var get = await client.GetAsync(Url(account, "opt-outs/+15552017001"));
        var record = await Expect(get, HttpStatusCode.OK);
        using var settings = await client.GetAsync(Url(account, "settings"));
        var read = await Expect(settings, HttpStatusCode.OK);
        using var other = await client.GetAsync(Url(AccountId.Parse(account.Value.ToUpperInvariant()), "opt-outs/+15552017001"));
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("state").GetString(), Is.EqualTo("OptedOut"));
            Assert.That(read.GetProperty("optOutMessage").GetString(), Is.EqualTo("Bye."));
            Assert.That(read.GetProperty("defaultCountryCode").GetString(), Is.EqualTo("44"));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the same letters in upper case are another account");
        });
    }

    [Test]
    public async Task Should_take_an_account_that_is_a_number()
    {
        using var client = Client();
        var account = AccountId.Parse(Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552017002" }));
        await Expect(post, HttpStatusCode.OK);

        using var get = await client.GetAsync(Url(account, "opt-outs/+15552017002"));
        await Expect(get, HttpStatusCode.OK);
    }

    [TestCase("a%20b", "a character it can't have")]
    [TestCase("acme%2Fcampaigns", "a character it can't have")]
    [TestCase("toolong", "65 characters")]
    public async Task Should_answer_400_with_the_rule_for_a_path_whose_account_is_not_an_id(string account, string reason)
    {
        using var client = Client();
        var path = account == "toolong" ? new string('a', 65) : account;
        using var response = await client.GetAsync(new Uri($"/api/accounts/{path}/settings", UriKind.Relative));
        var problem = await Expect(response, HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Invalid account id"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(reason).And.Contain(AccountId.Rule));
        });
    }

    [Test]
    public async Task Should_compare_a_keys_accounts_exactly()
    {
        using var client = Client(LimitedKey);
        using var own = await client.GetAsync(Url(LimitedAccount, "settings"));
        using var upper = await client.GetAsync(Url(AccountId.Parse(LimitedAccount.Value.ToUpperInvariant()), "settings"));
        Assert.Multiple(() =>
        {
            Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(upper.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a key names its accounts exactly");
        });
    }
}
