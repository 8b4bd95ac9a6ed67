using OptOut.Contracts;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// Two instances behind a load balancer: one store, one broker. Whatever one instance took, the other answers about
/// the same way.
/// </summary>
[TestFixture]
public sealed class When_two_instances_answer_the_api : AdminApiSpecification
{
    private const int First = 0;
    private const int Second = 1;

    private readonly HeldUploadStarts _held = new();

    protected override int Instances => 2;

    protected override void Configure(IWebHostBuilder builder) => builder.ConfigureTestServices(_held.Install);

    [Test]
    public async Task Should_show_on_one_what_was_written_through_the_other()
    {
        AccountId account = Guid.NewGuid();
        using var first = Client(instance: First);
        using var second = Client(instance: Second);

        using var post = await first.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552019001, +15552019002", note = "at the desk" }));
        var results = (await Expect(post, HttpStatusCode.OK)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString());
        Assert.That(results, Is.EqualTo(new[] { "OptedOut", "OptedOut" }));

        using var found = await second.GetAsync(Url(account, "opt-outs/+15552019001"));
        var record = await Expect(found, HttpStatusCode.OK);
        Assert.That(record.GetProperty("note").GetString(), Is.EqualTo($"Opted out manually by {AdminName}: at the desk"));

        using var delete = await second.DeleteAsync(Url(account, "opt-outs/+15552019001"));
        Assert.That((await Expect(delete, HttpStatusCode.OK)).GetProperty("outcome").GetString(), Is.EqualTo("OptedIn"));
        using var again = await first.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552019002" }));
        var repeat = (await Expect(again, HttpStatusCode.OK)).GetProperty("results")[0];
        Assert.That(repeat.GetProperty("outcome").GetString(), Is.EqualTo("AlreadyOptedOut"), "the first instance sees what it wrote through the store, not its memory");

        using var back = await first.GetAsync(Url(account, "opt-outs/+15552019001"));
        var history = (await Expect(back, HttpStatusCode.OK)).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString());
        Assert.That(history, Is.EqualTo(new[] { "OptedOut", "OptedIn" }));
    }

    [Test]
    public async Task Should_show_on_one_the_settings_saved_through_the_other()
    {
        AccountId account = Guid.NewGuid();
        using var first = Client(instance: First);
        using var second = Client(instance: Second);
        using var put = await first.PutAsync(Url(account, "settings"), Json(new
        {
            defaultCountryCode = "44",
            autoOptOutEnabled = false,
            optOutMessage = "Unsubscribed from Acme.",
            keywords = new[] { "STOP", "ENOUGH" },
        }));
        var saved = await Expect(put, HttpStatusCode.OK);

        using var get = await second.GetAsync(Url(account, "settings"));
        var shown = await Expect(get, HttpStatusCode.OK);
        Assert.That(shown.ToString(), Is.EqualTo(saved.ToString()));
    }

    [Test]
    public async Task Should_answer_on_the_other_for_an_upload_still_queued_on_one()
    {
        var account = Guid.NewGuid();
        using var first = Client(instance: First);
        using var second = Client(instance: Second);
        _held.Hold(account);
        string statusUrl;
        try
        {
            using var post = await first.PostAsync(Url(account, "bulk-uploads"), CsvUpload("phone\n+15552019201\n+15552019202\n", dryRun: false, "waiting.csv"));
            statusUrl = (await Expect(post, HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;
            // A consumer (of either instance) has the job and waits for its turn: the upload is queued in the store.
            await _held.Reached.WaitAsync(Patience);

            using var status = await second.GetAsync(new Uri(statusUrl, UriKind.Relative));
            var queued = await Expect(status, HttpStatusCode.OK);
            using var list = await second.GetAsync(Url(account, "bulk-uploads"));
            var listed = (await Expect(list, HttpStatusCode.OK)).EnumerateArray().ToList();
            using var undo = await second.PostAsync(new Uri(statusUrl + "/undo", UriKind.Relative), null);
            var refused = await Expect(undo, HttpStatusCode.Conflict);
            Assert.Multiple(() =>
            {
                Assert.That(queued.GetProperty("status").GetString(), Is.EqualTo("Queued"), queued.ToString());
                Assert.That(queued.GetProperty("fileName").GetString(), Is.EqualTo("waiting.csv"));
                Assert.That(queued.GetProperty("submittedBy").GetString(), Is.EqualTo(AdminName));
                Assert.That(queued.GetProperty("dryRun").GetBoolean(), Is.False);
                Assert.That(queued.GetProperty("rowsRead").GetInt64(), Is.Zero);
                Assert.That(listed.Select(u => (u.GetProperty("uploadId").GetString(), u.GetProperty("status").GetString())),
                    Is.EqualTo(new[] { (queued.GetProperty("uploadId").GetString(), "Queued") }));
                Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("has not started yet"));
            });
        }
        finally
        {
            _held.Release();
        }

        // Released, it runs from the queued state; both answer it from the store.
        var done = await PollUpload(second, statusUrl, "Completed", "Failed");
        Assert.That((done.GetProperty("status").GetString(), done.GetProperty("counts").GetProperty("optedOut").GetInt64()), Is.EqualTo(("Completed", 2L)),
            done.ToString());
    }

    [Test]
    public async Task Should_follow_an_upload_taken_by_one_on_the_other()
    {
        AccountId account = Guid.NewGuid();
        using var first = Client(instance: First);
        using var second = Client(instance: Second);
        using var post = await first.PostAsync(Url(account, "bulk-uploads"), CsvUpload("phone\n+15552019101\n+15552019102\nnope\n", dryRun: false));
        var statusUrl = (await Expect(post, HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;

        // Either instance's consumer may take it; once it has started, both answer from the store.
        var done = await PollUpload(first, statusUrl, "Completed", "Failed");
        using var status = await second.GetAsync(new Uri(statusUrl, UriKind.Relative));
        var seen = await Expect(status, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(seen.GetProperty("status").GetString(), Is.EqualTo("Completed"), seen.ToString());
            Assert.That(seen.GetProperty("counts").ToString(), Is.EqualTo(done.GetProperty("counts").ToString()));
            Assert.That(seen.GetProperty("counts").GetProperty("optedOut").GetInt64(), Is.EqualTo(2));
        });
        using var report = await second.GetAsync(new Uri(seen.GetProperty("reportUrl").GetString()!, UriKind.Relative));
        Assert.That(report.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var undo = await second.PostAsync(new Uri(statusUrl + "/undo", UriKind.Relative), null);
        await Expect(undo, HttpStatusCode.Accepted);
        var undone = await PollUpload(first, statusUrl, "Undone");
        Assert.That(undone.GetProperty("undo").GetProperty("optedIn").GetInt64(), Is.EqualTo(2));
    }
}
