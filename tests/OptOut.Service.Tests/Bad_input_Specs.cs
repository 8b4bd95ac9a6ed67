using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

[TestFixture]
public class When_a_producer_sends_bad_input
{
    private static IEnumerable<TestCaseData> BadTexts()
    {
        yield return new TestCaseData(Messages.Text(default, "+15552011234", "STOP"), "accountId").SetName("Missing account");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "", "STOP"), "from").SetName("Missing from");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "not a number", "STOP"), "from").SetName("Garbage from");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "12345", "STOP"), "from").SetName("Too short from");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "+15552011234", new string('a', 10_240)), "body").SetName("10 KB body");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "+15552011234", null!) with { Body = null }, "body").SetName("Missing body");
        yield return new TestCaseData(Messages.Text(Guid.NewGuid(), "+15552011234", ""), "body is empty").SetName("Empty body");
    }

    [TestCaseSource(nameof(BadTexts))]
    public async Task Should_fault_with_the_reason_and_process_the_next_message(InboundMessage bad, string field)
    {
        await using var service = await ServiceHarness.StartAsync();
        var good = Messages.Text(Guid.NewGuid(), "+15552011234", "STOP");

        await service.PublishAndWait(bad);
        await service.PublishAndWait(good);

        var fault = service.Published<Fault<InboundMessage>>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(fault.Exceptions[0].Message, Does.Contain(field));
            Assert.That(service.Published<ConversationOptStateChanged>().Single().AccountId, Is.EqualTo(good.AccountId));
        });
    }

    [Test]
    public async Task Should_not_put_the_whole_number_in_the_fault_reason()
    {
        await using var service = await ServiceHarness.StartAsync();
        const string typed = "+1 555 201 1234 5678 9";

        await service.PublishAndWait(Messages.Text(Guid.NewGuid(), typed, "STOP"));

        var reason = service.Published<Fault<InboundMessage>>().Single().Exceptions[0].Message;
        Assert.That(reason, Does.Not.Contain(typed).And.Contain("5678 9"[^4..]));
    }

    [Test]
    public async Task Should_fault_an_opt_out_request_without_numbers_and_say_why()
    {
        await using var service = await ServiceHarness.StartAsync();
        var client = service.Harness.GetRequestClient<OptOutRequested>();

        var ex = Assert.ThrowsAsync<RequestFaultException>(() => client.GetResponse<OptOutRequestCompleted>(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = Guid.NewGuid(),
            PhoneNumbers = [" , "],
            Source = OptOutRequestSource.Manual,
            RequestedBy = "alice",
        }));

        Assert.That(ex!.Fault!.Exceptions[0].Message, Does.Contain("at least one phone number"));
    }

    [Test]
    public async Task Should_fault_an_opt_out_request_without_a_source_and_opt_nobody_out()
    {
        await using var service = await ServiceHarness.StartAsync();
        var client = service.Harness.GetRequestClient<OptOutRequested>();
        AccountId account = Guid.NewGuid();

        var ex = Assert.ThrowsAsync<RequestFaultException>(() => client.GetResponse<OptOutRequestCompleted>(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = account,
            PhoneNumbers = ["+15552011234"],
            RequestedBy = "crm",
        }));
        var record = await service.Services.GetRequiredService<OptOut.Core.IOptOutStore>().FindAsync(account, "+15552011234");

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Fault!.Exceptions[0].Message, Does.Contain("source is required: Manual, Messenger or Api"));
            Assert.That(record, Is.Null, "not taken as Manual");
        });
    }
}
