using System.Diagnostics;
using System.Diagnostics.Metrics;
using OptOut.Contracts;

namespace OptOut.Service.Messaging;

/// <summary>The service's own traces and metrics. Labels never carry phone numbers (DESIGN.md privacy).</summary>
public sealed class OptOutTelemetry : IDisposable
{
    public const string Name = "OptOut.Service";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _keywordHits;
    private readonly Counter<long> _rejected;

    public OptOutTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _transitions = _meter.CreateCounter<long>("optout.transitions", description: "State changes, by source and new state");
        _keywordHits = _meter.CreateCounter<long>("optout.keyword_hits", description: "Inbound texts that matched an opt-out keyword");
        _rejected = _meter.CreateCounter<long>("optout.rejected_inputs", description: "Inputs rejected as unusable, by message type");
    }

    public void Transition(OptOutSource source, OptState state) =>
        _transitions.Add(1, new("source", source.ToString()), new("state", state.ToString()));

    public void KeywordHit(string keyword) => _keywordHits.Add(1, new KeyValuePair<string, object?>("keyword", keyword));

    public void Rejected(string messageType) => _rejected.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public void Dispose() => _meter.Dispose();
}
