using System.Text;
using OptOut.Core.Bulk;
using static OptOut.Core.Tests.Bulk.CsvInput;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_an_uploaded_csv_has_no_phone_column
{
    [Test]
    public void Should_name_the_columns_it_found()
    {
        var (reason, _) = Unusable(Bytes("name,mobile,email\nAnn,5552011234,ann@example.com\n"));

        Assert.That(reason, Is.EqualTo("no 'phone' column: the header has 'name', 'mobile', 'email'"));
    }

    [Test]
    public void Should_name_trimmed_columns_without_the_bom()
    {
        var (reason, _) = Unusable(Concat(Utf8Bom, Bytes(" Name ,\"Phone number\"\r\n")));

        Assert.That(reason, Is.EqualTo("no 'phone' column: the header has 'Name', 'Phone number'"));
    }

    [Test]
    public void Should_name_only_the_first_columns_of_a_wide_header()
    {
        var header = string.Join(',', Enumerable.Range(1, 25).Select(i => $"c{i}")) + "," + new string('x', 100);

        var (reason, _) = Unusable(Bytes(header + "\n1\n"));

        Assert.That(reason, Is.EqualTo("no 'phone' column: the header has 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10' and 16 more"));
    }

    [Test]
    public void Should_say_the_first_row_looks_like_data_without_showing_the_number()
    {
        var (reason, _) = Unusable(Bytes("+15552011234,Ann\n+15552019876,Bob\n"));

        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo("no 'phone' column: the header has '********1234', 'Ann'; the first row looks like data: add a header row with a 'phone' column"));
            Assert.That(reason, Does.Not.Contain("5552011234"), "numbers never appear whole where they may be logged");
        });
    }

    [TestCase("name;phone;email\nAnn;5552011234;a@x\n", "'name;phone;email'; the columns seem to be separated by ';': save the file with commas")]
    [TestCase("name\tphone\nAnn\t5552011234\n", "'name\tphone'; the columns seem to be separated by tabs: save the file with commas")]
    public void Should_hint_at_another_separator(string text, string expected)
    {
        var (reason, _) = Unusable(Bytes(text));

        Assert.That(reason, Is.EqualTo("no 'phone' column: the header has " + expected));
    }
}

[TestFixture]
public class When_an_uploaded_csv_is_empty
{
    [TestCase(new byte[0], TestName = "Should_reject_a_file_of_zero_bytes")]
    [TestCase(new byte[] { 0xEF, 0xBB, 0xBF }, TestName = "Should_reject_a_file_of_only_a_bom")]
    [TestCase(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)'\n', (byte)'\n' }, TestName = "Should_reject_a_file_of_only_blank_lines")]
    [TestCase(new byte[] { 0xFF, 0xFE }, TestName = "Should_reject_a_utf16_file_of_only_a_bom")]
    public void Should_say_the_file_is_empty(byte[] bytes)
    {
        var (reason, _) = Unusable(bytes);

        Assert.That(reason, Is.EqualTo("the file is empty"));
    }
}

[TestFixture]
public class When_an_uploaded_file_is_not_text
{
    private const string NotText = "the file is not text (it looks like a binary file, e.g. a spreadsheet saved as .xlsx): save it as CSV";

    // The first bytes of a real .xlsx: a zip local file header for [Content_Types].xml, then deflated data.
    private static readonly byte[] Xlsx = Concat(
        [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x62, 0xEE, 0x9D, 0x68, 0x5E, 0x01, 0x00, 0x00, 0x90, 0x04, 0x00, 0x00, 0x13, 0x00, 0x08, 0x02],
        Bytes("[Content_Types].xml"),
        [0xA2, 0x04, 0x02, 0x28, 0xA0, 0x00, 0x02, 0x00, 0x00, 0x00]);

    // The first bytes of an old .xls (an OLE compound file).
    private static readonly byte[] Xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00, 0x00, 0x00, 0x00];

    [Test]
    public void Should_reject_a_spreadsheet_saved_as_xlsx()
    {
        Assert.That(Unusable(Xlsx).Reason, Is.EqualTo(NotText));
    }

    [Test]
    public void Should_reject_an_xls_file()
    {
        Assert.That(Unusable(Xls).Reason, Is.EqualTo(NotText));
    }

    [Test]
    public void Should_reject_it_from_the_first_chunk_without_reading_the_rest()
    {
        // 50 MB of zip with no line break for the CSV parser to stop at: rejected on its first bytes, not as a long row.
        var stream = new RepeatingStream(Xlsx, Xlsx, 50_000_000 / Xlsx.Length);

        var error = Assert.Throws<BulkFileException>(() => CsvPhoneReader.Validate(stream, new BulkFileLimits()));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Is.EqualTo(NotText));
            Assert.That(stream.BytesRead, Is.LessThanOrEqualTo(1024 * 1024));
        });
    }

    [Test]
    public void Should_reject_a_nul_byte_anywhere_in_the_file()
    {
        var rows = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"555201{i:D4}\n"));

        var (reason, before) = Unusable(Concat(Bytes("phone\n" + rows), Bytes("5552011234"), [0x00], Bytes("\n5552019876\n")));

        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(NotText));
            Assert.That(before, Has.Count.LessThan(20_000), "the check runs on each chunk before the parser sees it");
        });
    }

    [TestCase(0x01)]
    [TestCase(0x08)]
    [TestCase(0x1B)]
    [TestCase(0x1F)]
    public void Should_reject_control_characters_no_text_file_has(int control)
    {
        Assert.That(Unusable(Concat(Bytes("phone\n555"), [(byte)control], Bytes("2011234\n"))).Reason, Is.EqualTo(NotText));
    }

    [Test]
    public void Should_accept_the_control_characters_text_uses()
    {
        Assert.That(ReadAll(Bytes("phone,notes\n5552011234,\"a\vb\fc\"\n")), Has.Count.EqualTo(1));
    }

    [Test]
    public void Should_reject_a_utf16_file_with_a_nul_character()
    {
        var bytes = Concat(Encoding.Unicode.GetPreamble(), Encoding.Unicode.GetBytes("phone\n555\u00002011234\n"));

        Assert.That(Unusable(bytes, chunkSize: 3).Reason, Is.EqualTo(NotText));
    }

    [Test]
    public void Should_reject_a_utf16_file_cut_in_the_middle_of_a_character()
    {
        var bytes = Concat(Encoding.Unicode.GetPreamble(), Encoding.Unicode.GetBytes("phone\n5552011234\n"), [0x35]);

        Assert.That(Unusable(bytes).Reason, Is.EqualTo(NotText));
    }
}

[TestFixture]
public class When_an_uploaded_csv_has_a_row_longer_than_the_limit
{
    private const string TooLong = "is longer than 64 KB (check it for a quote that is never closed)";

    private static string ShortRows(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"Contact {i},555201{i % 10_000:D4}\n"));

    [Test]
    public void Should_reject_a_70_kb_row_naming_its_row()
    {
        var (reason, before) = Unusable(Bytes("name,phone\nAnn,5552011234\n" + new string('x', 70 * 1024) + ",5552019876\nBob,5552010000\n"));

        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo("row 2 " + TooLong));
            Assert.That(before, Is.EqualTo(new[] { new PhoneCell(1, "5552011234") }));
        });
    }

    [TestCase(0)]
    [TestCase(1_000)]
    [TestCase(3_000)]
    [TestCase(7_777)]
    public void Should_reject_it_wherever_it_falls_in_the_read_buffer(int rowsBefore)
    {
        var (reason, _) = Unusable(Bytes("name,phone\n" + ShortRows(rowsBefore) + "Ann," + new string('1', 70 * 1024) + "\nBob,5552010000\n"));

        Assert.That(reason, Is.EqualTo($"row {rowsBefore + 1:N0} " + TooLong));
    }

    [TestCase(0)]
    [TestCase(1_000)]
    [TestCase(3_000)]
    [TestCase(7_777)]
    public void Should_accept_a_row_of_exactly_the_limit_and_reject_one_byte_more(int rowsBefore)
    {
        foreach (var newline in new[] { "\n", "\r\n" })
        {
            string File(int rowLength) => "name,phone" + newline + ShortRows(rowsBefore).Replace("\n", newline, StringComparison.Ordinal)
                + new string('x', rowLength - 11) + ",5552011234" + newline + "Bob,5552010000" + newline;

            Assert.That(ReadAll(Bytes(File(64 * 1024))), Has.Count.EqualTo(rowsBefore + 2), $"exactly 64 KB, newline {newline.Length}");
            Assert.That(Unusable(Bytes(File(64 * 1024 + 1))).Reason, Is.EqualTo($"row {rowsBefore + 1:N0} " + TooLong), $"64 KB + 1, newline {newline.Length}");
        }
    }

    [Test]
    public void Should_count_the_limit_in_bytes_not_characters()
    {
        var limits = new BulkFileLimits { MaxRowBytes = 1000 };
        var row = new string('é', 400) + ",5552011234"; // 400 characters, 800 bytes: under the limit
        var longer = new string('é', 500) + ",5552011234"; // 500 characters, 1,000 bytes + the number: over it

        Assert.Multiple(() =>
        {
            Assert.That(ReadAll(Bytes($"name,phone\n{row}\n"), limits), Has.Count.EqualTo(1));
            Assert.That(Unusable(Bytes($"name,phone\n{longer}\n"), limits).Reason, Does.StartWith("row 1 is longer than 1,000 bytes"));
        });
    }

    [Test]
    public void Should_stop_at_a_quote_that_is_never_closed_without_reading_the_rest()
    {
        // A stray quote opens a field that swallows the rest of a 50 MB file: it fails at 64 KB, having buffered little.
        var stream = new RepeatingStream(Bytes("name,phone\nAnn,\"5552011234\n"), Bytes("Bob,5552019876\n"), 50_000_000 / 15);

        var error = Assert.Throws<BulkFileException>(() => CsvPhoneReader.Validate(stream, new BulkFileLimits()));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Is.EqualTo("row 1 " + TooLong));
            Assert.That(stream.BytesRead, Is.LessThanOrEqualTo(1024 * 1024));
        });
    }

    [Test]
    public void Should_name_the_header_when_it_is_the_long_row()
    {
        Assert.That(Unusable(Bytes(new string('h', 70 * 1024) + ",phone\n5552011234\n")).Reason, Is.EqualTo("the header row " + TooLong));
    }
}

[TestFixture]
public class When_an_uploaded_csv_has_more_rows_than_the_limit
{
    private static readonly BulkFileLimits FiveRows = new() { MaxRows = 5 };

    [Test]
    public void Should_reject_six_rows_when_the_limit_is_five()
    {
        var (reason, before) = Unusable(Bytes("phone\n1\n2\n3\n4\n5\n6\n"), FiveRows);

        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo("the file has more than 5 rows; the limit is 5 rows per upload: split it into smaller files"));
            Assert.That(before, Has.Count.EqualTo(5));
        });
    }

    [Test]
    public void Should_accept_exactly_the_limit_not_counting_blank_lines()
    {
        Assert.That(ReadAll(Bytes("phone\n1\n2\n\n3\n  \n4\n5\n\n"), FiveRows), Has.Count.EqualTo(5));
    }

    [Test]
    public void Should_word_the_default_limit_of_ten_million_for_a_person()
    {
        // 10,000,001 rows made on the fly (20 MB that is never held in memory).
        var stream = new RepeatingStream(Bytes("phone\n"), Bytes("1\n"), 10_000_001);

        var error = Assert.Throws<BulkFileException>(() => CsvPhoneReader.Validate(stream, new BulkFileLimits()));

        Assert.That(error!.Message, Is.EqualTo("the file has more than 10,000,000 rows; the limit is 10,000,000 rows per upload: split it into smaller files"));
    }

    [Test]
    public void Should_say_row_for_a_limit_of_one()
    {
        Assert.That(Unusable(Bytes("phone\n1\n2\n"), new BulkFileLimits { MaxRows = 1 }).Reason,
            Is.EqualTo("the file has more than 1 row; the limit is 1 row per upload: split it into smaller files"));
    }
}
