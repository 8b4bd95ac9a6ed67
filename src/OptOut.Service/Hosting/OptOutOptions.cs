namespace OptOut.Service.Hosting;

/// <summary>Configuration section <c>RabbitMq</c> (environment: <c>RabbitMq__Host</c>, …).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "localhost";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";
}

/// <summary>Configuration section <c>Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary><c>RabbitMq</c> (default) or <c>InMemory</c> (embedded single-process runs only: messages are lost on exit).</summary>
    public string Transport { get; set; } = "RabbitMq";
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>Sqlite</c> (default, embedded, single node) or <c>Mongo</c> (production).</summary>
    public string Provider { get; set; } = "Sqlite";

    public string SqlitePath { get; set; } = "data/optout.db";

    public string MongoUri { get; set; } = "mongodb://localhost:27017";

    public string MongoDatabase { get; set; } = "optout";
}
