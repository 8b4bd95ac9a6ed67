namespace OptOut.Core;

/// <summary>
/// The compare-and-swap token of every store write (a record, an upload's state): the version must move forward on
/// every write, or a writer holding an old read could overwrite a newer state (ABA). Both stores check it the same way.
/// </summary>
public static class WriteVersion
{
    /// <summary>Throws when <paramref name="version"/> doesn't follow <paramref name="expectedVersion"/> (0: an insert).</summary>
    public static void EnsureAdvances(long version, long expectedVersion, string what, string parameterName)
    {
        if (version <= expectedVersion || expectedVersion < 0)
            throw new ArgumentException($"{what} version {version} must be greater than expected version {expectedVersion}.", parameterName);
    }
}
