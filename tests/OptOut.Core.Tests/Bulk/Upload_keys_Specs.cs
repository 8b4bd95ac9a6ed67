using System.Runtime.CompilerServices;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>The 8-byte keys the scan keeps per number and per row: named members over the packed value, nothing more.</summary>
[TestFixture]
public class When_packing_an_upload_s_numbers_and_rows
{
    [Test]
    public void Should_take_eight_bytes_each()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<CellKey>(), Is.EqualTo(8));
            Assert.That(Unsafe.SizeOf<NumberKey>(), Is.EqualTo(8));
            Assert.That(Unsafe.SizeOf<RowKey>(), Is.EqualTo(8));
            Assert.That(Unsafe.SizeOf<NumberOutcome>(), Is.EqualTo(1));
        });
    }

    [Test]
    public void Should_keep_a_valid_number_s_digits_unflagged()
    {
        var cell = new CellKey(CellKey.Parse("(201) 555-0123", 1, out var error));

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Null);
            Assert.That(cell.IsRejected, Is.False);
            Assert.That(cell.Number.Digits, Is.EqualTo(12015550123UL));
            Assert.That(cell.Number.IsFlagged, Is.False);
            Assert.That(cell.Number.ToPhone(), Is.EqualTo(PhoneNumber.FromStored("+12015550123", true)));
        });
    }

    [Test]
    public void Should_flag_a_possible_but_not_valid_number_and_keep_its_digits()
    {
        var cell = new CellKey(CellKey.Parse("+1 555 201 1234", 1, out _));

        Assert.Multiple(() =>
        {
            Assert.That(cell.Number.IsFlagged, Is.True);
            Assert.That(cell.Number.Digits, Is.EqualTo(15552011234UL));
            Assert.That(cell.Number.Packed, Is.EqualTo(15552011234UL | NumberKey.FlaggedBit));
            Assert.That(cell.Number.ToPhone(), Is.EqualTo(PhoneNumber.FromStored("+15552011234", false)));
        });
    }

    [Test]
    public void Should_reject_a_cell_that_is_not_a_number_with_the_parser_s_reason()
    {
        var packed = CellKey.Parse("abc", 1, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(packed, Is.EqualTo(CellKey.Rejected));
            Assert.That(new CellKey(packed).IsRejected, Is.True);
            Assert.That(error, Is.EqualTo(PhoneNumberParser.Parse("abc", 1).Error));
        });
    }

    [Test]
    public void Should_sort_the_valid_numbers_first_then_the_flagged_ones_each_in_phone_order()
    {
        var keys = new[] { "+1 555 201 1234", "+1 201 555 0199", "+1 555 201 0000", "+1 201 555 0123" }
            .Select(cell => new CellKey(CellKey.Parse(cell, 1, out _)).Number.Packed).Order()
            .Select(packed => new NumberKey(packed).ToPhone().E164);

        Assert.That(keys, Is.EqualTo(new[] { "+12015550123", "+12015550199", "+15552010000", "+15552011234" }));
    }

    [Test]
    public void Should_tell_a_rejected_row_a_repeat_and_a_first_row_apart()
    {
        var flagged = new CellKey(CellKey.Parse("+1 555 201 1234", 1, out _)).Number;
        var rejected = RowKey.Rejected;
        var repeat = RowKey.DuplicateOf(flagged);
        var first = RowKey.FirstRowAt(7);

        Assert.Multiple(() =>
        {
            Assert.That((rejected.IsRejected, rejected.IsDuplicate, rejected.IsFirstRow), Is.EqualTo((true, false, false)));
            Assert.That((repeat.IsRejected, repeat.IsDuplicate, repeat.IsFirstRow), Is.EqualTo((false, true, false)));
            Assert.That((first.IsRejected, first.IsDuplicate, first.IsFirstRow), Is.EqualTo((false, false, true)));
            Assert.That(repeat.DuplicateNumber.Packed, Is.EqualTo(flagged.Packed), "a repeat keeps its number, flag included");
            Assert.That(first.Place, Is.EqualTo(7));
            Assert.That(RowKey.FirstRowAt(0).IsFirstRow, Is.True);
        });
    }
}
