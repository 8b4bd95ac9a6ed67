using System.Diagnostics.Metrics;
using OptOut.Contracts;

namespace OptOut.Service.Messaging;

/// <summary>
/// The service's own metrics (its spans are <see cref="OptOut.Core.OptOutActivity"/>'s). Labels never carry phone numbers
/// (DESIGN.md privacy).
/// </summary>
public sealed class OptOutTelemetry : IDisposable
{
    public const string Name = "OptOut.Service";

    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _keywordHits;
    private readonly Counter<long> _rejected;

    public OptOutTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _transitions = _meter.CreateCounter<long>("optout.transitions", description: "State changes, by source and new state");
        _keywordHits = _meter.CreateCounter<long>("optout.keyword_hits", description: "Inbound texts that matched an opt-out keyword");
        _rejected = _meter.CreateCounter<long>("optout.rejected_inputs",
            description: "Inputs rejected as unusable, by message type and what was rejected: the whole message, one number of a request, a settings update");
    }

    public void Transition(OptOutSource source, OptState state) =>
        _transitions.Add(1, new("source", source.ToString()), new("state", state.ToString()));

    public void KeywordHit(string keyword) => _keywordHits.Add(1, new KeyValuePair<string, object?>("keyword", keyword));

    /// <summary>Counts rejected inputs: <paramref name="input"/> is <c>message</c>, <c>phone_number</c> or <c>settings</c>.</summary>
    public void Rejected(string messageType, string input, int count = 1)
    {
        if (count > 0)
            _rejected.Add(count, new("message_type", messageType), new("input", input));
    }

    public void Dispose() => _meter.Dispose();
}
