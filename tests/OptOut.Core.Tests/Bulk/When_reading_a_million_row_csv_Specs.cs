using System.Diagnostics;
using System.Globalization;
using System.Text;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>
/// Reliability: memory does not grow with the file. Measured as bytes allocated on the reading thread,
/// which is exact and does not depend on when the GC runs (working set does); timings are printed, not asserted.
/// </summary>
[TestFixture]
public class When_reading_a_million_row_csv
{
    private const int Rows = 1_000_000;
    private const int RowsPerBlock = 1_000;

    private static RepeatingStream File()
    {
        // Realistic rows: a name, a number in one of several formats (some quoted, with commas), an email, a note.
        var block = new StringBuilder();
        for (var i = 0; i < RowsPerBlock; i++)
        {
            var number = (i % 4) switch
            {
                0 => $"+1555201{i:D4}",
                1 => $"\"(555) 201-{i:D4}\"",
                2 => $"555.201.{i:D4}",
                _ => $"\"+1 555, 201 {i:D4}\"",
            };
            block.Append(CultureInfo.InvariantCulture, $"Contact {i},{number},contact{i}@example.com,\"note, {i}\"\r\n");
        }

        return new RepeatingStream(Encoding.UTF8.GetBytes("name,phone,email,notes\r\n"), Encoding.UTF8.GetBytes(block.ToString()), Rows / RowsPerBlock);
    }

    [Test]
    public void Should_read_every_row_allocating_only_the_values()
    {
        var stream = File();
        long rows = 0, characters = 0;
        PhoneCell last = default;

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var elapsed = Stopwatch.StartNew();
        using (var reader = new CsvPhoneReader(stream, new BulkFileLimits()))
        {
            while (reader.TryRead(out var cell))
            {
                rows++;
                characters += cell.Value.Length;
                last = cell;
            }
        }

        elapsed.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var perRow = (double)allocated / rows;
        TestContext.Out.WriteLine($"TryRead: {rows:N0} rows, {stream.TotalLength / 1e6:N1} MB in {elapsed.Elapsed.TotalMilliseconds:N0} ms = {rows / elapsed.Elapsed.TotalSeconds:N0} rows/s; {perRow:N1} bytes allocated per row");

        Assert.Multiple(() =>
        {
            Assert.That(rows, Is.EqualTo(Rows));
            Assert.That(last, Is.EqualTo(new PhoneCell(Rows, "+1 555, 201 0999")));
            // The value strings are ~40-60 bytes each; anything per row beyond them would show as more.
            Assert.That(perRow, Is.LessThan(80), "bytes allocated per row");
        });
    }

    [Test]
    public void Should_validate_every_row_in_constant_memory()
    {
        var stream = File();

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var elapsed = Stopwatch.StartNew();
        var rows = CsvPhoneReader.Validate(stream, new BulkFileLimits());
        elapsed.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        TestContext.Out.WriteLine($"Validate: {rows:N0} rows, {stream.TotalLength / 1e6:N1} MB in {elapsed.Elapsed.TotalMilliseconds:N0} ms = {rows / elapsed.Elapsed.TotalSeconds:N0} rows/s; {allocated:N0} bytes allocated in all");

        Assert.Multiple(() =>
        {
            Assert.That(rows, Is.EqualTo(Rows));
            Assert.That(stream.BytesRead, Is.EqualTo(stream.TotalLength), "the whole file was read");
            // A fixed amount (the reader and its pooled buffers at most), nothing per row: a 60 MB file read in well under 1 MB.
            Assert.That(allocated, Is.LessThan(1024 * 1024), "bytes allocated for the whole file");
        });
    }
}
