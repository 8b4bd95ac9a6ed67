using System.Text.Json;
using OptOut.Contracts;

namespace OptOut.Core.Tests;

/// <summary>
/// <see cref="AccountId"/>: the platform's own id, 1–64 characters of <c>A–Z a–z 0–9 . _ : @ -</c>, compared exactly;
/// on the wire a string or an integer in, always a string out.
/// </summary>
[TestFixture]
public class When_reading_an_account_id
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private sealed record Carrier(AccountId AccountId);

    [TestCase("acme-campaigns")]
    [TestCase("42")]
    [TestCase("AC9f3e0b1c2d")]
    [TestCase("user.name_1:eu@tenant-7")]
    [TestCase("6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11")]
    public void Should_take_the_id_as_it_is(string value)
    {
        var id = AccountId.Parse(value);
        Assert.That((id.Value, id.ToString(), id.IsEmpty), Is.EqualTo((value, value, false)));
    }

    [TestCase("", "accountId is empty")]
    [TestCase("a b", "at position 2")]
    [TestCase("acme/campaigns", "at position 5")]
    [TestCase("café", "at position 4")]
    public void Should_refuse_an_id_that_breaks_the_rule_and_say_why(string value, string reason)
    {
        Assert.That(AccountId.TryParse(value, out _, out var why), Is.False);
        Assert.That(why, Does.Contain(reason).And.Contain(AccountId.Rule));
        Assert.That(() => AccountId.Parse(value), Throws.TypeOf<FormatException>().With.Message.Contains(reason));
    }

    [Test]
    public void Should_take_64_characters_and_refuse_65()
    {
        Assert.That(AccountId.TryParse(new string('a', 64), out _, out _), Is.True);
        Assert.That(AccountId.TryParse(new string('a', 65), out _, out var why), Is.False);
        Assert.That(why, Does.Contain("65 characters"));
    }

    [Test]
    public void Should_compare_exactly()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(AccountId.Parse("Acme"), Is.Not.EqualTo(AccountId.Parse("acme")));
            Assert.That(AccountId.Parse("acme"), Is.EqualTo(AccountId.Parse("acme")));
            Assert.That(AccountId.Parse("Acme").CompareTo(AccountId.Parse("acme")), Is.LessThan(0), "ordinal: upper case first");
            Assert.That(new HashSet<AccountId> { AccountId.Parse("Acme"), AccountId.Parse("acme") }, Has.Count.EqualTo(2));
        }
    }

    [Test]
    public void Should_turn_a_guid_into_its_lowercase_string()
    {
        AccountId id = Guid.Parse("6F1C1F0E-2F5B-4A0E-9A53-1D3C1B1F0A11");
        Assert.That(id.Value, Is.EqualTo("6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11"));
    }

    [TestCase("""{"accountId":"acme-campaigns"}""", "acme-campaigns")]
    [TestCase("""{"accountId":42}""", "42")]
    [TestCase("""{"accountId":-7}""", "-7")]
    [TestCase("""{"accountId":"42"}""", "42")]
    public void Should_read_a_string_or_an_integer_and_write_a_string(string json, string expected)
    {
        var read = JsonSerializer.Deserialize<Carrier>(json, Web)!;
        Assert.That(read.AccountId.Value, Is.EqualTo(expected));
        Assert.That(JsonSerializer.Serialize(read, Web), Is.EqualTo($$"""{"accountId":"{{expected}}"}"""));
    }

    [Test]
    public void Should_read_a_missing_field_as_no_account()
    {
        Assert.That(JsonSerializer.Deserialize<Carrier>("{}", Web)!.AccountId.IsEmpty, Is.True);
    }

    [TestCase("""{"accountId":4.2}""", "not an integer")]
    [TestCase("""{"accountId":1e3}""", "not an integer")]
    [TestCase("""{"accountId":true}""", "accountId is a boolean")]
    [TestCase("""{"accountId":null}""", "accountId is null")]
    [TestCase("""{"accountId":{}}""", "accountId is an object")]
    [TestCase("""{"accountId":""}""", "accountId is empty")]
    [TestCase("""{"accountId":"a b"}""", "can't have")]
    public void Should_refuse_anything_else_naming_the_rule(string json, string reason)
    {
        Assert.That(() => JsonSerializer.Deserialize<Carrier>(json, Web),
            Throws.TypeOf<JsonException>().With.Message.Contains(reason).And.Message.Contains("accountId"));
    }
}
