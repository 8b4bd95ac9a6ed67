using System.Collections.Concurrent;
using OptOut.Contracts;
using OptOut.Core.Intent;

namespace OptOut.Core;

/// <summary>
/// An account's settings with the keyword matcher and the revocation detector (null when detection is off) built from
/// them, once per settings change.
/// </summary>
public sealed record ResolvedSettings(AccountSettings Settings, KeywordMatcher Keywords, RevocationDetector? Detector)
{
    public static ResolvedSettings From(AccountSettings settings) => new(
        settings, KeywordMatcher.For(settings), settings.DetectionEnabled ? RevocationDetector.For(settings.ActiveLanguages) : null);
}

/// <summary>
/// Caches account settings: 90% of inbound traffic is ordinary replies, which must not cost a database read.
/// A change made by this instance is visible to the next message at once (<see cref="Set"/>); other instances
/// drop their copy when they see <c>OptOutSettingsChanged</c> (<see cref="Invalidate"/>), and entries expire after
/// <see cref="TimeToLive"/> as a safety net should that event be missed.
/// </summary>
public sealed class SettingsCache(ISettingsStore store, TimeProvider clock)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<AccountId, (ResolvedSettings Value, DateTimeOffset Expires)> _entries = new();

    public async ValueTask<ResolvedSettings> GetAsync(AccountId accountId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(accountId, out var entry) && entry.Expires > now)
            return entry.Value;

        var settings = await store.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? AccountSettings.Defaults(accountId);
        return Put(settings, now);
    }

    public ResolvedSettings Set(AccountSettings settings) => Put(settings, clock.GetUtcNow());

    public void Invalidate(AccountId accountId) => _entries.TryRemove(accountId, out _);

    private ResolvedSettings Put(AccountSettings settings, DateTimeOffset now)
    {
        var resolved = ResolvedSettings.From(settings);
        _entries[settings.AccountId] = (resolved, now + TimeToLive);
        return resolved;
    }
}
