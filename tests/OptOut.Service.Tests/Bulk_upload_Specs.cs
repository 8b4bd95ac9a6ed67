using System.Text;
using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

public static class Uploads
{
    public static async Task<BulkUploadSubmitted> Submit(ServiceHarness service, AccountId account, string csv, bool dryRun = false,
        Guid? uploadId = null, DateTimeOffset? at = null, string fileName = "list.csv")
    {
        var repository = service.Services.GetRequiredService<IMessageDataRepository>();
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return new BulkUploadSubmitted
        {
            UploadId = uploadId ?? Guid.NewGuid(),
            AccountId = account,
            FileName = fileName,
            File = await repository.PutStream(content),
            SubmittedBy = "alice@example.com",
            SubmittedAt = at ?? Messages.T0,
            DryRun = dryRun,
        };
    }

    public static async Task<string> ReadReport(ServiceHarness service, BulkUploadCompleted completed)
    {
        var repository = service.Services.GetRequiredService<IMessageDataRepository>();
        await using var stream = await repository.Get(completed.Report!.Address);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}

[TestFixture]
public class When_a_csv_of_numbers_is_uploaded
{
    private ServiceHarness _service = null!;
    private BulkUploadCompleted _completed = null!;
    private readonly AccountId _account = Guid.NewGuid();

    private const string Csv =
        "name, Phone ,email\r\n" +
        "Ann,(555) 201-1001,a@example.com\r\n" +
        "Bob,\"555.201.1002\",b@example.com\r\n" +
        "\r\n" +
        "Cid,201-1234,c@example.com\r\n" +
        "Dee,1-555-201-1001,d@example.com\r\n" +
        "Eve,=HYPERLINK(\"x\"),e@example.com\r\n" +
        "Fay,+15552011003,f@example.com";

    [SetUp]
    public async Task Setup()
    {
        _service = await ServiceHarness.StartAsync();
        // Already opted out before the upload.
        await _service.PublishAndWait(Messages.Text(_account, "+15552011003", "STOP", Messages.T0.AddDays(-1)));
        await _service.PublishAndWait(await Uploads.Submit(_service, _account, Csv));
        _completed = _service.Published<BulkUploadCompleted>().Single();
    }

    [TearDown]
    public async Task Teardown() => await _service.DisposeAsync();

    [Test]
    public void Should_count_every_row_exactly_once()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_completed.TotalRows, Is.EqualTo(6));
            Assert.That(_completed.OptedOut, Is.EqualTo(2));
            Assert.That(_completed.AlreadyOptedOut, Is.EqualTo(1));
            Assert.That(_completed.DuplicateRows, Is.EqualTo(1));
            Assert.That(_completed.InvalidRows, Is.EqualTo(2));
            Assert.That(_completed.FlaggedRows, Is.EqualTo(3), "555-01xx numbers are possible but not valid");
            Assert.That(_completed.DryRun, Is.False);
        });
    }

    [Test]
    public void Should_list_the_rejected_rows_with_their_reason()
    {
        Assert.That(_completed.RejectedRows.Select(r => r.Row), Is.EqualTo(new long[] { 3, 5 }));
        Assert.That(_completed.RejectedRows[0].Value, Is.EqualTo("201-1234"));
        Assert.That(_completed.RejectedRows[0].Reason, Does.Contain("local"));
    }

    [Test]
    public void Should_publish_one_state_change_per_new_opt_out_and_no_confirmation()
    {
        var changes = _service.Published<ConversationOptStateChanged>(c => c.Source == OptOutSource.BulkUpload);
        Assert.Multiple(() =>
        {
            Assert.That(changes.Select(c => c.PhoneNumber), Is.EquivalentTo(new[] { "+15552011001", "+15552011002" }));
            Assert.That(changes[0].Note, Does.Contain("list.csv").And.Contain("alice@example.com"));
            Assert.That(_service.Published<ConfirmationMessageRequested>(), Has.Count.EqualTo(1), "only the STOP's");
        });
    }

    [Test]
    public async Task Should_provide_the_per_row_report()
    {
        var report = await Uploads.ReadReport(_service, _completed);
        var lines = report.TrimEnd('\n').Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("row,value,phone,outcome,reason"));
            Assert.That(lines, Has.Length.EqualTo(7));
            Assert.That(lines[1], Does.StartWith("1,(555) 201-1001,+15552011001,OptedOut"));
            Assert.That(lines[4], Does.StartWith("4,1-555-201-1001,+15552011001,Duplicate"));
            Assert.That(lines[5], Does.StartWith("5,\"'=HYPERLINK(\"\"x\"\")\",,Rejected"), "formula neutralized for spreadsheets");
            Assert.That(lines[6], Does.StartWith("6,+15552011003,+15552011003,AlreadyOptedOut"));
        });
    }

    [Test]
    public async Task Should_give_the_same_result_when_the_message_is_redelivered()
    {
        var redelivered = _service.Harness.Consumed.SeenNow<BulkUploadSubmitted>().Single().Context.Message;
        await _service.PublishAndWait(redelivered);

        // The harness lists a message id once: a re-announcement with the same id leaves one entry.
        var completions = _service.PublishedContexts<BulkUploadCompleted>();
        Assert.Multiple(() =>
        {
            Assert.That(_service.Harness.Consumed.SeenNow<BulkUploadSubmitted>().Count(), Is.EqualTo(2));
            Assert.That(_service.Published<Fault<BulkUploadSubmitted>>(), Is.Empty);
            Assert.That(completions, Has.Count.EqualTo(1), "the same message id");
            Assert.That(completions[0].Context.Message.OptedOut, Is.EqualTo(2));
            Assert.That(_service.Published<ConversationOptStateChanged>(c => c.Source == OptOutSource.BulkUpload), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Should_undo_exactly_what_it_opted_out_and_nothing_a_contact_asked_for_since()
    {
        // The contact of 1002 texts STOP after the upload: they must stay opted out.
        await _service.PublishAndWait(Messages.Text(_account, "+15552011002", "STOP", Messages.T0.AddMinutes(5)));
        var undo = new BulkUploadUndoRequested
        {
            UploadId = _completed.UploadId,
            AccountId = _account,
            RequestedBy = "bob@example.com",
            RequestedAt = Messages.T0.AddMinutes(10),
        };

        await _service.PublishAndWait(undo);
        await _service.PublishAndWait(undo with { RequestedAt = Messages.T0.AddMinutes(11) });

        var store = _service.Services.GetRequiredService<IOptOutStore>();
        var undone = _service.Published<BulkUploadUndone>();
        Assert.Multiple(async () =>
        {
            Assert.That((await store.FindAsync(_account, "+15552011001"))!.State, Is.EqualTo(OptState.OptedIn));
            Assert.That((await store.FindAsync(_account, "+15552011002"))!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That((await store.FindAsync(_account, "+15552011003"))!.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(undone[0].OptedIn, Is.EqualTo(1));
            Assert.That(undone[0].Kept, Is.EqualTo(1));
            Assert.That(undone[1].OptedIn, Is.EqualTo(0), "undoing twice changes nothing");
            Assert.That(_service.Published<ConversationOptStateChanged>(c => c.State == OptState.OptedIn).Single().PhoneNumber, Is.EqualTo("+15552011001"));
        });
    }
}

[TestFixture]
public class When_a_dry_run_is_uploaded
{
    [Test]
    public async Task Should_report_without_writing_or_publishing_changes()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(await Uploads.Submit(service, account, "phone\n5552011001\n5552011002\nabc\n5552011001\n", dryRun: true));

        var completed = service.Published<BulkUploadCompleted>().Single();
        Assert.Multiple(async () =>
        {
            Assert.That(completed.DryRun, Is.True);
            Assert.That(completed.OptedOut, Is.EqualTo(2));
            Assert.That(completed.InvalidRows, Is.EqualTo(1));
            Assert.That(completed.DuplicateRows, Is.EqualTo(1));
            Assert.That(service.Published<ConversationOptStateChanged>(), Is.Empty);
            Assert.That(await service.Services.GetRequiredService<IOptOutStore>().FindAsync(account, "+15552011001"), Is.Null);
        });
    }
}

[TestFixture]
public class When_an_unusable_file_is_uploaded
{
    private static IEnumerable<TestCaseData> Files()
    {
        yield return new TestCaseData("name,mobile,email\nAnn,5552011001,a@x\n", "'mobile'").SetName("No phone column");
        yield return new TestCaseData("", "empty").SetName("Empty file");
        yield return new TestCaseData("PK\u0003\u0004\0\0\0binary", "not text").SetName("Binary file");
        yield return new TestCaseData("phone\n" + new string('1', 70 * 1024) + "\n", "64 KB").SetName("Row over 64 KB");
    }

    [TestCaseSource(nameof(Files))]
    public async Task Should_fail_with_a_reason_and_write_nothing(string csv, string reason)
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();

        await service.PublishAndWait(await Uploads.Submit(service, account, csv));

        var failed = service.Published<BulkUploadFailed>().Single();
        Assert.Multiple(async () =>
        {
            Assert.That(failed.Reason, Does.Contain(reason));
            Assert.That(service.Published<BulkUploadCompleted>(), Is.Empty);
            Assert.That(await service.Services.GetRequiredService<IOptOutStore>().ListAsync(account, null, null, 10), Is.Empty);
        });
    }
}

[TestFixture]
public class When_uploads_race_with_texts_and_opt_ins
{
    [Test]
    public async Task Should_end_in_the_state_event_time_says()
    {
        await using var service = await ServiceHarness.StartAsync();
        AccountId account = Guid.NewGuid();
        var numbers = Enumerable.Range(0, 300).Select(i => $"+1555201{i:D4}").ToList();
        var csv = "phone\n" + string.Join('\n', numbers);
        // Upload A at T0, upload B (same numbers) at T0+2m; STOP at T0+1m and opt-ins at T0+3m for some numbers.
        var a = await Uploads.Submit(service, account, csv, at: Messages.T0);
        var b = await Uploads.Submit(service, account, csv, at: Messages.T0.AddMinutes(2));
        var tasks = new List<Task> { service.Bus.Publish(a), service.Bus.Publish(b) };
        for (var i = 0; i < 300; i += 10)
        {
            tasks.Add(service.Bus.Publish(Messages.Text(account, numbers[i], "STOP", Messages.T0.AddMinutes(1))));
            tasks.Add(service.Bus.Publish(new OptInRequested
            {
                RequestId = Guid.NewGuid(),
                AccountId = account,
                PhoneNumber = numbers[i + 5],
                RequestedBy = "admin",
                RequestedAt = Messages.T0.AddMinutes(3),
            }));
        }

        await Task.WhenAll(tasks);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (service.Published<BulkUploadCompleted>().Count < 2 || service.Harness.Consumed.SeenNow<OptInRequested>().Count() < 30)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "uploads and opt-ins did not finish");
            await Task.Delay(50);
        }

        await service.Quiet();

        var store = service.Services.GetRequiredService<IOptOutStore>();
        var transitionsByUploads = 0;
        for (var i = 0; i < 300; i++)
        {
            var record = await store.FindAsync(account, numbers[i]);
            var expected = i % 10 == 5 ? OptState.OptedIn : OptState.OptedOut;
            Assert.That(record!.State, Is.EqualTo(expected), $"number {i}");
            Assert.That(record.History.Count(h => h.State == OptState.OptedOut), Is.LessThanOrEqualTo(1), $"number {i} opted out twice");
            transitionsByUploads += record.History.Count(h => h.CausationId.StartsWith("bulk:", StringComparison.Ordinal));
        }

        var completed = service.Published<BulkUploadCompleted>();
        Assert.Multiple(() =>
        {
            Assert.That(completed.Sum(c => c.OptedOut), Is.EqualTo(transitionsByUploads), "an upload counts exactly the numbers it opted out");
            Assert.That(completed.All(c => c.OptedOut + c.AlreadyOptedOut + c.SupersededRows == 300), Is.True, "every row counted once");
        });
    }
}
