using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OptOut.Contracts;
using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

/// <summary>
/// The per-row report is a published format (admins open it in spreadsheets, scripts parse it): it must stay byte for
/// byte what it is, whatever the processor does to get there faster. The expected texts were produced by the
/// single-threaded processor (commit 6ded744).
/// </summary>
[TestFixture]
public class When_reporting_an_upload
{
    [Test]
    public async Task Should_write_every_kind_of_row_exactly_as_before()
    {
        var fixture = new BulkFixture(batchSize: 3, checkpointRows: 6);
        await Seed(fixture);
        var csv = string.Join("\r\n",
            "name,phone,email",
            "ann,(201) 200-0001,a@example.com",
            "bob,201.200.0002,",
            "cy,\"+1 201, 200 0003\",c@example.com",
            "dup,2012000001,",
            "empty,,",
            "word,abc,",
            "local,201-1234,",
            "formula,=HYPERLINK(\"x\"),",
            "short,+44 12,",
            "flagged,+1 555 201 1234,",
            "already,+12012000005,",
            "superseded,+12012000006,",
            "long," + new string('9', 120) + ",",
            "quote,\"5\"\"55\",",
            "wide,２０１２０００００７,",
            "minus,-201 200 0008,",
            "plus,+1 (201) 200-0009,",
            "ragged",
            "",
            "last,+12012000010") + "\r\n";
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), csv, events);

        var report = fixture.Uploads.Text(events.Completed.Single().ReportAddress!);
        Assert.That(report, Is.EqualTo(ExpectedSmall));
    }

    [TestCase(1, TestName = "Should write a large mixed file exactly as before (one parsing thread)")]
    [TestCase(2, TestName = "Should write a large mixed file exactly as before (two parsing threads)")]
    public async Task Should_write_a_large_mixed_file_exactly_as_before(int parseThreads)
    {
        var fixture = new BulkFixture(batchSize: 250, checkpointRows: 2_000, parseThreads: parseThreads);
        await Seed(fixture);
        var events = new RecordingEvents();

        await fixture.Run(BulkFixture.Job(), LargeFile(), events);

        var completed = events.Completed.Single();
        var report = fixture.Uploads.Text(completed.ReportAddress!);
        TestContext.Out.WriteLine($"{completed.Counts}");
        Assert.Multiple(() =>
        {
            Assert.That(report.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(30_001));
            Assert.That(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(report))), Is.EqualTo(ExpectedLargeSha256));
        });
    }

    /// <summary>30,000 rows: numbers in mixed formats, repeats, rejects, flagged numbers, some already opted out.</summary>
    internal static string LargeFile()
    {
        var csv = new StringBuilder("name,phone\n");
        for (var i = 0; i < 30_000; i++)
        {
            var n = (i * 7919) % 20_000;
            var value = (i % 13) switch
            {
                0 => $"not a number {i}",
                1 => $"\"(201) {200 + n / 10_000:D3}-{n % 10_000:D4}\"",
                2 => $"201.{200 + n / 10_000:D3}.{n % 10_000:D4}",
                3 => $"+1 555 {200 + n / 10_000:D3} {n % 10_000:D4}",
                4 => $"{n % 1_000:D3}-{n % 10_000:D4}",
                _ => $"+1201{200 + n / 10_000:D3}{n % 10_000:D4}",
            };
            csv.Append(CultureInfo.InvariantCulture, $"row {i},{value}\n");
        }

        return csv.ToString();
    }

    /// <summary>Before the upload: +12012000005 opted out earlier, +12012000006 opted in after the upload's time, and every 9th number of the large file opted out.</summary>
    internal static async Task Seed(BulkFixture fixture)
    {
        await fixture.Store.TryWriteAsync(OptOutStateMachine.Decide(null,
            Changes.Stop(-60, "inbound:before", PhoneNumber.FromStored("+12012000005", true)), Changes.Now).Write!);
        await fixture.Store.TryWriteAsync(OptOutStateMachine.Decide(null,
            Changes.OptIn(10, "api:after", PhoneNumber.FromStored("+12012000006", true)), Changes.Now).Write!);
        for (var n = 100; n < 20_000; n += 9)
        {
            await fixture.Store.TryWriteAsync(OptOutStateMachine.Decide(null,
                Changes.Stop(-60, "inbound:before", PhoneNumber.FromStored($"+1201{200 + n / 10_000:D3}{n % 10_000:D4}", true)), Changes.Now).Write!);
        }
    }

    private const string ExpectedSmall = """
        row,value,phone,outcome,reason
        1,(201) 200-0001,+12012000001,OptedOut,
        2,201.200.0002,+12012000002,OptedOut,
        3,"'+1 201, 200 0003",,Rejected,"'+1 201, 200 0003' is not a phone number"
        4,2012000001,+12012000001,Duplicate,the number appears earlier in the file
        5,,,Rejected,the phone number is empty
        6,abc,,Rejected,'abc' is not a phone number
        7,201-1234,,Rejected,'201-1234' is a local number without an area code
        8,"'=HYPERLINK(""x"")",,Rejected,"'=HYPERLINK(""x"")' is not a phone number"
        9,+44 12,,Rejected,'+44 12' is too short to be a phone number
        10,+1 555 201 1234,+15552011234,OptedOut,"possible but not a valid number: opted out anyway, flagged"
        11,+12012000005,+12012000005,AlreadyOptedOut,
        12,+12012000006,+12012000006,Superseded,a newer opt-in keeps this number opted in
        13,9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999,,Rejected,"the phone number is 120 characters long; at most 64 are accepted, so it is too long to be a phone number"
        14,"5""55",,Rejected,"'5""55' is not a phone number"
        15,２０１２０００００７,+12012000007,OptedOut,
        16,-201 200 0008,+12012000008,OptedOut,
        17,+1 (201) 200-0009,+12012000009,OptedOut,
        18,,,Rejected,the phone number is empty
        19,+12012000010,+12012000010,OptedOut,
        """ + "\n";

    private const string ExpectedLargeSha256 = "E704E4BE7F54569E105327C0F46B85AD83B3C22F8812606535228247617EC585";
}

/// <summary>
/// The report streams into the blob store as it is formatted: a store that fails or stops reading half-way fails the
/// upload's attempt with that failure (never a hang with the formatting waiting for room), nothing is announced, and
/// the retry writes the whole report.
/// </summary>
[TestFixture]
public class When_the_blob_store_fails_while_the_report_is_written
{
    // 30,000 rows make a report of about 1.4 MB: more than the pipe holds, so the formatting has to wait for the store.
    private const int Rows = 30_000;

    [Test]
    public async Task Should_fail_the_attempt_with_the_stores_error_and_write_the_whole_report_on_the_retry()
    {
        var fixture = new BulkFixture(batchSize: 1_000, checkpointRows: 10_000);
        var job = BulkFixture.Job();
        var events = new RecordingEvents();
        fixture.Uploads.FailNextPutAfter = 100_000;

        var run = fixture.Run(job, BulkFixture.Numbers(Rows), events);
        Assert.That(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(run), "the attempt ended");
        Assert.That(() => run, Throws.InstanceOf<IOException>().With.Message.EqualTo("No space left on device"));
        Assert.That(events.Completed, Is.Empty);

        await fixture.Run(job, BulkFixture.Numbers(Rows), events);

        var completed = events.Completed.Single();
        var report = fixture.Uploads.Text(completed.ReportAddress!);
        Assert.Multiple(() =>
        {
            Assert.That(completed.Counts.OptedOut, Is.EqualTo(Rows));
            Assert.That(report, Does.StartWith("row,value,phone,outcome,reason\n1,+12012000000,+12012000000,OptedOut,\n"));
            Assert.That(report.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(Rows + 1));
        });
    }

    [Test]
    public async Task Should_fail_the_attempt_when_the_store_stops_reading_before_the_end()
    {
        var fixture = new BulkFixture(batchSize: 1_000, checkpointRows: 10_000);
        var events = new RecordingEvents();
        fixture.Uploads.StopNextPutAfter = 100_000;

        var run = fixture.Run(BulkFixture.Job(), BulkFixture.Numbers(Rows), events);
        Assert.That(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(run), "the attempt ended");
        Assert.That(() => run, Throws.InvalidOperationException.With.Message.EqualTo("The blob store stopped reading the report before its end."));
        Assert.That(events.Completed, Is.Empty);
    }
}
