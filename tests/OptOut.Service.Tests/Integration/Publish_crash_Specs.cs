using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Service.Messaging;

namespace OptOut.Service.Tests.Integration;

/// <summary>
/// A keyword STOP whose events the broker has not confirmed when the service dies (issue 14, docs/proposals/outbox.md
/// §5 "Kill -9"), against the real RabbitMQ and the SQLite store: the service, a process of its own, stores the
/// opt-out, the broker nacks both events, and the service is killed with SIGKILL in that state, then started again
/// on the same file with the broker taking the events again. Each event must then reach a subscriber exactly once,
/// with the message id derived from the STOP, and the store must keep one transition and no pending events.
/// <para>How the broker is made to nack: the spec's raw subscriber queue gets the policy
/// <c>{"max-length":0,"overflow":"reject-publish"}</c>, and a publish that any queue rejects is nacked
/// (https://www.rabbitmq.com/docs/maxlength, "Queue Overflow Behaviour"), whatever other queues are bound. MassTransit 8.5.12
/// does not fault such a publish: it wraps the client's <c>PublishException</c> ("Message rejected by broker") in a
/// <c>RabbitMqConnectionException</c>, logs it as <c>S-FAULT</c> and publishes again every 7-30 s until the caller gives
/// up, so the consume hangs (until the service's 30 s attempt deadline) and the STOP stays unacknowledged.</para>
/// </summary>
public abstract class ServiceKilledBeforeTheBrokerConfirmed
{
    private const string StateChanged = nameof(ConversationOptStateChanged);
    private const string Confirmation = nameof(ConfirmationMessageRequested);
    private const string RefuseEverything = """{"max-length":0,"overflow":"reject-publish"}""";

    // Generous: the machine is shared and slow at times. Nothing is measured against these, they only bound a hang.
    private static readonly TimeSpan SetUpTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan KillPointTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EventsTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the raw queue must stay empty before nothing more is expected on it.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private readonly AccountId _account = Guid.NewGuid();
    private readonly string _phone = "+1555201" + Random.Shared.Next(10_000).ToString("D4", CultureInfo.InvariantCulture);
    private readonly string _queue = "optout-specs-publish-crash-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Stopwatch _elapsed = new();
    private BrokerEndpoint _broker = null!;
    private string _directory = null!;
    private string _logPath = null!;
    private RawRabbit? _rabbit;
    private ServiceProcess? _service;
    private bool _policySet;

    private int? _pendingAtKill;
    private readonly List<Guid?> _stateChanges = [];
    private readonly List<Guid?> _confirmations = [];
    private StoredNumber? _stored;
    private int? _pendingAtEnd;

    private string DatabasePath => Path.Combine(_directory, "optout.db");

    /// <summary>The STOP's id at the gateway: what makes its causation id, so its redelivery is recognised.</summary>
    protected string ProviderMessageId { get; } = "SM-" + Guid.NewGuid().ToString("N");

    private string Causation => "inbound:" + ProviderMessageId;

    /// <summary>Environment of both service processes on top of the common one.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>What happens to the unacknowledged STOP between the kill and the restart; by default the broker redelivers it.</summary>
    protected virtual Task AfterTheKillAsync(RawRabbit rabbit, CancellationToken cancellationToken) => Task.CompletedTask;

    [OneTimeSetUp]
    public async Task StopKillAndRestart()
    {
        _broker = await BrokerDiscovery.RequireAsync();
        if (_broker.Control is null)
            TestSetup.Missing($"Can't set a queue policy on the broker: {_broker.NoControlReason}");
        if (ServiceProcess.Locate(out var notBuilt) is null)
            TestSetup.Missing(notBuilt);
        _directory = Path.Combine(Path.GetTempPath(), "optout-publish-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _logPath = Path.Combine(_directory, "service.log");
        _elapsed.Start();
        Progress($"RabbitMQ at {_broker}; data in {_directory}");

        using var timeout = new CancellationTokenSource(SetUpTimeout);
        var cancellationToken = timeout.Token;
        try
        {
            _rabbit = await RawRabbit.ConnectAsync(_broker, cancellationToken);
            _service = await StartServiceAsync(cancellationToken);
            await _rabbit.BindQueueAsync(_queue, [$"OptOut.Contracts:{StateChanged}", $"OptOut.Contracts:{Confirmation}"], cancellationToken);
            _policySet = true; // before the call: if it fails half-way, the teardown still clears it
            await _broker.Control.SetPolicyAsync(_broker.VirtualHost, _queue, $"^{Regex.Escape(_queue)}$", RefuseEverything, "queues", cancellationToken);

            await _rabbit.PublishJsonAsync(RabbitMqServiceFixture.InboundExchange, $$"""
                {"accountId": "{{_account}}", "from": "{{_phone}}", "to": "{{Messages.OurNumber}}", "body": "STOP",
                 "receivedAt": "{{DateTimeOffset.UtcNow:O}}", "providerMessageId": "{{ProviderMessageId}}"}
                """, Guid.NewGuid().ToString(), cancellationToken);
            Progress("STOP published");

            await KillOnceTheBrokerRejectedTheEventsAsync(cancellationToken);
            await _broker.Control.ClearPolicyAsync(_broker.VirtualHost, _queue, cancellationToken);
            _policySet = false;
            await AfterTheKillAsync(_rabbit, cancellationToken);

            _service = await StartServiceAsync(cancellationToken);
            await CollectTheEventsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not IgnoreException)
        {
            // The teardown deletes the folder, log included: show the end of it now.
            PrintLogTail($"The publish crash spec failed after {_elapsed.Elapsed.TotalSeconds:0} s");
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        var steps = new TeardownSteps();
        if (_service is not null)
            await steps.RunAsync(() => _service.DisposeAsync().AsTask());
        _service = null;
        if (_policySet && _broker.Control is { } control)
        {
            // Never leave a queue policy behind for whatever runs next in the virtual host.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await steps.RunAsync(() => control.ClearPolicyAsync(_broker.VirtualHost, _queue, timeout.Token));
        }

        if (_rabbit is not null)
        {
            await steps.RunAsync(() => _rabbit.DeleteQueueAndExchangeAsync(_queue));
            await steps.RunAsync(() => _rabbit.DisposeAsync().AsTask());
        }

        _rabbit = null;
        steps.DeleteFolder(_directory);
        steps.ThrowIfAnyFailed("publish crash fixture");
    }

    [Test]
    public void Should_hold_the_events_in_the_store_until_the_broker_confirms_them()
    {
        Assert.That(_pendingAtKill, Is.EqualTo(1),
            _pendingAtKill is null
                ? "the store has no pending_events table: nothing records that the events are still to be published"
                : "the number's pending_events row when the service was killed");
    }

    [Test]
    public void Should_publish_the_state_change_once_with_the_message_id_of_the_stop()
    {
        Assert.That(_stateChanges, Is.EqualTo(new Guid?[] { MessageIds.Derive(Causation, _phone, "state") }),
            $"the {StateChanged} deliveries for the number (their message ids) after the restart");
    }

    [Test]
    public void Should_publish_the_confirmation_once_with_the_message_id_of_the_stop()
    {
        Assert.That(_confirmations, Is.EqualTo(new Guid?[] { MessageIds.Derive(Causation, _phone, "confirmation") }),
            $"the {Confirmation} deliveries for the number (their message ids) after the restart");
    }

    [Test]
    public void Should_store_one_transition_caused_by_the_stop()
    {
        Assert.That(_stored, Is.EqualTo(new StoredNumber("OptedOut", Entries: 1, Causation)), "the number's record after the restart");
    }

    [Test]
    public void Should_leave_no_pending_events_once_they_are_published()
    {
        // No table (the outbox not built) holds no rows either.
        Assert.That(_pendingAtEnd ?? 0, Is.Zero, "pending_events rows left for the number after the events were published");
    }

    private void Progress(string what) => TestContext.Progress.WriteLine($"{_elapsed.Elapsed.TotalSeconds,6:0.0} s: {what}");

    private void PrintLogTail(string why) => TestContext.Progress.WriteLine($"{why}; the service's log ends with:\n" + ServiceProcess.Tail(_logPath));

    private async Task<ServiceProcess> StartServiceAsync(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["RabbitMq__Host"] = _broker.Host,
            ["RabbitMq__Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = _broker.VirtualHost,
            ["RabbitMq__Username"] = _broker.Username,
            ["RabbitMq__Password"] = _broker.Password,
            ["Storage__Provider"] = "Sqlite",
            ["Storage__SqlitePath"] = DatabasePath,
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (name, value) in Settings)
            environment[name] = value;
        var service = await ServiceProcess.StartAsync(ServiceProcess.Locate(out _)!, environment, _logPath, cancellationToken);
        Progress($"service process {service.ProcessId} ready at {service.BaseAddress}");
        return service;
    }

    /// <summary>
    /// Kills once the opt-out is stored and the broker has rejected a publish of its events (MassTransit's S-FAULT
    /// line): the transition is written, its events are on no queue, and the STOP is still unacknowledged.
    /// </summary>
    private async Task KillOnceTheBrokerRejectedTheEventsAsync(CancellationToken cancellationToken)
    {
        string? state = null;
        var rejected = false;
        await Poll.UntilAsync(async () =>
            {
                state = (await ReadNumberAsync(cancellationToken))?.State;
                var log = ServiceProcess.Tail(_logPath, lines: int.MaxValue);
                rejected = log.Contains("S-FAULT", StringComparison.Ordinal) && log.Contains("Message rejected by broker", StringComparison.Ordinal);
                return state == "OptedOut" && rejected;
            },
            KillPointTimeout, () => $"the number's stored state is {state ?? "(no record)"}, and the service's log "
                                    + (rejected ? "shows" : "shows no") + " publish rejected by the broker",
            cancellationToken);
        _pendingAtKill = await CountPendingAsync(cancellationToken);

        await _service!.KillAsync(cancellationToken);
        await _service.DisposeAsync();
        _service = null;
        Progress("SIGKILL with the opt-out stored and its events rejected by the broker; pending_events rows: "
                 + (_pendingAtKill?.ToString(CultureInfo.InvariantCulture) ?? "no table"));
    }

    /// <summary>Reads the raw queue until both events of the number arrived and then nothing more for a while, or the deadline passed.</summary>
    private async Task CollectTheEventsAsync(CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        do
        {
            foreach (var message in await _rabbit!.DrainAsync(_queue, Quiet, EventsTimeout, cancellationToken))
            {
                using var envelope = JsonDocument.Parse(message.Body);
                var root = envelope.RootElement;
                var type = root.GetProperty("messageType")[0].GetString()!;
                var body = root.GetProperty("message");
                if (body.GetProperty("accountId").GetString() != _account.ToString())
                    continue;
                var messageId = root.TryGetProperty("messageId", out var id) && Guid.TryParse(id.GetString(), out var parsed) ? parsed : (Guid?)null;
                if (type.EndsWith(":" + StateChanged, StringComparison.Ordinal) && body.GetProperty("phoneNumber").GetString() == _phone)
                    _stateChanges.Add(messageId);
                else if (type.EndsWith(":" + Confirmation, StringComparison.Ordinal) && body.GetProperty("to").GetString() == _phone)
                    _confirmations.Add(messageId);
            }
        }
        while ((_stateChanges.Count == 0 || _confirmations.Count == 0) && elapsed.Elapsed < EventsTimeout);

        _stored = await ReadNumberAsync(cancellationToken);
        var pendingTimer = Stopwatch.StartNew();
        while ((_pendingAtEnd = await CountPendingAsync(cancellationToken)) > 0 && pendingTimer.Elapsed < PendingTimeout)
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        Progress($"after the restart: {_stateChanges.Count} {StateChanged} and {_confirmations.Count} {Confirmation} for the number, "
                 + $"pending_events rows: {_pendingAtEnd?.ToString(CultureInfo.InvariantCulture) ?? "no table"}");
        if (_stateChanges.Count != 1 || _confirmations.Count != 1)
            PrintLogTail("Not exactly one of each event");
    }

    private Task<SqliteConnection> OpenReadOnlyAsync(CancellationToken cancellationToken) => ReadOnlySqlite.OpenAsync(DatabasePath, cancellationToken);

    private async Task<StoredNumber?> ReadNumberAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadOnlyAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT o.state, COUNT(h.seq), MAX(h.causation_id)
            FROM opt_outs_readable o LEFT JOIN opt_out_history_readable h ON h.account_id = o.account_id AND h.phone = o.phone
            WHERE o.account_id = @account_id AND o.phone = @phone
            GROUP BY o.state
            """;
        command.Parameters.AddWithValue("@account_id", _account.Value);
        command.Parameters.AddWithValue("@phone", _phone);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredNumber(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    /// <summary>The number's rows in <c>pending_events</c> (the outbox), or null when the store has no such table.</summary>
    private async Task<int?> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadOnlyAsync(cancellationToken);
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'pending_events'";
        if (Convert.ToInt32(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
            return null;
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM pending_events p JOIN accounts a ON a.id = p.account_id
            WHERE a.value = @account_id AND p.phone = @phone
            """;
        command.Parameters.AddWithValue("@account_id", _account.Value);
        command.Parameters.AddWithValue("@phone", _phone);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>The number's state, its history entries, and the causation id of its newest one.</summary>
    private sealed record StoredNumber(string State, int Entries, string? LastCausation);
}

/// <summary>The STOP is redelivered after the restart, as the broker does with any delivery its consumer never acknowledged.</summary>
[TestFixture]
public class When_the_service_dies_before_the_broker_confirms_a_stops_events : ServiceKilledBeforeTheBrokerConfirmed;

/// <summary>
/// No message is left to redeliver the events (an admin API write, or a message that went to the error queue): the
/// unacknowledged STOP is taken off <c>inbound-message</c> after the kill, so only the store still knows the events
/// are owed, and the restarted service must publish them from there within a few claim timeouts.
/// </summary>
[TestFixture]
public class When_the_service_dies_and_no_message_is_left_to_redeliver : ServiceKilledBeforeTheBrokerConfirmed
{
    private const string InboundQueue = "inbound-message";

    /// <summary>
    /// Short, so the claim the killed process took runs out within seconds: on both processes, since the claim is
    /// written (and its expiry fixed) by the one that dies.
    /// </summary>
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Outbox__ClaimTimeout"] = "00:00:05",
        ["Outbox__SweepInterval"] = "00:00:01",
    };

    protected override async Task AfterTheKillAsync(RawRabbit rabbit, CancellationToken cancellationToken)
    {
        // The broker puts the STOP back on the queue once it has noticed the dead connection: take it off for good.
        var stop = await rabbit.TakeAsync(InboundQueue, m => m.Body.Contains(ProviderMessageId, StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            cancellationToken);
        Assert.That(stop, Is.Not.Null, "the unacknowledged STOP never came back to inbound-message after the kill");
        await rabbit.PurgeQueueAsync(InboundQueue, cancellationToken);
    }
}
