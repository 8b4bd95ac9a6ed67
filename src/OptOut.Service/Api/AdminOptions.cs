using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Service.Api;

/// <summary>Configuration section <c>Admin</c>, bound once (<c>IOptions&lt;AdminOptions&gt;</c>) and checked when the service starts.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The keys that may call <c>/api</c>, each with the accounts it may touch.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Largest bulk upload accepted over HTTP.</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Largest JSON body accepted.</summary>
    public long MaxJsonBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a write (an opt-out, an opt-in, a settings change) may take in the instance that took it before it is
    /// handed to the bus and answered 202 (<see cref="AdminWrites"/>).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws, naming the setting, for a value that can't work.</summary>
    public void EnsureUsable()
    {
        foreach (var (name, value) in (ReadOnlySpan<(string, long)>)[("MaxUploadBytes", MaxUploadBytes), ("MaxJsonBytes", MaxJsonBytes)])
        {
            if (value < 1)
                throw new InvalidOperationException($"{Section}:{name} is {value}; it must be at least 1.");
        }

        for (var i = 0; i < ApiKeys.Count; i++)
        {
            for (var j = 0; j < ApiKeys[i].Accounts.Count; j++)
            {
                var account = ApiKeys[i].Accounts[j];
                if (account != "*" && AccountId.Check(account) is { } reason)
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Section}:ApiKeys:{i}:Accounts:{j} is \"{account}\": {reason}, or * for every account."));
            }
        }

        if (RequestTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{Section}:RequestTimeout is {RequestTimeout}; it must be longer than zero."));
    }
}

public sealed class ApiKeyOptions
{
    /// <summary>The secret (set through the environment or a secret store, never in the repository).</summary>
    public string Key { get; set; } = "";

    /// <summary>Account ids this key may touch, each exactly as the platform knows it (compared case-sensitively); <c>*</c> means every account.</summary>
    public List<string> Accounts { get; set; } = [];

    /// <summary>Who the key belongs to: recorded as the actor of what it does.</summary>
    public string Name { get; set; } = "api";
}
