using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Benchmarks.Inbound;

/// <summary>
/// The texts of one batch: every tenth is an opt-out keyword from a number of its own (so each causes exactly one
/// transition and one confirmation), the rest ordinary replies from other numbers, each read by the detector ("Yes" is
/// an opt-in keyword from a number not opted out: one read, nothing else; "No thanks" a possible revocation: one
/// OptOutReviewRequested, which the listener doesn't wait for). Accounts are new per run, so a
/// run never meets the opt-outs of an earlier one.
/// </summary>
internal sealed class InboundWorkload
{
    public const int StopEvery = 10;

    // Forms the normalizer must fold: case, trailing punctuation, a two-word keyword.
    private static readonly string[] StopForms = ["STOP", "stop", "Stop!", "UNSUBSCRIBE", "opt out"];

    private static readonly string[] Replies =
    [
        "Yes", "What time?", "No thanks", "ok", "Sounds good, see you then", "Who is this?",
        "Can I reschedule to Tuesday?", "\U0001F44D", "Thanks!", "Can you stop by at 5?", "Is the store open on Sunday?",
    ];

    private readonly AccountId[] _accounts;
    private readonly string[] _accountNumbers;
    private readonly DateTimeOffset _receivedAt = DateTimeOffset.UtcNow;

    public InboundWorkload(string tag, int count, int accounts)
    {
        Tag = tag;
        Count = count;
        _accounts = [.. Enumerable.Range(0, accounts).Select(_ => (AccountId)Guid.NewGuid())];
        _accountNumbers = [.. Enumerable.Range(0, accounts).Select(a => "+1555987" + (1000 + a).ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Prefix of every <see cref="InboundMessage.ProviderMessageId"/> in the batch: <c>{Tag}-{index}</c>.</summary>
    public string Tag { get; }

    public int Count { get; }

    public IReadOnlyList<AccountId> Accounts => _accounts;

    /// <summary>Texts that opt their sender out: each causes one state change and one confirmation.</summary>
    public int StopCount => (Count + StopEvery - 1) / StopEvery;

    public bool IsStop(int index) => index % StopEvery == 0;

    /// <summary>The E.164 number a keyword text comes from (distinct per keyword text; the form the events carry).</summary>
    public static string StopSender(int index) => "+1212" + (2_000_000 + index / StopEvery).ToString(CultureInfo.InvariantCulture);

    public InboundMessage Create(int index)
    {
        var account = index / StopEvery % _accounts.Length;
        var stop = IsStop(index);
        return new InboundMessage
        {
            AccountId = _accounts[account],
            From = stop ? StopSender(index) : "+1617" + (3_000_000 + index % 20_000).ToString(CultureInfo.InvariantCulture),
            To = _accountNumbers[account],
            Body = stop ? StopForms[index / StopEvery % StopForms.Length] : Replies[index % Replies.Length],
            ReceivedAt = _receivedAt.AddTicks(index),
            ProviderMessageId = Tag + "-" + index.ToString(CultureInfo.InvariantCulture),
            ConversationId = "conv-" + index.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The batch index from a provider message id of this batch, or -1.</summary>
    public int IndexOf(string? providerMessageId)
    {
        if (providerMessageId is null || providerMessageId.Length <= Tag.Length + 1
            || !providerMessageId.StartsWith(Tag, StringComparison.Ordinal) || providerMessageId[Tag.Length] != '-')
            return -1;
        return int.TryParse(providerMessageId.AsSpan(Tag.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
               && index < Count
            ? index
            : -1;
    }
}
