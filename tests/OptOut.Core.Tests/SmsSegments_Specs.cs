namespace OptOut.Core.Tests;

[TestFixture]
public class When_measuring_a_confirmation_message
{
    [TestCase("", "GSM-7", 0, 1)]
    [TestCase("Reply STOP to opt out", "GSM-7", 21, 1)]
    [TestCase("Price: 5€", "GSM-7", 10, 1)]
    [TestCase("Hi 😀", "UCS-2", 5, 1)]
    [TestCase("Grüße", "GSM-7", 5, 1)]
    [TestCase("Crème brûlée", "UCS-2", 12, 1)]
    public void Should_pick_the_encoding_and_count_its_units(string text, string encoding, int length, int segments)
    {
        Assert.That(SmsSegments.Measure(text), Is.EqualTo(new SmsLength(encoding, length, segments)));
    }

    [TestCase(160, 1)]
    [TestCase(161, 2)]
    [TestCase(306, 2)]
    [TestCase(307, 3)]
    public void Should_split_long_gsm_texts_into_153_septet_parts(int length, int segments)
    {
        Assert.That(SmsSegments.Measure(new string('a', length)).Segments, Is.EqualTo(segments));
    }

    [TestCase(70, 1)]
    [TestCase(71, 2)]
    [TestCase(134, 2)]
    [TestCase(135, 3)]
    public void Should_split_long_ucs2_texts_into_67_unit_parts(int length, int segments)
    {
        Assert.That(SmsSegments.Measure(new string('ж', length)).Segments, Is.EqualTo(segments));
    }
}
