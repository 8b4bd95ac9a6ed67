using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Contracts;
using OptOut.Core.Bulk;
using OptOut.Service.Messaging;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

/// <summary>
/// <see cref="Deadline"/>: work that finished passes straight through, work that outlasts the deadline is given up on
/// with a reason, a failure or a cancellation comes through as it is; and the bulk upload's events give up on a publish
/// that hangs (the attempt then fails, to be retried and resumed from the upload's checkpoint).
/// </summary>
[TestFixture]
public class When_waiting_on_work_with_a_deadline
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Test]
    public void Should_hand_back_work_that_already_finished_as_it_is()
    {
        var done = Task.CompletedTask;

        Assert.That(Deadline.Within(done, Short, "nothing", CancellationToken.None), Is.SameAs(done));
    }

    [Test]
    public void Should_give_up_on_work_that_outlasts_the_deadline_and_say_what_it_was()
    {
        // Outlasts the deadline many times over, then ends (an abandoned task never outlives the spec).
        var slow = Task.Delay(Short * 25);

        var thrown = Assert.ThrowsAsync<TimeoutException>(() => Deadline.Within(slow, Short, "Publishing a page", CancellationToken.None));

        Assert.That(thrown!.Message, Does.StartWith("Publishing a page took longer than 00:00:00.2000000; abandoned so it can be retried"));
    }

    [Test]
    public void Should_pass_a_failure_within_the_deadline_through()
    {
        var failing = FailLaterAsync();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => Deadline.Within(failing, TimeSpan.FromSeconds(10), "work", CancellationToken.None));

        Assert.That(thrown!.Message, Is.EqualTo("broker said no"));

        static async Task FailLaterAsync()
        {
            await Task.Delay(20);
            throw new InvalidOperationException("broker said no");
        }
    }

    [Test]
    public void Should_stop_waiting_when_the_caller_is_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var slow = Task.Delay(Short * 25);

        Assert.That(() => Deadline.Within(slow, TimeSpan.FromSeconds(10), "work", cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Should_fail_a_bulk_upload_attempt_whose_publish_hangs()
    {
        using var hanging = new HangingPublishFilter();
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<OptOutTelemetry>()
            .AddSingleton<EventPublisher>()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<ProgressProbeConsumer>();
                x.UsingInMemory((context, cfg) =>
                {
                    // Every BulkUploadProgressed publish hangs, the way a publish awaiting a confirm on a dead channel does.
                    cfg.ConfigurePublish(p => p.UseFilter(hanging));
                    cfg.ReceiveEndpoint("progress-probe", e => e.ConfigureConsumer<ProgressProbeConsumer>(context));
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(20);
        await harness.Start();
        try
        {
            var id = Guid.NewGuid();
            await harness.Bus.Publish(new ProgressProbe { Id = id });

            Assert.That(await harness.Published.Any<Fault<ProgressProbe>>(f => f.Context.Message.Message.Id == id), Is.True);
            var fault = harness.Published.SeenNow<Fault<ProgressProbe>>(f => f.Context.Message.Message.Id == id).First().Context.Message;
            Assert.That(fault.Exceptions[0].Message, Does.StartWith("Publishing BulkUploadProgressed took longer than 00:00:00.2000000"));
        }
        finally
        {
            // The hung publish ends (unsent) before the harness stops: nothing of this spec outlives it.
            hanging.Release();
            await Task.Delay(100);
            await harness.Stop();
        }
    }

    public sealed record ProgressProbe
    {
        public Guid Id { get; init; }
    }

    public sealed class ProgressProbeConsumer(EventPublisher publisher) : IConsumer<ProgressProbe>
    {
        public Task Consume(ConsumeContext<ProgressProbe> context)
        {
            var events = new BusBulkUploadEvents(context, publisher, TimeProvider.System, Short);
            var state = new BulkUploadState
            {
                UploadId = context.Message.Id,
                AccountId = Guid.NewGuid(),
                SubmittedAt = DateTimeOffset.UtcNow,
                StartedAt = DateTimeOffset.UtcNow,
                Status = BulkUploadStatus.Running,
                Version = 1,
            };
            return events.ProgressAsync(state, 10, new BulkUploadCounts(), context.CancellationToken);
        }
    }

    /// <summary>Holds every BulkUploadProgressed publish, the way a publish awaiting a confirm on a dead channel hangs, until released.</summary>
    private sealed class HangingPublishFilter : IFilter<PublishContext>, IDisposable
    {
        private readonly CancellationTokenSource _release = new();

        public Task Send(PublishContext context, IPipe<PublishContext> next) =>
            context is PublishContext<BulkUploadProgressed> ? HangAsync() : next.Send(context);

        public void Release() => _release.Cancel();

        public void Dispose() => _release.Dispose();

        public void Probe(ProbeContext context) => context.CreateFilterScope("hangingPublish");

        private async Task HangAsync()
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _release.Token);
            }
            catch (OperationCanceledException)
            {
                // Released: the publish ends without sending.
            }
        }
    }
}
