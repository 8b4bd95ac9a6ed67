using System.Net;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_the_admin_api_is_called_without_access : AdminApiSpecification
{
    [Test]
    public async Task Should_answer_401_without_a_key()
    {
        using var client = Client(key: null);
        using var response = await client.GetAsync(Url(Guid.NewGuid(), "settings"));
        var problem = await Expect(response, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("API key required"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("X-Api-Key"));
    }

    [Test]
    public async Task Should_answer_401_with_an_unknown_key()
    {
        using var client = Client("not-a-key");
        using var response = await client.PostAsync(Url(Guid.NewGuid(), "opt-outs"), Json(new { phones = "+15552011234" }));
        await Expect(response, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Should_answer_403_for_an_account_the_key_may_not_touch()
    {
        using var client = Client(LimitedKey);
        var other = Guid.NewGuid();
        using var response = await client.GetAsync(Url(other, "opt-outs/+15552011234"));
        var problem = await Expect(response, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(other.ToString()));

        using var upload = await client.PostAsync(Url(other, "bulk-uploads"), CsvUpload("phone\n+15552011234\n", dryRun: false));
        await Expect(upload, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Should_let_a_limited_key_use_its_own_account()
    {
        using var client = Client(LimitedKey);
        using var response = await client.GetAsync(Url(LimitedAccount, "settings"));
        await Expect(response, HttpStatusCode.OK);
    }
}
