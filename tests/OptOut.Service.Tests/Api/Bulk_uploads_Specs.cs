using OptOut.Contracts;
using System.Net;

namespace OptOut.Service.Tests.Api;

[TestFixture]
public sealed class When_an_administrator_uploads_a_csv : AdminApiSpecification
{
    private const string Csv = "name,phone\nAda,+15552012001\nBob,(555) 201-2002\nEve,=HYPERLINK(\"x\")\nAda again,555.201.2001\nNobody,201-1234\n";

    [Test]
    public async Task Should_report_progress_counts_and_every_row()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "bulk-uploads"), CsvUpload(Csv, dryRun: false, "march.csv"));
        var accepted = await Expect(post, HttpStatusCode.Accepted);
        var statusUrl = accepted.GetProperty("statusUrl").GetString()!;
        Assert.That(post.Headers.Location?.ToString(), Is.EqualTo(statusUrl));

        var upload = await PollUpload(client, statusUrl, "Completed", "Failed");
        var counts = upload.GetProperty("counts");
        Assert.Multiple(() =>
        {
            Assert.That(upload.GetProperty("status").GetString(), Is.EqualTo("Completed"), upload.ToString());
            Assert.That(upload.GetProperty("fileName").GetString(), Is.EqualTo("march.csv"));
            Assert.That(upload.GetProperty("submittedBy").GetString(), Is.EqualTo(AdminName));
            Assert.That(upload.GetProperty("totalRows").GetInt64(), Is.EqualTo(5));
            Assert.That(upload.GetProperty("rowsRead").GetInt64(), Is.EqualTo(5));
            Assert.That(counts.GetProperty("optedOut").GetInt64(), Is.EqualTo(2));
            Assert.That(counts.GetProperty("duplicateRows").GetInt64(), Is.EqualTo(1));
            Assert.That(counts.GetProperty("invalidRows").GetInt64(), Is.EqualTo(2));
            var rejected = upload.GetProperty("rejectedRows").EnumerateArray().ToList();
            Assert.That(rejected.Select(r => r.GetProperty("row").GetInt64()), Is.EqualTo(new long[] { 3, 5 }));
            Assert.That(rejected[1].GetProperty("reason").GetString(), Does.Contain("local number"));
        });

        using var report = await client.GetAsync(new Uri(upload.GetProperty("reportUrl").GetString()!, UriKind.Relative));
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(report.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        var lines = (await report.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("row,value,phone,outcome,reason"));
            Assert.That(lines, Has.Length.EqualTo(6), "a header and one line per row");
            Assert.That(lines[1], Does.StartWith("1,+15552012001,+15552012001,OptedOut"));
            Assert.That(lines[3], Does.StartWith("3,\"'=HYPERLINK(\"\"x\"\")\",,Rejected"), "a formula is neutralized in the report");
            Assert.That(lines[4], Does.StartWith("4,555.201.2001,+15552012001,Duplicate"));
        });

        using var search = await client.GetAsync(Url(account, "opt-outs/5552012002"));
        var record = await Expect(search, HttpStatusCode.OK);
        Assert.That(record.GetProperty("source").GetString(), Is.EqualTo("BulkUpload"));
        Assert.That(record.GetProperty("note").GetString(), Does.Contain("march.csv").And.Contain(AdminName));

        using var list = await client.GetAsync(Url(account, "bulk-uploads"));
        var uploads = await Expect(list, HttpStatusCode.OK);
        Assert.That(uploads.EnumerateArray().Select(u => u.GetProperty("uploadId").GetString()), Is.EqualTo(new[] { upload.GetProperty("uploadId").GetString() }));
    }

    [Test]
    public async Task Should_opt_the_numbers_back_in_on_undo()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "bulk-uploads"), CsvUpload("phone\n+15552013001\n+15552013002\n", dryRun: false));
        var statusUrl = (await Expect(post, HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;
        await PollUpload(client, statusUrl, "Completed");

        using var undo = await client.PostAsync(new Uri(statusUrl + "/undo", UriKind.Relative), null);
        await Expect(undo, HttpStatusCode.Accepted);
        var undone = await PollUpload(client, statusUrl, "Undone");
        Assert.That(undone.GetProperty("undo").GetProperty("optedIn").GetInt64(), Is.EqualTo(2));
        Assert.That(undone.GetProperty("undo").GetProperty("by").GetString(), Is.EqualTo(AdminName));

        using var search = await client.GetAsync(Url(account, "opt-outs/+15552013001"));
        var record = await Expect(search, HttpStatusCode.OK);
        Assert.That(record.GetProperty("state").GetString(), Is.EqualTo("OptedIn"));
    }

    [Test]
    public async Task Should_change_nothing_on_a_dry_run_and_refuse_to_undo_it()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "bulk-uploads"), CsvUpload("phone\n+15552014001\nnope\n", dryRun: true));
        var statusUrl = (await Expect(post, HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;
        var upload = await PollUpload(client, statusUrl, "Completed");
        Assert.That(upload.GetProperty("dryRun").GetBoolean(), Is.True);
        Assert.That(upload.GetProperty("counts").GetProperty("optedOut").GetInt64(), Is.EqualTo(1), "what would be opted out");

        using var search = await client.GetAsync(Url(account, "opt-outs/+15552014001"));
        await Expect(search, HttpStatusCode.NotFound);

        using var undo = await client.PostAsync(new Uri(statusUrl + "/undo", UriKind.Relative), null);
        var problem = await Expect(undo, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("dry run"));
    }

    [Test]
    public async Task Should_fail_an_unusable_file_with_the_reason()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var post = await client.PostAsync(Url(account, "bulk-uploads"), CsvUpload("name,number\nAda,+15552015001\n", dryRun: false));
        var statusUrl = (await Expect(post, HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;
        var upload = await PollUpload(client, statusUrl, "Failed", "Completed");
        Assert.That(upload.GetProperty("status").GetString(), Is.EqualTo("Failed"));
        Assert.That(upload.GetProperty("failureReason").GetString(), Does.Contain("phone"));
    }

    [Test]
    public async Task Should_fail_an_upload_the_broker_did_not_take_and_answer_503()
    {
        using var client = Client();
        var account = Guid.NewGuid();
        using var failing = FailingPublishes.ConnectTo(Services);
        failing.FailNext<OptOut.Contracts.BulkUploadSubmitted>(m => m.AccountId == account);

        using var post = await client.PostAsync(Url(account, "bulk-uploads"), CsvUpload("phone\n+15552015101\n", dryRun: false, "lost.csv"));
        var problem = await Expect(post, HttpStatusCode.ServiceUnavailable);

        // Not left queued for a consumer that never gets it: failed, with the reason, in the store.
        using var list = await client.GetAsync(Url(account, "bulk-uploads"));
        var upload = (await Expect(list, HttpStatusCode.OK)).EnumerateArray().Single();
        using var search = await client.GetAsync(Url(account, "opt-outs/+15552015101"));
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("upload the file again"));
            Assert.That((upload.GetProperty("fileName").GetString(), upload.GetProperty("status").GetString()), Is.EqualTo(("lost.csv", "Failed")));
            Assert.That(upload.GetProperty("failureReason").GetString(), Does.Contain("did not take it"));
            Assert.That(search.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing opted out");
        });
    }

    [Test]
    public async Task Should_answer_400_without_a_file_and_404_for_an_unknown_upload()
    {
        using var client = Client();
        AccountId account = Guid.NewGuid();
        using var empty = new MultipartFormDataContent { { new StringContent("false"), "dryRun" } };
        using var post = await client.PostAsync(Url(account, "bulk-uploads"), empty);
        var problem = await Expect(post, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("file", out _), Is.True);

        using var unknown = await client.GetAsync(Url(account, $"bulk-uploads/{Guid.NewGuid()}"));
        await Expect(unknown, HttpStatusCode.NotFound);
    }
}
