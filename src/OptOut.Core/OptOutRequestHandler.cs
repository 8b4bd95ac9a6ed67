using OptOut.Contracts;
using OptOut.Core.Outbox;

namespace OptOut.Core;

/// <summary>A manual, Messenger or API request to opt numbers out, or one number back in, mapped at the boundary.</summary>
public sealed record OptRequest
{
    /// <summary>More numbers than an admin pastes into a box: bigger lists belong in a bulk upload.</summary>
    public const int MaxNumbers = 1_000;

    public required Guid RequestId { get; init; }

    public required AccountId AccountId { get; init; }

    public required OptState State { get; init; }

    /// <summary>Null when the message left it out: rejected.</summary>
    public required OptOutSource? Source { get; init; }

    public required IReadOnlyList<string?>? PhoneNumbers { get; init; }

    public required string? RequestedBy { get; init; }

    public string? Note { get; init; }

    public string? ConversationId { get; init; }

    public string? CampaignId { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>For a conversation (Messenger) opt-out: the number the confirmation text is sent from.</summary>
    public string? ReplyFrom { get; init; }

    /// <summary>Who publishes the events of the changes this request makes; see <see cref="OptChange.Claim"/>.</summary>
    public PublishClaim? Claim { get; init; }
}

/// <summary>The result of one input, and the change it applied (null when rejected or a repeat within the request).</summary>
public sealed record OptItemOutcome(OptOutRequestItemResult Result, OptChange? Change, OptDecision? Decision);

/// <summary>
/// Manual, Messenger and API opt-outs and opt-ins ("Delete Opt Out"). Each input gets a
/// result; a bad input is rejected with its reason and the others still apply.
/// </summary>
public sealed class OptOutRequestHandler(SettingsCache settingsCache, OptOutService optOuts)
{
    public async Task<IReadOnlyList<OptItemOutcome>> HandleAsync(OptRequest request, CancellationToken cancellationToken = default)
    {
        var inputs = PhoneNumberParser.SplitList(request.PhoneNumbers ?? []);
        Validate(request, inputs);
        if (request.State == OptState.OptedIn && inputs.Count > 1)
        {
            // Compliance first: opting back in is one deliberate decision about one number, never a pasted list.
            var typed = string.Join(", ", (request.PhoneNumbers ?? []).Where(p => p is not null));
            var reason = $"an opt-in takes exactly one number, this lists {inputs.Count}: nothing was opted back in (send one request per number)";
            return [new(new() { Input = typed, Outcome = OptOutOutcome.Rejected, Reason = reason }, null, null)];
        }

        var settings = await settingsCache.GetAsync(request.AccountId, cancellationToken).ConfigureAwait(false);
        // Only a conversation opt-out (Messenger) gets the confirmation text; manual and API ones have no conversation.
        var reply = request is { Source: OptOutSource.Messenger, State: OptState.OptedOut }
            ? new ConfirmationTarget(request.ReplyFrom, settings.Settings.OptOutMessage)
            : null;
        var outcomes = new List<OptItemOutcome>(inputs.Count);
        var firstIndexByPhone = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var parsed = PhoneNumberParser.Parse(input, settings.Settings.DefaultCountryCode);
            if (parsed.Number is null)
            {
                outcomes.Add(new(new() { Input = input, Outcome = OptOutOutcome.Rejected, Reason = parsed.Error }, null, null));
                continue;
            }

            var phone = parsed.Number;
            if (firstIndexByPhone.TryGetValue(phone.E164, out var first))
            {
                // The same number typed twice in one request: one change, reported on both inputs.
                outcomes.Add(new(outcomes[first].Result with { Input = input, Reason = $"same number as input {first + 1}" }, null, null));
                continue;
            }

            firstIndexByPhone[phone.E164] = outcomes.Count;
            var change = new OptChange
            {
                AccountId = request.AccountId,
                Phone = phone,
                State = request.State,
                Source = request.Source!.Value,
                At = request.RequestedAt,
                CausationId = $"request:{request.RequestId:N}",
                Actor = request.RequestedBy,
                Note = Note(request),
                ConversationId = request.ConversationId,
                CampaignId = request.CampaignId,
                Reply = reply,
                Claim = request.Claim,
            };
            var decision = await optOuts.ApplyAsync(change, cancellationToken).ConfigureAwait(false);
            var reason = phone.IsValid ? null : "possible but not a valid number: opted out anyway, flagged";
            outcomes.Add(new(new() { Input = input, PhoneNumber = phone.E164, Outcome = decision.OutcomeFor(request.State), Reason = reason }, change, decision));
        }

        return outcomes;
    }

    private static void Validate(OptRequest request, IReadOnlyList<string> inputs)
    {
        var errors = new List<string>();
        if (request.AccountId.IsEmpty)
            errors.Add("accountId is required");
        if (request.RequestId == Guid.Empty)
            errors.Add("requestId is required");
        if (string.IsNullOrWhiteSpace(request.RequestedBy))
            errors.Add("requestedBy is required");
        if (inputs.Count == 0)
            errors.Add("at least one phone number is required");
        else if (inputs.Count > OptRequest.MaxNumbers)
            errors.Add($"{inputs.Count} numbers in one request; the limit is {OptRequest.MaxNumbers} (use a bulk upload)");
        if (request.Source is not { } source)
            errors.Add("source is required: Manual, Messenger or Api");
        else if (!Enum.IsDefined(source))
            errors.Add($"source '{source}' is not one of Manual, Messenger, Api");
        if (errors.Count > 0)
            throw new InvalidMessageException(errors);
    }

    private static string Note(OptRequest request)
    {
        var what = (request.State, request.Source) switch
        {
            (OptState.OptedIn, _) => $"Opted back in by {request.RequestedBy}",
            (_, OptOutSource.Messenger) => $"Opted out by {request.RequestedBy} from conversation {request.ConversationId ?? "(unknown)"}",
            (_, OptOutSource.Api) => $"Opted out through the API by {request.RequestedBy}",
            _ => $"Opted out manually by {request.RequestedBy}",
        };
        return string.IsNullOrWhiteSpace(request.Note) ? what : $"{what}: {request.Note.Trim()}";
    }
}
