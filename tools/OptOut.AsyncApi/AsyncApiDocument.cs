using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OptOut.Contracts;

namespace OptOut.AsyncApi;

/// <summary>
/// The AsyncAPI 3.0 document of the service's bus API: one channel per message type's exchange (fanout, durable,
/// <c>OptOut.Contracts:TypeName</c>), one per queue the service reads, an operation for each message the service
/// receives or sends, and the payload schemas generated from the contracts (<see cref="ContractSchemas"/>).
/// </summary>
public static class AsyncApiDocument
{
    /// <summary>Where the document is kept in the repository, and the path the service serves it under.</summary>
    public const string RepositoryPath = "docs/asyncapi.json";

    private const string AmqpBinding = "0.3.0";
    private const string SchemaFormat = "application/schema+json;version=draft-2020-12";
    private const string EnvelopeContentType = "application/vnd.masstransit+json";
    private const string RawContentType = "application/json";

    private static readonly JsonSerializerOptions Written = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Descriptions keep their dashes and quotes readable; the document is served as JSON, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The document as the repository keeps it: indented JSON, LF line ends, a final newline.</summary>
    public static string Generate() => Build().ToJsonString(Written) + "\n";

    public static JsonObject Build()
    {
        var assembly = typeof(InboundMessage).Assembly;
        var docs = ContractDocs.For(assembly);
        var schemas = new ContractSchemas(docs);
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();

        void Message(Type type, Direction direction)
        {
            if (messages.ContainsKey(type.Name))
                return;
            messages[type.Name] = MessageObject(type, direction, docs, schemas);
            channels[type.Name] = ExchangeChannel(type);
        }

        foreach (var consumed in BusCatalog.Consumed)
        {
            Message(consumed.Type, Direction.Consumed);
            channels[consumed.Queue] = QueueChannel(consumed);
            operations["receive" + consumed.Type.Name] = new JsonObject
            {
                ["action"] = "receive",
                ["channel"] = Ref($"#/channels/{consumed.Queue}"),
                ["summary"] = $"The service consumes {consumed.Type.Name} from its `{consumed.Queue}` queue.",
                ["description"] = $"Publish to the exchange `{BusCatalog.Exchange(consumed.Type)}` (channel `{consumed.Type.Name}`); it reaches the "
                    + $"`{consumed.Queue}` queue, read by every instance as competing consumers, {consumed.Endpoint}. A message that can never succeed "
                    + $"(bad input: a missing required field, a malformed value, an unknown enum name) is moved at once to `{consumed.Queue}_error` "
                    + $"with the reason in its `MT-Fault-Message` header, and MassTransit publishes a `Fault<{consumed.Type.Name}>` to the exchange "
                    + $"`MassTransit:Fault--{BusCatalog.Exchange(consumed.Type)}--`.",
                ["messages"] = new JsonArray(Ref($"#/channels/{consumed.Queue}/messages/{consumed.Type.Name}")),
                ["bindings"] = new JsonObject { ["amqp"] = new JsonObject { ["ack"] = true, ["bindingVersion"] = AmqpBinding } },
            };
        }

        foreach (var published in BusCatalog.Published)
        {
            Message(published.Type, Direction.Published);
            operations["publish" + published.Type.Name] = SendOperation(published.Type, $"Published by {published.PublishedBy}.");
        }

        foreach (var type in BusCatalog.SentByTheAdminApi)
        {
            Message(type, Direction.Consumed);
            operations["publish" + type.Name] = SendOperation(type,
                "Published by the admin API for the service's own consumer: always for uploads and undos; for opt-outs, opt-ins and settings when the "
                + "write could not finish within `Admin:RequestTimeout` in the instance that took it (the API answered 202).");
        }

        channels["optout-instance"] = InstanceChannel();
        foreach (var (type, why) in BusCatalog.ReadByEveryInstance)
        {
            operations["receive" + type.Name + "OnEveryInstance"] = new JsonObject
            {
                ["action"] = "receive",
                ["channel"] = Ref("#/channels/optout-instance"),
                ["summary"] = $"Every instance reads {type.Name} on its own temporary queue and {why}.",
                ["messages"] = new JsonArray(Ref($"#/channels/optout-instance/messages/{type.Name}")),
            };
        }

        var components = schemas.Components;
        components["MassTransitEnvelope"] = EnvelopeSchema();
        EnsureEveryContractIsReached(assembly, components);

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "OptOut.Messaging bus API",
                ["version"] = assembly.GetName().Version!.ToString(3),
                ["description"] = Overview,
            },
            ["defaultContentType"] = EnvelopeContentType,
            ["servers"] = new JsonObject
            {
                ["rabbitmq"] = new JsonObject
                {
                    ["host"] = "localhost:5672",
                    ["protocol"] = "amqp",
                    ["protocolVersion"] = "0-9-1",
                    ["description"] = "The broker the service is configured with (`RabbitMq__Host`, `RabbitMq__Port`, `RabbitMq__VirtualHost`); localhost is the default.",
                },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages, ["schemas"] = components },
        };
    }

    private const string Overview =
        "The messages the opt-out service consumes and publishes over RabbitMQ (MassTransit 8). Every message type has a durable fanout "
        + "exchange named `OptOut.Contracts:<TypeName>`; publish to it with an empty routing key. The payload schemas are JSON Schema draft "
        + "2020-12, generated from the contract records in `src/OptOut.Contracts` and their XML docs (`tools/OptOut.AsyncApi`); the service "
        + "serves this document at `/asyncapi.json`.\n\n"
        + "Wire format: JSON, camelCase field names, enums as their names (a number is rejected), times as ISO 8601 with an offset, ids as strings. "
        + "The service publishes in MassTransit's envelope (`application/vnd.masstransit+json`, schema `MassTransitEnvelope`): each payload "
        + "schema below describes the envelope's `message` field, and `messageType` names it as `urn:message:OptOut.Contracts:<TypeName>`. "
        + "It consumes the envelope and plain JSON alike: a producer that is not MassTransit publishes the payload itself as the body, with "
        + "content type `application/json`, persistent (delivery mode 2) and, for de-duplication, an AMQP `message_id`. "
        + "Tolerant reader, strict writer: a consumed message's schema is what the service accepts (an optional field may be null or left out; "
        + "fields it does not know are ignored), a published one's is the one form it writes (every field whose schema is not nullable is "
        + "always there). Fields are only ever added, so read published events with unknown fields allowed.";

    private static JsonObject MessageObject(Type type, Direction direction, ContractDocs docs, ContractSchemas schemas)
    {
        var description = docs.Of(type);
        var consumed = direction == Direction.Consumed;
        var wire = consumed
            ? $"Plain JSON (`{RawContentType}`): the body is this payload. In MassTransit's envelope (`{EnvelopeContentType}`), it is the envelope's `message`."
            : $"Published in MassTransit's envelope (`{EnvelopeContentType}`): this payload is the envelope's `message`.";
        return new JsonObject
        {
            ["name"] = type.Name,
            ["title"] = type.Name,
            ["summary"] = FirstSentence(description),
            ["description"] = description + "\n\n" + wire,
            ["contentType"] = consumed ? RawContentType : EnvelopeContentType,
            ["payload"] = new JsonObject
            {
                ["schemaFormat"] = SchemaFormat,
                ["schema"] = schemas.Reference(type, direction),
            },
            ["bindings"] = new JsonObject
            {
                ["amqp"] = new JsonObject { ["messageType"] = "urn:message:" + BusCatalog.Exchange(type), ["bindingVersion"] = AmqpBinding },
            },
        };
    }

    private static JsonObject ExchangeChannel(Type type) => new()
    {
        ["address"] = BusCatalog.Exchange(type),
        ["title"] = BusCatalog.Exchange(type),
        ["description"] = $"The exchange of {type.Name}: MassTransit publishes every {type.Name} here, and binds the exchange of each "
            + "endpoint that consumes it. Bind your own queue to it to receive them.",
        ["messages"] = new JsonObject { [type.Name] = Ref($"#/components/messages/{type.Name}") },
        ["bindings"] = new JsonObject
        {
            ["amqp"] = new JsonObject
            {
                ["is"] = "routingKey",
                ["exchange"] = new JsonObject { ["name"] = BusCatalog.Exchange(type), ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
                ["bindingVersion"] = AmqpBinding,
            },
        },
    };

    private static JsonObject QueueChannel(ConsumedMessage consumed) => new()
    {
        ["address"] = consumed.Queue,
        ["title"] = consumed.Queue,
        ["description"] = $"The service's queue of {consumed.Type.Name}: bound through the exchange `{consumed.Queue}` (fanout) to "
            + $"`{BusCatalog.Exchange(consumed.Type)}`. Sending straight to the queue works too; publishing to the message type's exchange is the usual way.",
        ["messages"] = new JsonObject { [consumed.Type.Name] = Ref($"#/components/messages/{consumed.Type.Name}") },
        ["bindings"] = new JsonObject
        {
            ["amqp"] = new JsonObject
            {
                ["is"] = "queue",
                ["queue"] = new JsonObject { ["name"] = consumed.Queue, ["durable"] = true, ["exclusive"] = false, ["autoDelete"] = false, ["vhost"] = "/" },
                ["bindingVersion"] = AmqpBinding,
            },
        },
    };

    private static JsonObject InstanceChannel()
    {
        var messages = new JsonObject();
        foreach (var (type, _) in BusCatalog.ReadByEveryInstance)
            messages[type.Name] = Ref($"#/components/messages/{type.Name}");
        return new JsonObject
        {
            ["address"] = null,
            ["title"] = "optout-instance (temporary)",
            ["description"] = "One temporary queue per service instance (MassTransit names it from `optout-instance` and the host; it is deleted when "
                + "the instance stops), bound to the exchanges of what every instance must see. Not for other producers.",
            ["messages"] = messages,
            ["bindings"] = new JsonObject
            {
                ["amqp"] = new JsonObject
                {
                    ["is"] = "queue",
                    ["queue"] = new JsonObject { ["durable"] = false, ["autoDelete"] = true, ["vhost"] = "/" },
                    ["bindingVersion"] = AmqpBinding,
                },
            },
        };
    }

    private static JsonObject SendOperation(Type type, string description) => new()
    {
        ["action"] = "send",
        ["channel"] = Ref($"#/channels/{type.Name}"),
        ["summary"] = $"The service publishes {type.Name} to `{BusCatalog.Exchange(type)}`.",
        ["description"] = description,
        ["messages"] = new JsonArray(Ref($"#/channels/{type.Name}/messages/{type.Name}")),
        ["bindings"] = new JsonObject { ["amqp"] = new JsonObject { ["deliveryMode"] = 2, ["bindingVersion"] = AmqpBinding } },
    };

    /// <summary>MassTransit's JSON envelope as the service writes it, for a subscriber that reads the body raw.</summary>
    private static JsonObject EnvelopeSchema()
    {
        // MassTransit writes the envelope's unset fields as null; only the id, the types and the message are always set.
        static JsonObject Field(string type, string description, string? format = null)
        {
            var field = new JsonObject { ["description"] = description, ["type"] = new JsonArray(type, "null") };
            if (format is not null)
                field["format"] = format;
            return field;
        }

        return new JsonObject
        {
            ["title"] = "MassTransitEnvelope",
            ["description"] = "The body of every message the service publishes (`application/vnd.masstransit+json`). The payload is `message`; "
                + "`messageType` names its contract; fields that are not set are null. A MassTransit producer writes the same envelope, which the "
                + "service reads as well as plain JSON.",
            ["type"] = "object",
            ["required"] = new JsonArray("messageId", "messageType", "message"),
            ["properties"] = new JsonObject
            {
                ["messageId"] = new JsonObject
                {
                    ["description"] = "The message id. An event the service publishes has an id derived from the message that caused it, so a re-publish is an exact duplicate to discard.",
                    ["type"] = "string",
                    ["format"] = "uuid",
                },
                ["requestId"] = Field("string", "The request, for a request client's request and its response.", "uuid"),
                ["correlationId"] = Field("string", "MassTransit's correlation id, when set.", "uuid"),
                ["conversationId"] = Field("string", "MassTransit's conversation id: the same for every message a first one caused.", "uuid"),
                ["initiatorId"] = Field("string", "The id of the message that caused this one, when there was one.", "uuid"),
                ["sourceAddress"] = Field("string", "The endpoint that sent it.", "uri"),
                ["destinationAddress"] = Field("string", "Where it was sent: the message type's exchange, for a publish.", "uri"),
                ["responseAddress"] = Field("string", "Where a request's response goes.", "uri"),
                ["faultAddress"] = Field("string", "Where a fault goes, when not published.", "uri"),
                ["messageType"] = new JsonObject
                {
                    ["description"] = "The message's types, most specific first: `urn:message:OptOut.Contracts:<TypeName>`.",
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = "^urn:message:" },
                },
                ["message"] = new JsonObject { ["description"] = "The payload: the schema of the message named by `messageType`.", ["type"] = "object" },
                ["expirationTime"] = Field("string", "When the message expires, when it does.", "date-time"),
                ["sentTime"] = Field("string", "When it was sent.", "date-time"),
                ["headers"] = Field("object", "MassTransit and application headers."),
                ["host"] = Field("object", "The process that sent it (machine, process, versions)."),
            },
        };
    }

    private static void EnsureEveryContractIsReached(System.Reflection.Assembly assembly, JsonObject components)
    {
        var unreached = assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(InboundMessage).Namespace && !typeof(Attribute).IsAssignableFrom(t))
            // An account id is a value schema in each field (ContractSchemas), and its converter is how it is read.
            .Where(t => t != typeof(AccountId) && !typeof(System.Text.Json.Serialization.JsonConverter).IsAssignableFrom(t))
            .Where(t => !components.ContainsKey(t.Name) && !components.ContainsKey(t.Name + "Input") && !components.ContainsKey(t.Name + "Output"))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unreached.Count > 0)
            throw new InvalidOperationException($"No message in {nameof(BusCatalog)} reaches {string.Join(", ", unreached)}: list it as consumed or published.");
    }

    private static string FirstSentence(string description)
    {
        var paragraph = description.Split("\n\n")[0];
        var end = paragraph.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? paragraph : paragraph[..(end + 1)];
    }

    private static JsonObject Ref(string pointer) => new() { ["$ref"] = pointer };
}
