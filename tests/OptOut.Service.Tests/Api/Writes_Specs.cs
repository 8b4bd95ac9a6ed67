using System.Net;
using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Api;

/// <summary>
/// The admin API applies its writes in the instance that takes the call, with the events a consumer of the same bus
/// request publishes, and hands a write it can't finish to that consumer.
/// </summary>
[TestFixture]
public sealed class When_an_administrator_writes_through_the_api : AdminApiSpecification
{
    [Test]
    public async Task Should_publish_what_the_consumer_of_the_same_request_publishes_with_the_same_ids()
    {
        AccountId account = Guid.NewGuid();
        await using var events = await BusEvents.SubscribeAsync(Services);
        using var client = Client();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552018001", note = "by phone" }));
        var requestId = Guid.Parse((await Expect(post, HttpStatusCode.OK)).GetProperty("requestId").GetString()!);

        // The same opt-out of another number, over the bus as any other producer sends it.
        var busRequest = NewId.NextGuid();
        await Services.GetRequiredService<IBus>().Publish(new OptOutRequested
        {
            RequestId = busRequest,
            AccountId = account,
            PhoneNumbers = ["+15552018002"],
            Source = OptOutRequestSource.Manual,
            RequestedBy = AdminName,
            Note = "by phone",
            RequestedAt = DateTimeOffset.UtcNow,
        });

        var api = (await events.WaitFor<ConversationOptStateChanged>(e => e.AccountId == account && e.PhoneNumber == "+15552018001", Patience)).Single();
        var bus = (await events.WaitFor<ConversationOptStateChanged>(e => e.AccountId == account && e.PhoneNumber == "+15552018002", Patience)).Single();
        var completed = await events.WaitFor<OptOutRequestCompleted>(e => e.RequestId == requestId, Patience);
        Assert.Multiple(() =>
        {
            Assert.That(api.MessageId, Is.EqualTo(MessageIds.Derive($"request:{requestId:N}", "+15552018001", "state")));
            Assert.That(bus.MessageId, Is.EqualTo(MessageIds.Derive($"request:{busRequest:N}", "+15552018002", "state")));
            Assert.That(api.Message with { PhoneNumber = "", ChangedAt = default }, Is.EqualTo(bus.Message with { PhoneNumber = "", ChangedAt = default }));
            Assert.That(api.Message.Note, Is.EqualTo($"Opted out manually by {AdminName}: by phone"));
            Assert.That(completed.Single().MessageId, Is.EqualTo(MessageIds.Derive($"request:{requestId:N}", "", "completed")));
            Assert.That(completed.Single().Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedOut));
        });
    }

    [Test]
    public async Task Should_announce_a_delete_as_the_consumer_of_an_opt_in_does()
    {
        AccountId account = Guid.NewGuid();
        await using var events = await BusEvents.SubscribeAsync(Services);
        using var client = Client();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552018003" }));
        await Expect(post, HttpStatusCode.OK);
        using var delete = await client.DeleteAsync(Url(account, "opt-outs/+15552018003?reason=asked"));
        await Expect(delete, HttpStatusCode.OK);

        var optedIn = (await events.WaitFor<ConversationOptStateChanged>(e => e.AccountId == account && e.State == OptState.OptedIn, Patience)).Single();
        var completed = (await events.WaitFor<OptOutRequestCompleted>(
            e => e.AccountId == account && e.Results.Single().Outcome == OptOutOutcome.OptedIn, Patience)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(optedIn.MessageId, Is.EqualTo(MessageIds.Derive($"request:{completed.Message.RequestId:N}", "+15552018003", "state")));
            Assert.That(optedIn.Message.Note, Is.EqualTo($"Opted back in by {AdminName}: asked"));
            Assert.That(optedIn.Message.Source, Is.EqualTo(OptOutSource.Manual));
        });
    }

    [Test]
    public async Task Should_refuse_a_request_the_consumer_would_refuse_and_change_nothing()
    {
        AccountId account = Guid.NewGuid();
        var phones = string.Join(", ", Enumerable.Range(0, 1_001).Select(i => $"+1555202{i:0000}"));
        using var client = Client();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones }));
        var problem = await Expect(post, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("The request was rejected"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("1001 numbers in one request; the limit is 1000"));

        using var get = await client.GetAsync(Url(account, "opt-outs/+15552020000"));
        await Expect(get, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Should_hand_an_opt_out_it_could_not_announce_to_the_consumer()
    {
        AccountId account = Guid.NewGuid();
        await using var events = await BusEvents.SubscribeAsync(Services);
        using var failing = FailingPublishes.ConnectTo(Services);
        failing.FailNext<ConversationOptStateChanged>(e => e.AccountId == account);
        using var client = Client();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552018004" }));
        var queued = await Expect(post, HttpStatusCode.Accepted);
        var requestId = Guid.Parse(queued.GetProperty("requestId").GetString()!);

        // The consumer replays what the API stored and announces it with the id the API would have used.
        var announced = await events.WaitFor<ConversationOptStateChanged>(e => e.AccountId == account, Patience);
        var completed = await events.WaitFor<OptOutRequestCompleted>(e => e.RequestId == requestId, Patience);
        Assert.Multiple(() =>
        {
            Assert.That(announced.Select(a => a.MessageId).Distinct(), Is.EqualTo(new[] { MessageIds.Derive($"request:{requestId:N}", "+15552018004", "state") }));
            Assert.That(announced[0].Message.State, Is.EqualTo(OptState.OptedOut));
            Assert.That(completed[0].Message.Results.Single().Outcome, Is.EqualTo(OptOutOutcome.OptedOut), "replayed: the consumer reports the change");
        });

        using var get = await client.GetAsync(Url(account, "opt-outs/+15552018004"));
        var record = await Expect(get, HttpStatusCode.OK);
        Assert.That(record.GetProperty("history").GetArrayLength(), Is.EqualTo(1), "one change, stored once");
    }

    [Test]
    public async Task Should_hand_a_delete_it_could_not_announce_to_the_consumer()
    {
        AccountId account = Guid.NewGuid();
        await using var events = await BusEvents.SubscribeAsync(Services);
        using var client = Client();
        using var post = await client.PostAsync(Url(account, "opt-outs"), Json(new { phones = "+15552018005" }));
        await Expect(post, HttpStatusCode.OK);

        using var failing = FailingPublishes.ConnectTo(Services);
        failing.FailNext<ConversationOptStateChanged>(e => e.AccountId == account && e.State == OptState.OptedIn);
        using var delete = await client.DeleteAsync(Url(account, "opt-outs/+15552018005"));
        var requestId = Guid.Parse((await Expect(delete, HttpStatusCode.Accepted)).GetProperty("requestId").GetString()!);

        var optedIn = await events.WaitFor<ConversationOptStateChanged>(e => e.AccountId == account && e.State == OptState.OptedIn, Patience);
        Assert.That(optedIn[0].MessageId, Is.EqualTo(MessageIds.Derive($"request:{requestId:N}", "+15552018005", "state")));
        using var get = await client.GetAsync(Url(account, "opt-outs/+15552018005"));
        Assert.That((await Expect(get, HttpStatusCode.OK)).GetProperty("state").GetString(), Is.EqualTo("OptedIn"));
    }
}
