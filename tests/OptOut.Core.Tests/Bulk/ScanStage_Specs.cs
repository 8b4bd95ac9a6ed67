using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_scan_stage_reads_a_file
{
    // Rows: 1 valid, 2 flagged, 3 rejected, 4 a repeat of row 1 in another format, 5 valid (sorts before row 1's), 6 a repeat of row 2.
    private const string Csv = "phone\n(201) 200-0009\n+1 555 201 1234\nabc\n+1 201 200 0009\n2012000001\n15552011234\n";

    private ScanResult _scan = null!;

    [OneTimeSetUp]
    public async Task Scan() => _scan = await new StageFixture().Scan(Csv);

    [Test]
    public void Should_keep_the_distinct_numbers_valid_ones_first_each_in_phone_order() =>
        Assert.That(_scan.Numbers.Select(n => (n.ToPhone().E164, n.IsFlagged)),
            Is.EqualTo(new[] { ("+12012000001", false), ("+12012000009", false), ("+15552011234", true) }));

    [Test]
    public void Should_point_each_number_s_first_row_at_its_place_and_each_repeat_at_its_number()
    {
        var rows = _scan.RowKeys;
        Assert.Multiple(() =>
        {
            Assert.That(_scan.Rows, Is.EqualTo(6));
            Assert.That(rows.Select(r => r.IsFirstRow), Is.EqualTo(new[] { true, true, false, false, true, false }));
            Assert.That(_scan.Numbers[rows[0].Place].ToPhone().E164, Is.EqualTo("+12012000009"));
            Assert.That(_scan.Numbers[rows[1].Place].ToPhone().E164, Is.EqualTo("+15552011234"));
            Assert.That(_scan.Numbers[rows[4].Place].ToPhone().E164, Is.EqualTo("+12012000001"));
            Assert.That(rows[2].IsRejected, Is.True);
            Assert.That(rows[3].IsDuplicate && rows[3].DuplicateNumber.Digits == 12012000009UL, Is.True);
            Assert.That(rows[5].IsDuplicate && rows[5].DuplicateNumber.IsFlagged, Is.True);
        });
    }

    [Test]
    public void Should_count_what_reading_alone_can_tell() =>
        Assert.That(_scan.Counts, Is.EqualTo(new BulkUploadCounts { InvalidRows = 1, DuplicateRows = 2, FlaggedRows = 1 }));

    [Test]
    public void Should_keep_each_rejected_row_with_its_reason() =>
        Assert.That(_scan.Rejected.Select(r => (r.Row, r.Value, r.Reason)),
            Is.EqualTo(new[] { (3L, "abc", PhoneNumberParser.Parse("abc", 1).Error) }));
}

[TestFixture]
public class When_the_scan_stage_reads_a_file_with_many_rejected_rows
{
    [Test]
    public async Task Should_keep_the_first_thousand_inline_cut_to_a_hundred_characters()
    {
        var csv = "phone\n" + string.Join('\n', Enumerable.Range(0, 1_500).Select(i => $"x{i}" + new string('y', 150)));

        var scan = await new StageFixture().Scan(csv);

        Assert.Multiple(() =>
        {
            Assert.That(scan.Counts.InvalidRows, Is.EqualTo(1_500));
            Assert.That(scan.Rejected, Has.Count.EqualTo(BulkUploadState.MaxRejectedRowsInline));
            Assert.That(scan.Rejected.Select(r => r.Row), Is.EqualTo(Enumerable.Range(1, 1_000).Select(i => (long)i)), "in file order");
            Assert.That(scan.Rejected.Select(r => r.Value.Length), Has.All.EqualTo(ReportLine.MaxValueLength));
        });
    }
}

[TestFixture]
public class When_the_scan_stage_reads_a_file_on_several_threads
{
    [Test]
    public async Task Should_find_exactly_what_one_thread_finds()
    {
        var file = When_reporting_an_upload.LargeFile();

        var one = await new StageFixture(parseThreads: 1).Scan(file);
        var two = await new StageFixture(parseThreads: 2).Scan(file);

        Assert.Multiple(() =>
        {
            Assert.That(two.RowKeys.Select(r => (r.IsRejected, r.IsDuplicate, r.Place)), Is.EqualTo(one.RowKeys.Select(r => (r.IsRejected, r.IsDuplicate, r.Place))));
            Assert.That(two.Numbers.Select(n => n.Packed), Is.EqualTo(one.Numbers.Select(n => n.Packed)));
            Assert.That(two.Counts, Is.EqualTo(one.Counts));
            Assert.That(two.Rejected.Select(r => (r.Row, r.Reason)), Is.EqualTo(one.Rejected.Select(r => (r.Row, r.Reason))));
        });
    }
}

[TestFixture]
public class When_the_scan_stage_reads_an_unusable_file
{
    [Test]
    public void Should_fail_with_the_reason() =>
        Assert.That(Assert.ThrowsAsync<BulkFileException>(() => new StageFixture().Scan("name,mobile\nann,5552011234\n"))!.Message,
            Does.Contain("phone").And.Contain("mobile"));
}
