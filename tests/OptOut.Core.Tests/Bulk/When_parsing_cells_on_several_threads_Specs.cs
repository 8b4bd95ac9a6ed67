using System.Runtime.Loader;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_parsing_cells_on_several_threads
{
    // Valid, flagged (possible but not valid), other countries, vanity letters, non-ASCII digits, and every kind of rejection.
    private static readonly (string? Input, int CallingCode)[] Cells =
    [
        ("(201) 555-0123", 1), ("555.201.1234", 1), ("1-555-201-1234", 1), ("+1 555 201 1234", 1), ("1-800-FLOWERS", 1),
        ("020 7946 0958", 44), ("07700 900123", 44), ("+44 20 7946 0958", 1), ("１２０１５５５０１２３", 1), ("٠٢٠ ٧٩٤٦ ٠٩٥٨", 44),
        ("1234 5678", 800), ("201-1234", 1), ("12345", 1), ("abc", 1), ("", 1), (null, 1), ("   ", 1), (new string('9', 65), 1),
        ("+999 1234 5678", 1), ("2015550123", 999), ("+1 201 555 01234567", 1), ("ｅｍｏｊｉ 😀", 1),
    ];

    [Test]
    public void Should_give_every_thread_after_the_first_a_libphonenumber_of_its_own()
    {
        var first = CellParser.For(0);
        var second = CellParser.For(1);
        var third = CellParser.For(2);

        Assert.Multiple(() =>
        {
            Assert.That(CellParser.IsCopy(first), Is.False, "the first thread uses the service's own parser");
            Assert.That(CellParser.IsCopy(second) && CellParser.IsCopy(third), Is.True, "the other threads use copies");
            Assert.That(AssemblyLoadContext.GetLoadContext(second.Method.Module.Assembly),
                Is.Not.SameAs(AssemblyLoadContext.GetLoadContext(third.Method.Module.Assembly)), "one copy per thread");
            Assert.That(CellParser.For(1), Is.SameAs(second), "a thread's copy is loaded once and kept");
        });
    }

    [Test]
    public void Should_give_the_same_key_and_reason_in_every_copy_as_the_parser_of_the_service()
    {
        var copies = Enumerable.Range(0, 3).Select(CellParser.For).ToList();

        Assert.Multiple(() =>
        {
            foreach (var (input, callingCode) in Cells)
            {
                var expected = PhoneNumberParser.Parse(input, callingCode);
                var expectedKey = expected.Number is { } phone
                    ? long.Parse(phone.E164.AsSpan(1)) | (phone.IsValid ? 0 : CellParser.FlaggedBit)
                    : CellParser.Rejected;
                for (var worker = 0; worker < copies.Count; worker++)
                {
                    var key = copies[worker](input, callingCode, out var error);
                    Assert.That((key, error), Is.EqualTo((expectedKey, expected.Error)), $"'{input}' (+{callingCode}) on thread {worker}");
                }
            }
        });
    }

    [Test]
    public async Task Should_parse_the_same_on_threads_running_at_once()
    {
        var cells = Enumerable.Range(0, 20_000).Select(i => i % 10 == 0 ? $"{i}" : $"({201 + i % 700}) {200 + i % 800:D3}-{i % 10_000:D4}").ToArray();
        var expected = cells.Select(c => CellParser.For(0)(c, 1, out _)).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(worker => Task.Run(() =>
            cells.Select(c => CellParser.For(worker)(c, 1, out _)).ToArray())));

        Assert.That(results, Has.All.EqualTo(expected));
    }
}
