using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MassTransit;
using OptOut.Contracts;
using OptOut.Service.Consumers;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// A stream of texts while the broker's application is stopped and started (<c>rabbitmqctl stop_app</c> /
/// <c>start_app</c>): the gateway retries the publishes that fail, MassTransit reconnects, messages in flight are
/// redelivered. Every text must be processed, and none twice: one transition per STOP number, one state event and
/// one confirmation per number (copies carry the same message id).
/// </summary>
[TestFixture]
public class When_the_broker_restarts_in_the_middle_of_a_stream : RabbitMqServiceFixture
{
    private const int Texts = 5_000;
    private const int RestartAfter = 3_500;
    private const int Batch = 250;
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProcessingTimeout = TimeSpan.FromMinutes(3);

    // A consumer whose publish hangs on the dead channel holds its endpoint "ready" until the service abandons it.
    private static readonly TimeSpan ReadinessTimeout = OptOutConsumerDefinition<InboundMessageConsumer>.Attempts.Deadline + TimeSpan.FromSeconds(30);
    private static readonly string[] StopBodies = ["STOP", "stop", "Unsubscribe", "QUIT", "  Stop! "];
    private static readonly string[] Replies = ["Yes, I'll be there", "Who is this?", "Can you stop by at 5?", "👍", "Thanks!"];

    private readonly AccountId _account = Guid.NewGuid();
    private readonly ConsumedTexts _consumed = new();
    private readonly HashSet<string> _stopNumbers = [];
    private readonly HashSet<string> _replyNumbers = [];
    private HttpStatusCode _liveWhileDown;
    private HttpStatusCode _readyWhileDown;
    private HttpStatusCode _readyAfterRestart;

    // Events published while the broker restarts must wait in a queue that survives it.
    protected override bool ObserverSurvivesBrokerRestart => true;

    protected override void RequireCapabilities(BrokerEndpoint broker)
    {
        if (broker.Control is null)
            TestSetup.Missing($"Can't restart the broker: {broker.NoControlReason}");
    }

    [OneTimeSetUp]
    public async Task PublishAStreamAcrossABrokerRestart()
    {
        var control = Broker.Control!;
        using var connected = Service.Bus.ConnectConsumeObserver(_consumed);
        using var timeout = new CancellationTokenSource(ProcessingTimeout + ReadinessTimeout + TimeSpan.FromMinutes(2));
        var texts = Enumerable.Range(0, Texts).Select(Text).ToList();
        using var http = new HttpClient { BaseAddress = Service.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var elapsed = Stopwatch.StartNew();
        void Progress(string what) => TestContext.Progress.WriteLine($"{elapsed.Elapsed.TotalSeconds,5:0.0} s: {what}");

        var stopped = false;
        Task restart = Task.CompletedTask;
        var retried = 0;
        try
        {
            foreach (var batch in texts.Take(RestartAfter).Chunk(Batch))
                retried += await Rabbit.PublishAllUntilConfirmedAsync(InboundExchange, batch, TimeSpan.FromSeconds(90), timeout.Token);

            // Stop while the service is busy: some texts done, some in its prefetch and in flight, the rest queued.
            await Poll.UntilAsync(() => _consumed.Count >= 500, TimeSpan.FromSeconds(60),
                () => $"only {_consumed.Count} texts consumed before the restart", timeout.Token);
            Progress($"{RestartAfter} texts published, {_consumed.Count} consumed: rabbitmqctl stop_app");
            stopped = true; // before the call: if it fails half-way, the finally block still starts the broker again
            await control.StopAppAsync(timeout.Token);
            Progress($"broker stopped, {_consumed.Count} consumed");
            await ProbeHealthWhileDownAsync(http, timeout.Token);
            restart = StartAgainAsync();

            // The rest of the stream: these fail while the broker is down and are published again until confirmed.
            foreach (var batch in texts.Skip(RestartAfter).Chunk(Batch))
                retried += await Rabbit.PublishAllUntilConfirmedAsync(InboundExchange, batch, TimeSpan.FromSeconds(90), timeout.Token);
            await restart;
            stopped = false;
            Progress($"{Texts} texts confirmed by the broker ({retried} publishes retried), {_consumed.Count} consumed");

            await Poll.UntilAsync(
                () => _consumed.Count == Texts
                      && StateChanges().Select(o => o.MessageId).Distinct().Count() >= _stopNumbers.Count
                      && Confirmations().Select(o => o.MessageId).Distinct().Count() >= _stopNumbers.Count,
                ProcessingTimeout,
                () => $"{_consumed.Count} of {Texts} texts consumed, {StateChanges().Select(o => o.MessageId).Distinct().Count()} state events and "
                      + $"{Confirmations().Select(o => o.MessageId).Distinct().Count()} confirmations of {_stopNumbers.Count} STOP numbers",
                timeout.Token);
            await SettleAsync();
            var readyBody = "";
            await Poll.UntilAsync(async () =>
                {
                    (_readyAfterRestart, readyBody) = await GetAsync(http, "/health/ready", timeout.Token);
                    return _readyAfterRestart == HttpStatusCode.OK;
                },
                TimeSpan.FromSeconds(60), () => $"/health/ready still answers {(int)_readyAfterRestart}: {readyBody}", timeout.Token);
            Progress($"all processed; {_consumed.Redelivered} texts consumed more than once, "
                     + $"{StateChanges().Count - _stopNumbers.Count} state event copies, {Confirmations().Count - _stopNumbers.Count} confirmation copies");
        }
        finally
        {
            if (stopped)
            {
                // Never leave the broker down for whatever runs next.
                await restart.ContinueWith(_ => { }, TaskScheduler.Default);
                using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await control.StartAppAsync(startTimeout.Token);
            }
        }

        async Task StartAgainAsync()
        {
            await Task.Delay(Downtime, timeout.Token);
            Progress("rabbitmqctl start_app");
            await control.StartAppAsync(timeout.Token);
            Progress($"broker started, {_consumed.Count} consumed");
        }
    }

    /// <summary>While the broker is down the process stays live (nothing to restart) but is not ready (send it no traffic).</summary>
    private async Task ProbeHealthWhileDownAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var body = "";
        await Poll.UntilAsync(async () =>
            {
                (_readyWhileDown, body) = await GetAsync(http, "/health/ready", cancellationToken);
                return _readyWhileDown != HttpStatusCode.OK;
            },
            ReadinessTimeout, () => $"/health/ready kept answering 200 with the broker down: {body}", cancellationToken);
        (_liveWhileDown, _) = await GetAsync(http, "/health/live", cancellationToken);
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Every fifth text is an opt-out keyword from a number of its own; the others are ordinary replies.</summary>
    private (string Json, string MessageId) Text(int i)
    {
        var phone = $"+1555{2_000_000 + i:D7}";
        var isStop = i % 5 == 0;
        (isStop ? _stopNumbers : _replyNumbers).Add(phone);
        var body = isStop ? StopBodies[i / 5 % StopBodies.Length] : Replies[i % Replies.Length];
        var receivedAt = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero).AddSeconds(i);
        return ($$"""
            {"accountId": "{{_account}}", "from": "{{phone}}", "to": "+15559870000", "body": "{{body}}",
             "receivedAt": "{{receivedAt:O}}", "providerMessageId": "SM-stream-{{i}}"}
            """, Guid.NewGuid().ToString());
    }

    [Test]
    public void Should_stay_live_while_the_broker_is_down() => Assert.That(_liveWhileDown, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public void Should_not_be_ready_while_the_broker_is_down() => Assert.That(_readyWhileDown, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

    [Test]
    public void Should_be_ready_again_once_the_broker_is_back() => Assert.That(_readyAfterRestart, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public void Should_process_every_text()
    {
        Assert.That(_consumed.ProviderMessageIds, Is.EquivalentTo(Enumerable.Range(0, Texts).Select(i => $"SM-stream-{i}")));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Should_record_exactly_one_transition_per_stop_number(CancellationToken cancellationToken)
    {
        var records = await Service.Store.ListAsync(_account, state: null, afterPhone: null, limit: Texts + 1, cancellationToken);
        Assert.That(records.Select(r => r.Phone), Is.EquivalentTo(_stopNumbers), "only STOP numbers have a record; ordinary replies change nothing");

        var histories = new Dictionary<string, int>();
        foreach (var phone in _stopNumbers)
            histories[phone] = (await Service.Store.FindAsync(_account, phone, cancellationToken))!.History.Count;
        Assert.That(histories.Where(h => h.Value != 1), Is.Empty, "numbers whose history is not exactly one transition");
    }

    [Test]
    public void Should_publish_one_distinct_state_change_per_stop_number()
    {
        var changes = StateChanges();
        Assert.Multiple(() =>
        {
            Assert.That(changes.Select(c => c.MessageId).Distinct().Count(), Is.EqualTo(_stopNumbers.Count));
            Assert.That(changes.Select(c => c.Message.PhoneNumber).Distinct(), Is.EquivalentTo(_stopNumbers));
            Assert.That(changes.GroupBy(c => c.Message.PhoneNumber).Where(g => g.Select(c => c.MessageId).Distinct().Count() != 1).Select(g => g.Key),
                Is.Empty, "numbers with state events of more than one message id");
        });
    }

    [Test]
    public void Should_request_one_confirmation_per_stop_number()
    {
        var confirmations = Confirmations();
        Assert.Multiple(() =>
        {
            Assert.That(confirmations.Select(c => c.Message.To).Distinct(), Is.EquivalentTo(_stopNumbers));
            Assert.That(confirmations.GroupBy(c => c.Message.To).Where(g => g.Select(c => c.MessageId).Distinct().Count() != 1).Select(g => g.Key),
                Is.Empty, "numbers that would get two different confirmation texts");
        });
    }

    private IReadOnlyList<Observed<ConversationOptStateChanged>> StateChanges() =>
        Events.Received<ConversationOptStateChanged>(m => m.AccountId == _account);

    private IReadOnlyList<Observed<ConfirmationMessageRequested>> Confirmations() =>
        Events.Received<ConfirmationMessageRequested>(m => m.AccountId == _account);

    /// <summary>Sees every text the service's consumer finished (on the service's own bus), by provider id.</summary>
    private sealed class ConsumedTexts : IConsumeObserver
    {
        private readonly ConcurrentDictionary<string, int> _times = new();

        public int Count => _times.Count;

        public int Redelivered => _times.Count(t => t.Value > 1);

        public ICollection<string> ProviderMessageIds => _times.Keys;

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            if (context.Message is InboundMessage { ProviderMessageId: { } id } && id.StartsWith("SM-stream-", StringComparison.Ordinal))
                _times.AddOrUpdate(id, 1, (_, times) => times + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
