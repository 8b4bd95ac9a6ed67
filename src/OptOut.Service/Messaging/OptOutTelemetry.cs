using System.Diagnostics.Metrics;
using OptOut.Contracts;
using OptOut.Core.Intent;

namespace OptOut.Service.Messaging;

/// <summary>
/// The service's own metrics (its spans are <see cref="OptOut.Core.OptOutActivity"/>'s). Labels never carry phone numbers
/// (never a whole phone number).
/// </summary>
public sealed class OptOutTelemetry : IDisposable
{
    public const string Name = "OptOut.Service";

    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _keywordHits;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _detections;
    private readonly Counter<long> _resent;
    private readonly Counter<long> _alreadyAnnounced;

    public OptOutTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _transitions = _meter.CreateCounter<long>("optout.transitions", description: "State changes, by source and new state");
        _keywordHits = _meter.CreateCounter<long>("optout.keyword_hits",
            description: "Inbound texts that are a keyword, by keyword, kind (opt_out, opt_in, help) and language");
        _detections = _meter.CreateCounter<long>("optout.detections",
            description: "Inbound texts the natural-language detector read as a revocation or a possible one, by decision, method and language");
        _resent = _meter.CreateCounter<long>("optout.outbox.resent",
            description: "Changes whose events were published again, by what re-sent them: a replay of the causing message (retry or redelivery) or the outbox sweeper");
        _alreadyAnnounced = _meter.CreateCounter<long>("optout.outbox.already_announced",
            description: "Duplicates or redeliveries of a change's message that published nothing: its events were confirmed, or another delivery was publishing them");
        _rejected = _meter.CreateCounter<long>("optout.rejected_inputs",
            description: "Inputs rejected as unusable, by message type and what was rejected: the whole message, one number of a request, a settings update");
    }

    public void Transition(OptOutSource source, OptState state) =>
        _transitions.Add(1, new("source", source.ToString()), new("state", state.ToString()));

    /// <summary>A change's events published again: <paramref name="by"/> is <c>replay</c> or <c>sweeper</c>.</summary>
    public void Resent(string by) => _resent.Add(1, new KeyValuePair<string, object?>("by", by));

    /// <summary>A duplicate that published nothing, its change already announced.</summary>
    public void AlreadyAnnounced() => _alreadyAnnounced.Add(1);

    /// <summary>Counts what an inbound text was read as; ordinary replies are not counted.</summary>
    public void Read(TextIntent intent)
    {
        if (intent.Detection is not { } detection || intent.Kind == TextIntentKind.None)
            return;

        if (detection.Method == DetectionMethod.Keyword)
        {
            _keywordHits.Add(1, new("keyword", detection.Matched), new("kind", Tag(intent.Kind)), new("language", intent.Language));
            return;
        }

        _detections.Add(1, new("decision", Tag(intent.Kind)), new("method", detection.Method.ToString()), new("language", intent.Language));
    }

    private static string Tag(TextIntentKind kind) => kind switch
    {
        TextIntentKind.OptOut => "opt_out",
        TextIntentKind.OptIn => "opt_in",
        TextIntentKind.Help => "help",
        TextIntentKind.PossibleOptOut => "possible_opt_out",
        _ => "none",
    };

    /// <summary>Counts rejected inputs: <paramref name="input"/> is <c>message</c>, <c>phone_number</c> or <c>settings</c>.</summary>
    public void Rejected(string messageType, string input, int count = 1)
    {
        if (count > 0)
            _rejected.Add(count, new("message_type", messageType), new("input", input));
    }

    public void Dispose() => _meter.Dispose();
}
