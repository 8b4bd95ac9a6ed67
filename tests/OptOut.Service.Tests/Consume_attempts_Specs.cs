using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptOut.Core;
using OptOut.Service.Messaging;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests;

/// <summary>
/// <see cref="ConsumeAttemptsFilter{TConsumer}"/> on a consumer, as the consumer definitions place it: an attempt
/// that finishes at once passes straight through, one that hangs is abandoned at the deadline and tried again, a
/// failure (thrown before or after yielding) is retried and, once the retries are spent, faults the message once; a
/// failure a retry cures faults nothing, and bad input is not retried.
/// </summary>
[TestFixture]
public class When_a_consume_attempt_fails_or_hangs
{
    private static readonly ConsumeAttemptPolicy Policy = new()
    {
        Retries = 2,
        FirstDelay = TimeSpan.FromMilliseconds(1),
        DelayStep = TimeSpan.FromMilliseconds(1),
        Deadline = TimeSpan.FromMilliseconds(300),
    };

    [TestCase(Behaviour.Completes, 1, TestName = "Should_pass_an_attempt_that_finished_at_once_straight_through")]
    [TestCase(Behaviour.HangsFirstTime, 2, TestName = "Should_abandon_a_hung_attempt_at_the_deadline_and_try_again")]
    [TestCase(Behaviour.ThrowsFirstTime, 2, TestName = "Should_publish_no_fault_for_a_failure_that_a_retry_cured")]
    public async Task Should_end_without_a_fault(Behaviour behaviour, int attempts)
    {
        var probe = await SendAsync(behaviour);

        Assert.Multiple(() =>
        {
            Assert.That(probe.Attempts, Is.EqualTo(attempts));
            Assert.That(probe.Faults, Is.Zero);
        });
    }

    [TestCase(Behaviour.ThrowsAtOnce)]
    [TestCase(Behaviour.ThrowsAfterYielding)]
    public async Task Should_retry_a_failure_and_then_fault_the_message_once(Behaviour behaviour)
    {
        var probe = await SendAsync(behaviour);

        Assert.Multiple(() =>
        {
            Assert.That(probe.Attempts, Is.EqualTo(3), "the first attempt and two retries");
            Assert.That(probe.Faults, Is.EqualTo(1));
            Assert.That(probe.FaultMessage, Is.EqualTo("attempt failed"));
        });
    }

    [Test]
    public async Task Should_not_retry_bad_input()
    {
        var probe = await SendAsync(Behaviour.RejectsInput);

        Assert.Multiple(() =>
        {
            Assert.That(probe.Attempts, Is.EqualTo(1));
            Assert.That(probe.Faults, Is.EqualTo(1));
            Assert.That(probe.FaultMessage, Is.EqualTo("Rejected: the input is bad"));
        });
    }

    [Test]
    public void Should_wait_longer_before_each_retry_up_to_the_maximum()
    {
        var policy = new ConsumeAttemptPolicy();
        var delays = Enumerable.Range(1, policy.Retries).Select(policy.DelayBefore).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(delays[0], Is.EqualTo(policy.FirstDelay));
            // 2^(n-1) - 1 steps of 250 ms (±20%) on top of the first delay.
            Assert.That(delays[2].TotalMilliseconds, Is.InRange(100 + (3 * 250 * 0.8), 100 + (3 * 250 * 1.2)));
            Assert.That(delays[^1], Is.EqualTo(policy.MaxDelay));
            Assert.That(delays.Sum(d => d.TotalSeconds), Is.LessThan(60), "the retries are spent within a minute");
        });
    }

    private static async Task<(int Attempts, int Faults, string? FaultMessage)> SendAsync(Behaviour behaviour)
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<AttemptProbeConsumer>();
                x.UsingInMemory((context, cfg) => cfg.ReceiveEndpoint("attempt-probe", e =>
                    e.ConfigureConsumer<AttemptProbeConsumer>(context, c => c.UseFilter(new ConsumeAttemptsFilter<AttemptProbeConsumer>(Policy)))));
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(20);
        await harness.Start();
        var id = Guid.NewGuid();
        try
        {
            await harness.Bus.Publish(new AttemptProbe { Id = id, Behaviour = behaviour });

            var consumed = harness.GetConsumerHarness<AttemptProbeConsumer>();
            Assert.That(await consumed.Consumed.Any<AttemptProbe>(c => c.Context.Message.Id == id), Is.True);
            await harness.InactivityTask;
            var faults = harness.Published.SeenNow<Fault<AttemptProbe>>(f => f.Context.Message.Message.Id == id).ToList();
            return (AttemptProbeConsumer.Attempts.GetValueOrDefault(id), faults.Count,
                faults.FirstOrDefault()?.Context.Message.Exceptions.FirstOrDefault()?.Message);
        }
        finally
        {
            // An abandoned attempt must not outlive its spec: it ends here, while the harness still runs, and its
            // continuations get a moment to finish before the harness stops.
            if (AttemptProbeConsumer.Held.TryRemove(id, out var held))
            {
                await held.Release.CancelAsync();
                await held.Attempt.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                held.Release.Dispose();
                await Task.Delay(200);
            }

            await harness.Stop();
        }
    }

    public enum Behaviour
    {
        Completes,
        HangsFirstTime,
        ThrowsFirstTime,
        ThrowsAtOnce,
        ThrowsAfterYielding,
        RejectsInput,
    }

    public sealed record AttemptProbe
    {
        public Guid Id { get; init; }

        public Behaviour Behaviour { get; init; }
    }

    public sealed class AttemptProbeConsumer : IConsumer<AttemptProbe>
    {
        public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

        /// <summary>The hung first attempts, by message id, and what ends them when their spec is done.</summary>
        public static readonly ConcurrentDictionary<Guid, (Task Attempt, CancellationTokenSource Release)> Held = new();

        public Task Consume(ConsumeContext<AttemptProbe> context)
        {
            var attempt = Attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
            return context.Message.Behaviour switch
            {
                Behaviour.Completes => Task.CompletedTask,
                // Hangs like a publish awaiting a confirm on a dead channel, until its spec releases it (SendAsync).
                Behaviour.HangsFirstTime when attempt == 1 => Hang(context.Message.Id),
                Behaviour.ThrowsFirstTime when attempt == 1 => throw new InvalidOperationException("attempt failed"),
                Behaviour.HangsFirstTime or Behaviour.ThrowsFirstTime => Task.CompletedTask,
                Behaviour.ThrowsAtOnce => throw new InvalidOperationException("attempt failed"),
                Behaviour.RejectsInput => throw new InvalidMessageException("the input is bad"),
                _ => ThrowAfterYieldingAsync(),
            };
        }

        private static Task Hang(Guid id)
        {
            var release = new CancellationTokenSource();
            var attempt = Task.Delay(Timeout.Infinite, release.Token);
            Held[id] = (attempt, release);
            return attempt;
        }

        private static async Task ThrowAfterYieldingAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException("attempt failed");
        }
    }
}
