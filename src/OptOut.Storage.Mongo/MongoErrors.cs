using MongoDB.Driver;

namespace OptOut.Storage.Mongo;

/// <summary>How the Mongo stores classify driver errors.</summary>
public static class MongoErrors
{
    private const int DuplicateKeyCode = 11000;

    /// <summary>
    /// Errors a retry can fix: a dropped or refused connection, server selection timing out (the driver throws a plain
    /// <see cref="TimeoutException"/>), a primary stepping down or a node recovering during an election, an
    /// operation that hit its server time limit, and the pool pausing after a server was marked unknown. Anything
    /// else (bad credentials, a duplicate key, a validation error) surfaces at once.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        // Bad credentials are a connection exception too, but no retry fixes them.
        MongoAuthenticationException => false,
        MongoConnectionException => true,
        MongoConnectionPoolPausedException => true,
        MongoExecutionTimeoutException => true,
        MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// A unique-index violation: the normal outcome of two writers inserting the same number at once. MongoDB reports
    /// it as a write error; some servers and emulators report it as a command error with code 11000.
    /// </summary>
    public static bool IsDuplicateKey(Exception exception) => exception switch
    {
        MongoWriteException e => e.WriteError?.Category == ServerErrorCategory.DuplicateKey,
        MongoDuplicateKeyException => true,
        MongoCommandException e => e.Result is not null && e.Code == DuplicateKeyCode,
        _ => false,
    };
}
