using MassTransit;
using OptOut.Contracts;
using OptOut.Core;
using OptOut.Core.Keywords;
using OptOut.Service.Messaging;
using OptOut.Service.Tests.Harness;

namespace OptOut.Service.Tests.Intent;

/// <summary>What the intent specs share: the contact, settings updates, and "what did the texts cause".</summary>
public static class IntentSpecs
{
    /// <summary>The contact, as the gateway sends it and as the service stores it.</summary>
    public const string Typed = "(555) 201-1234";

    public const string Contact = "+15552011234";

    public const string OtherContact = "+15552015678";

    // What the specs themselves send, and the answers to it: never "caused by a text".
    private static readonly HashSet<Type> SentBySpecs =
    [
        typeof(InboundMessage), typeof(OptOutRequested), typeof(OptOutRequestCompleted), typeof(UpdateOptOutSettings),
        typeof(OptOutSettingsChanged), typeof(OptOutSettingsRejected),
    ];

    public static ShippedLanguage Shipped(string code) => ShippedLanguage.Find(code) ?? throw new ArgumentOutOfRangeException(nameof(code), code, null);

    /// <summary>A valid update that keeps every default (the required fields set as a new account has them).</summary>
    public static UpdateOptOutSettings Settings(AccountId account) => new()
    {
        AccountId = account,
        RequestId = Guid.NewGuid(),
        DefaultCountryCode = "1",
        AutoOptOutEnabled = true,
        OptOutMessage = AccountSettings.DefaultOptOutMessage,
        RequestedBy = "admin@example.com",
    };

    /// <summary>Applies an update and checks that the service took it (a rejected one would make a "does nothing" spec vacuous).</summary>
    public static async Task Apply(this ServiceHarness service, UpdateOptOutSettings update)
    {
        await service.PublishAndWait(update);

        var rejected = service.Published<OptOutSettingsRejected>(r => r.RequestId == update.RequestId);
        Assert.That(rejected, Is.Empty, () => "the settings update was rejected: " + string.Join(" | ", rejected.SelectMany(r => r.Reasons)));
        Assert.That(service.Published<OptOutSettingsChanged>(c => c.RequestId == update.RequestId), Has.Count.EqualTo(1), "the settings update was applied");
    }

    /// <summary>An administrator's opt-out of one number (no conversation, no confirmation).</summary>
    public static Task OptOutBy(this ServiceHarness service, OptOutRequestSource source, AccountId account, string number, DateTimeOffset at) =>
        service.PublishAndWait(new OptOutRequested
        {
            RequestId = Guid.NewGuid(),
            AccountId = account,
            PhoneNumbers = [number],
            Source = source,
            RequestedBy = "alice@example.com",
            RequestedAt = at,
        });

    /// <summary>Everything published that the specs didn't send themselves (events, replies, reviews, faults), by type name.</summary>
    public static IReadOnlyList<string> Caused(this ServiceHarness service) =>
        [.. service.Harness.Published.SeenNow<object>()
            .Select(m => m.Context.Message.GetType())
            .Where(t => !SentBySpecs.Contains(t))
            .Select(t => t.IsGenericType ? $"{t.Name}<{string.Join(",", t.GetGenericArguments().Select(a => a.Name))}>" : t.Name)];

    public static Task<OptOutRecord?> Find(this ServiceHarness service, AccountId account, string phone = Contact) =>
        service.Services.GetRequiredService<IOptOutStore>().FindAsync(account, phone);

    /// <summary>The message id of every publish of one event type, in order, re-publishes included (<see cref="PublishLog"/>).</summary>
    public static IReadOnlyList<Guid?> MessageIdsOf<T>(this ServiceHarness service, Func<T, bool>? filter = null)
        where T : class => service.PublishLog.MessageIdsOf(filter);

    /// <summary>The id an event caused by the text with this provider id must carry (EventPublisher's derivation).</summary>
    public static Guid DerivedId(string providerId, string kind, string phone = Contact) => MessageIds.Derive("inbound:" + providerId, phone, kind);
}
