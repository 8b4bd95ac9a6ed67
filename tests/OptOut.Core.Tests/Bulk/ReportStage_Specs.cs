using OptOut.Core.Bulk;

namespace OptOut.Core.Tests.Bulk;

[TestFixture]
public class When_the_report_stage_writes_an_upload_s_report
{
    // Numbers sort as: +12012000001, +12012000002, +12012000003, then the flagged +15552011234.
    private const string Csv = "phone\n+12012000003\n+12012000001\nabc\n2012000003\n+1 555 201 1234\n+12012000002\n";

    [TestCase(1)]
    [TestCase(2)]
    public async Task Should_write_each_row_in_file_order_with_its_number_s_outcome(int parseThreads)
    {
        var fixture = new StageFixture(parseThreads: parseThreads);
        var scan = await fixture.Scan(Csv);
        NumberOutcome[] outcomes = [NumberOutcome.AlreadyOptedOut, NumberOutcome.Superseded, NumberOutcome.OptedOut, NumberOutcome.OptedOut];

        var address = await new ReportStage(fixture.Uploads, SharedParsingThreads.Instance, fixture.Options)
            .WriteAsync(StageFixture.Open(Csv), 1, scan, outcomes, CancellationToken.None);

        Assert.That(fixture.Uploads.Text(address), Is.EqualTo("""
            row,value,phone,outcome,reason
            1,+12012000003,+12012000003,OptedOut,
            2,+12012000001,+12012000001,AlreadyOptedOut,
            3,abc,,Rejected,'abc' is not a phone number
            4,2012000003,+12012000003,Duplicate,the number appears earlier in the file
            5,+1 555 201 1234,+15552011234,OptedOut,"possible but not a valid number: opted out anyway, flagged"
            6,+12012000002,+12012000002,Superseded,a newer opt-in keeps this number opted in
            """ + "\n"));
    }

    [Test]
    public async Task Should_cut_a_long_value_to_a_hundred_characters()
    {
        var fixture = new StageFixture();
        var csv = "phone\n" + new string('x', 150) + "\n";
        var scan = await fixture.Scan(csv);

        var address = await new ReportStage(fixture.Uploads, SharedParsingThreads.Instance, fixture.Options)
            .WriteAsync(StageFixture.Open(csv), 1, scan, [], CancellationToken.None);

        var line = fixture.Uploads.Text(address).Split('\n')[1];
        Assert.That(line, Does.StartWith("1," + new string('x', 100) + ",,Rejected,"));
    }
}
