using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;

namespace OptOut.Service.Tests.Harness;

/// <summary><see cref="HarnessLists"/>: the specs' view of what the harness saw never waits on the harness.</summary>
[TestFixture]
public class When_a_spec_looks_at_what_the_harness_saw
{
    [Test]
    public async Task Should_list_what_is_there_at_once_while_the_harness_is_busy()
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x => x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context)))
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        // Neither ends while the spec runs: MassTransit's own Select would wait out TestTimeout for a match.
        harness.TestTimeout = TimeSpan.FromSeconds(10);
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(10);
        await harness.Start();
        try
        {
            await harness.Bus.Publish(new Ping { Id = 1 });
            var clock = Stopwatch.StartNew();

            var pings = harness.Published.SeenNow<Ping>().Count();
            var none = harness.Published.SeenNow<Ping>(p => p.Context.Message.Id == 2).Any();
            var consumed = harness.Consumed.SeenNow(_ => false).Any();

            Assert.Multiple(() =>
            {
                Assert.That(pings, Is.EqualTo(1));
                Assert.That(none, Is.False);
                Assert.That(consumed, Is.False);
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "it waited on the harness");
            });
        }
        finally
        {
            await harness.Stop();
        }
    }

    public sealed record Ping
    {
        public int Id { get; init; }
    }
}
