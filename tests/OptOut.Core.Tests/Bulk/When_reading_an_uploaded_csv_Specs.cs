using System.Text;
using OptOut.Core.Bulk;
using static OptOut.Core.Tests.Bulk.CsvInput;

namespace OptOut.Core.Tests.Bulk;

// Each spec runs with the whole file in one read and trickled 1 and 7 bytes at a time, so quotes, line breaks, a BOM
// and multi-byte characters split across reads are covered.
[TestFixture(int.MaxValue)]
[TestFixture(1)]
[TestFixture(7)]
public class When_reading_an_uploaded_csv(int chunkSize)
{
    private List<PhoneCell> Read(string text, BulkFileLimits? limits = null) => ReadAll(Bytes(text), limits, chunkSize);

    private static PhoneCell Cell(long row, string value) => new(row, value);

    [Test]
    public void Should_read_the_phone_column_wherever_it_is()
    {
        var cells = Read("name,email,phone,notes\nAnn,ann@example.com,+15552011234,vip\nBob,bob@example.com,(555) 201-9876,\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "+15552011234"), Cell(2, "(555) 201-9876") }));
    }

    [Test]
    public void Should_keep_a_comma_inside_a_quoted_phone()
    {
        var cells = Read("phone,name\n\"+1 555, 201 1234\",\"Smith, Ann\"\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "+1 555, 201 1234") }));
    }

    [Test]
    public void Should_unquote_doubled_quotes_and_keep_line_breaks_inside_quotes()
    {
        var cells = Read("notes,phone\n\"said \"\"STOP\"\"\nthen left\",\"555 \"\"201\"\" 1234\"\n\"x\r\ny\",\"555\n2011234\"\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "555 \"201\" 1234"), Cell(2, "555\n2011234") }));
    }

    [Test]
    public void Should_read_crlf_line_endings()
    {
        var cells = Read("name,phone\r\nAnn,5552011234\r\nBob,5552019876\r\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "5552011234"), Cell(2, "5552019876") }));
    }

    [Test]
    public void Should_read_the_last_row_without_a_trailing_newline()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Read("phone\n5552011234\n5552019876"), Is.EqualTo(new[] { Cell(1, "5552011234"), Cell(2, "5552019876") }));
            Assert.That(Read("phone\r\n5552011234\r\n\"555,9876\""), Is.EqualTo(new[] { Cell(1, "5552011234"), Cell(2, "555,9876") }));
        });
    }

    [Test]
    public void Should_match_the_header_after_a_bom_and_whitespace_ignoring_case()
    {
        var cells = ReadAll(Concat(Utf8Bom, Bytes(" Phone ,name\r\n5552011234,Ann\r\n")), chunkSize: chunkSize);

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "5552011234") }));
    }

    [TestCase("PHONE")]
    [TestCase("\"phone\"")]
    [TestCase("\" phone\t\"")]
    [TestCase("\t phone")]
    [TestCase("\uFEFFphone")]
    [TestCase("\u00A0Phone\u00A0")]
    public void Should_match_any_spelling_of_the_header(string header)
    {
        Assert.That(Read($"id,{header}\n1,5552011234\n"), Is.EqualTo(new[] { Cell(1, "5552011234") }));
    }

    [Test]
    public void Should_skip_blank_lines_without_numbering_them()
    {
        var cells = Read("\n\r\n  \nname,phone\n\nAnn,5552011234\n\r\n   \n\t\n \t \nBob,5552019876\n\n\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "5552011234"), Cell(2, "5552019876") }));
    }

    [Test]
    public void Should_read_a_row_of_only_commas_as_an_empty_phone_so_it_is_reported_not_dropped()
    {
        var cells = Read("name,phone,email\n,,\n , , \n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, ""), Cell(2, " ") }));
    }

    [Test]
    public void Should_read_a_row_that_ends_before_the_phone_column_as_an_empty_phone()
    {
        var cells = Read("name,email,phone\nAnn\nBob,bob@example.com\nCy,cy@example.com,5552011234,extra,columns\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, ""), Cell(2, ""), Cell(3, "5552011234") }));
    }

    [Test]
    public void Should_return_the_raw_cell_untrimmed()
    {
        var cells = Read("phone\n  +1 555 201 1234 \n\" 555.201.9876\t\"\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "  +1 555 201 1234 "), Cell(2, " 555.201.9876\t") }));
    }

    [Test]
    public void Should_read_the_first_of_two_phone_columns()
    {
        Assert.That(Read("phone,Phone\n5552011234,5552019876\n"), Is.EqualTo(new[] { Cell(1, "5552011234") }));
    }

    [Test]
    public void Should_read_a_header_with_no_rows_as_an_empty_upload()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Read("name,phone\n"), Is.Empty);
            Assert.That(Read("name,phone"), Is.Empty);
            Assert.That(Read("name,phone\r\n\r\n  \r\n"), Is.Empty);
        });
    }

    [Test]
    public void Should_keep_a_stray_quote_inside_an_unquoted_value()
    {
        Assert.That(Read("phone\n555\"201\n"), Is.EqualTo(new[] { Cell(1, "555\"201") }));
    }

    [Test]
    public void Should_read_utf8_text_in_other_columns()
    {
        var cells = Read("nom,téléphone,phone\nJosé Müller 😀,☎,+33 6 12 34 56 78\n");

        Assert.That(cells, Is.EqualTo(new[] { Cell(1, "+33 6 12 34 56 78") }));
    }

    [Test]
    public void Should_decode_a_phone_cell_that_is_not_utf8_as_windows_1252()
    {
        // Excel's plain "CSV (Comma delimited)" on Western Windows: é is E9 and a no-break space A0, both invalid UTF-8.
        var bytes = Concat(Bytes("name,phone\nJos"), [0xE9], Bytes(",06"), [0xA0], Bytes("12"), [0xA0], Bytes("34\n"));

        Assert.That(ReadAll(bytes, chunkSize: chunkSize), Is.EqualTo(new[] { Cell(1, "06\u00A012\u00A034") }));
    }

    [TestCase("utf-16")]
    [TestCase("utf-16BE")]
    public void Should_decode_utf16_with_a_byte_order_mark(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = Concat(encoding.GetPreamble(), encoding.GetBytes(" Phone ,name\r\n+1 555 201 1234,José\r\n\"555,9876\",Zoë"));

        Assert.That(ReadAll(bytes, chunkSize: chunkSize), Is.EqualTo(new[] { Cell(1, "+1 555 201 1234"), Cell(2, "555,9876") }));
    }

    [Test]
    public void Should_leave_the_stream_open_for_its_owner()
    {
        var stream = new TrickleStream(Bytes("phone\n5552011234\n"), chunkSize);

        using (var reader = new CsvPhoneReader(stream, new BulkFileLimits()))
            while (reader.TryRead(out _))
            {
            }

        Assert.That(stream.Disposed, Is.False);
    }
}
