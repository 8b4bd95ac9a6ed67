using OptOut.Core;

namespace OptOut.Core.Tests;

[TestFixture]
public class When_normalizing_phone_numbers
{
    [TestCase("(555) 201-1234", 1, "+15552011234")]
    [TestCase("555.201.1234", 1, "+15552011234")]
    [TestCase("1-555-201-1234", 1, "+15552011234")]
    [TestCase("+1 555 201 1234", 1, "+15552011234")]
    [TestCase("5552011234", 1, "+15552011234")]
    [TestCase("  (201) 555-0123\t", 1, "+12015550123")]
    [TestCase("tel:+1-201-555-0123", 1, "+12015550123")]
    [TestCase("020 7946 0958", 44, "+442079460958")]
    [TestCase("07700 900123", 44, "+447700900123")]
    [TestCase("+44 20 7946 0958", 1, "+442079460958")]
    [TestCase("+1 201 555 0123", 44, "+12015550123")]
    [TestCase("011 44 20 7946 0958", 1, "+442079460958")]
    [TestCase("1-800-FLOWERS", 1, "+18003569377")]
    [TestCase("１２０１５５５０１２３", 1, "+12015550123")]
    [TestCase("٠٢٠ ٧٩٤٦ ٠٩٥٨", 44, "+442079460958")]
    [TestCase("1234 5678", 800, "+80012345678")]
    public void Should_give_the_number_in_e164(string input, int defaultCallingCode, string expected)
    {
        var result = PhoneNumberParser.Parse(input, defaultCallingCode);

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.True, result.Error);
            Assert.That(result.Number!.E164, Is.EqualTo(expected));
            Assert.That(result.Error, Is.Null);
        });
    }

    // 555 is not an assigned US area code: possible, not valid. Compliance first: accepted, flagged by IsValid.
    [TestCase("(555) 201-1234", 1, false)]
    [TestCase("+1 555 201 1234", 1, false)]
    [TestCase("(201) 555-0123", 1, true)]
    [TestCase("1-800-FLOWERS", 1, true)]
    [TestCase("020 7946 0958", 44, true)]
    // Ofcom's drama range: the right shape, never assigned.
    [TestCase("07700 900123", 44, false)]
    public void Should_accept_possible_numbers_and_say_whether_they_are_valid(string input, int defaultCallingCode, bool isValid)
    {
        var result = PhoneNumberParser.Parse(input, defaultCallingCode);

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.True, result.Error);
            Assert.That(result.Number!.IsValid, Is.EqualTo(isValid));
        });
    }

    [Test]
    public void Should_ignore_whitespace_around_the_number_when_counting_its_length()
    {
        var result = PhoneNumberParser.Parse(new string(' ', 300) + "201-555-0123" + new string('\n', 300), 1);

        Assert.That(result.Number?.E164, Is.EqualTo("+12015550123"), result.Error);
    }

    [Test]
    public void Should_mask_the_number_when_printed()
    {
        var number = PhoneNumberParser.Parse("201-555-0123", 1).Number!;

        Assert.Multiple(() =>
        {
            Assert.That(number.ToString(), Is.EqualTo("********0123"));
            Assert.That(number.Masked, Does.Not.Contain("201555"));
        });
    }

    [Test]
    public void Should_mask_numbers_quoted_in_free_text_and_keep_short_figures()
    {
        var message = "E11000 duplicate key error collection: optout.opt_outs dup key: { accountId: 42, phone: \"+15552011234\" } after 3 tries, port 27017; 2015550123";

        Assert.That(PhoneMask.MaskNumbersIn(message), Is.EqualTo(
            "E11000 duplicate key error collection: optout.opt_outs dup key: { accountId: 42, phone: \"********1234\" } after 3 tries, port 27017; ******0123"));
    }

    [Test]
    public void Should_leave_ids_whole_even_where_they_have_seven_digits_in_a_row()
    {
        var message = "account 12345678-9abc-4def-8123-456789012345, message 0123456789abcdef0123456789abcdef: opted out +15552011234";

        Assert.That(PhoneMask.MaskNumbersIn(message), Is.EqualTo(
            "account 12345678-9abc-4def-8123-456789012345, message 0123456789abcdef0123456789abcdef: opted out ********1234"));
    }
}

[TestFixture]
public class When_phone_numbers_are_not_acceptable
{
    [TestCase("201-1234", 1, "'201-1234' is a local number without an area code")]
    [TestCase("12345", 1, "'12345' is too short to be a phone number")]
    [TestCase("12", 1, "'12' is too short to be a phone number")]
    [TestCase("abc", 1, "'abc' is not a phone number")]
    [TestCase("1", 1, "'1' is not a phone number")]
    [TestCase("--", 1, "'--' is not a phone number")]
    [TestCase("+", 1, "'+' is not a phone number")]
    [TestCase("", 1, "the phone number is empty")]
    [TestCase("   ", 1, "the phone number is empty")]
    [TestCase("\r\n\t", 1, "the phone number is empty")]
    [TestCase(null, 1, "the phone number is empty")]
    [TestCase("+999 1234567", 1, "'+999 1234567' does not start with a known country calling code")]
    [TestCase("+0 123 456 7890", 1, "'+0 123 456 7890' does not start with a known country calling code")]
    [TestCase("555 201 12345", 1, "'555 201 12345' is too long to be a phone number")]
    [TestCase("+1 555 201 1234 5678 9999", 1, "'+1 555 201 1234 5678 9999' is too long to be a phone number")]
    [TestCase("call 555-201-1234 now", 1, "'call 555-201-1234 now' is too long to be a phone number")]
    [TestCase("5552011234", 999, "'5552011234' has no country code and the default country code 999 is not a country calling code")]
    [TestCase("5552011234", 0, "'5552011234' has no country code and the default country code 0 is not a country calling code")]
    public void Should_reject_it_with_a_reason(string? input, int defaultCallingCode, string reason)
    {
        var result = PhoneNumberParser.Parse(input, defaultCallingCode);

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.False);
            Assert.That(result.Number, Is.Null);
            Assert.That(result.Error, Is.EqualTo(reason));
        });
    }

    [Test]
    public void Should_reject_input_longer_than_64_characters_without_quoting_it()
    {
        var input = "+1 201 555 0123" + new string('0', 50);

        var result = PhoneNumberParser.Parse(input, 1);

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.False);
            Assert.That(result.Error, Is.EqualTo(
                "the phone number is 65 characters long; at most 64 are accepted, so it is too long to be a phone number"));
        });
    }

    [Test]
    public void Should_leave_64_characters_to_libphonenumber()
    {
        var input = "+1 (201) 555-0123".PadRight(64, ' ') + "x";

        var result = PhoneNumberParser.Parse(input[..64], 1);

        Assert.That(result.Number?.E164, Is.EqualTo("+12015550123"), result.Error);
    }

    [TestCase("\0")]
    [TestCase("++")]
    [TestCase("+-")]
    [TestCase("+1")]
    [TestCase("\ud800")]
    [TestCase("+1 201 555 \udc00 0123")]
    [TestCase("ａｂｃ")]
    [TestCase("tel:")]
    [TestCase(";ext=5")]
    [TestCase("201 555 0123;ext=")]
    [TestCase("0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++")]
    [TestCase("🛑🛑🛑")]
    [TestCase("$1,234.56")]
    [TestCase("2015550123 2015550124")]
    public void Should_never_throw(string input)
    {
        PhoneParseResult? result = null;

        Assert.DoesNotThrow(() => result = PhoneNumberParser.Parse(input, 1));
        Assert.That(result!.Success || !string.IsNullOrEmpty(result.Error), Is.True);
    }
}

/// <summary>
/// <see cref="PhoneNumberParser.Check"/> (the sender of an ordinary reply) must accept and reject exactly what
/// <see cref="PhoneNumberParser.Parse"/> does, with the same reason: every input of the specs above, and more.
/// </summary>
[TestFixture]
public class When_only_checking_a_phone_number
{
    private static readonly (string? Input, int CallingCode)[] Inputs =
    [
        ("(555) 201-1234", 1), ("555.201.1234", 1), ("1-555-201-1234", 1), ("+1 555 201 1234", 1), ("5552011234", 1),
        ("  (201) 555-0123\t", 1), ("tel:+1-201-555-0123", 1), ("020 7946 0958", 44), ("07700 900123", 44),
        ("+44 20 7946 0958", 1), ("+1 201 555 0123", 44), ("011 44 20 7946 0958", 1), ("1-800-FLOWERS", 1),
        ("１２０１５５５０１２３", 1), ("٠٢٠ ٧٩٤٦ ٠٩٥٨", 44), ("1234 5678", 800), ("+12122000000", 1), ("+16173000000", 1),
        ("201-1234", 1), ("12345", 1), ("12", 1), ("abc", 1), ("1", 1), ("--", 1), ("+", 1), ("", 1), ("   ", 1),
        ("\r\n\t", 1), (null, 1), ("+999 1234567", 1), ("+0 123 456 7890", 1), ("555 201 12345", 1),
        ("+1 555 201 1234 5678 9999", 1), ("call 555-201-1234 now", 1), ("5552011234", 999), ("5552011234", 0),
        ("+1 201 555 0123" + new string('0', 50), 1), ("+1 (201) 555-0123".PadRight(64, ' '), 1), ("\0", 1), ("++", 1),
        ("+-", 1), ("+1", 1), ("\ud800", 1), ("+1 201 555 \udc00 0123", 1), ("ａｂｃ", 1), ("tel:", 1), (";ext=5", 1),
        ("201 555 0123;ext=", 1), ("🛑🛑🛑", 1), ("$1,234.56", 1), ("2015550123 2015550124", 1), ("555-2012", 44),
        ("+44 7700 900123", 1), ("0800 123 4567", 44), ("+800 1234 5678", 1),
    ];

    [Test]
    public void Should_reject_exactly_what_parsing_rejects_with_the_same_reason()
    {
        Assert.Multiple(() =>
        {
            foreach (var (input, callingCode) in Inputs)
                Assert.That(PhoneNumberParser.Check(input, callingCode), Is.EqualTo(PhoneNumberParser.Parse(input, callingCode).Error), $"'{input}' with +{callingCode}");
        });
    }

    [Test]
    public void Should_cover_both_outcomes()
    {
        var accepted = Inputs.Count(i => PhoneNumberParser.Check(i.Input, i.CallingCode) is null);

        Assert.That(accepted, Is.InRange(10, Inputs.Length - 10));
    }
}

[TestFixture]
public class When_checking_calling_codes
{
    [TestCase(1, true)]
    [TestCase(44, true)]
    [TestCase(353, true)]
    [TestCase(800, true)]
    [TestCase(999, false)]
    [TestCase(0, false)]
    [TestCase(-1, false)]
    [TestCase(1000, false)]
    public void Should_know_only_libphonenumbers_calling_codes(int callingCode, bool known)
    {
        Assert.That(PhoneNumberParser.IsKnownCallingCode(callingCode), Is.EqualTo(known));
    }
}

[TestFixture]
public class When_splitting_a_typed_list_of_numbers
{
    [Test]
    public void Should_split_on_commas_semicolons_and_line_breaks_in_order()
    {
        var numbers = PhoneNumberParser.SplitList(["201-555-0123, 201-555-0124;201-555-0125\r\n201-555-0126\n201-555-0127\r201-555-0128"]);

        Assert.That(numbers, Is.EqualTo(new[]
        {
            "201-555-0123", "201-555-0124", "201-555-0125", "201-555-0126", "201-555-0127", "201-555-0128",
        }));
    }

    [Test]
    public void Should_keep_the_order_across_elements()
    {
        var numbers = PhoneNumberParser.SplitList(["c", "a, b", "d"]);

        Assert.That(numbers, Is.EqualTo(new[] { "c", "a", "b", "d" }));
    }

    [Test]
    public void Should_trim_and_drop_blank_entries()
    {
        var numbers = PhoneNumberParser.SplitList([null, "", "  ", " ,, ; \r\n", "  (201) 555-0123  ,", ",+44 20 7946 0958"]);

        Assert.That(numbers, Is.EqualTo(new[] { "(201) 555-0123", "+44 20 7946 0958" }));
    }

    [Test]
    public void Should_keep_duplicates_for_the_caller_to_report()
    {
        var numbers = PhoneNumberParser.SplitList(["201-555-0123,201-555-0123"]);

        Assert.That(numbers, Has.Count.EqualTo(2));
    }

    [Test]
    public void Should_keep_an_entry_that_is_not_a_number_so_it_can_be_rejected_with_a_reason()
    {
        var numbers = PhoneNumberParser.SplitList(["201-555-0123, abc"]);

        Assert.That(numbers, Is.EqualTo(new[] { "201-555-0123", "abc" }));
    }

    [Test]
    public void Should_give_nothing_for_nothing()
    {
        Assert.That(PhoneNumberParser.SplitList([]), Is.Empty);
    }
}
