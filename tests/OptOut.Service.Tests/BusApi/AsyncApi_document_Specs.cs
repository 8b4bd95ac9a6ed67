using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using OptOut.AsyncApi;
using OptOut.Contracts;
using OptOut.Service.Consumers;

namespace OptOut.Service.Tests.BusApi;

/// <summary>README "The bus API, machine-readable": docs/asyncapi.json is what the contracts generate, and says what the service does.</summary>
[TestFixture]
public sealed class When_the_asyncapi_document_is_generated
{
    [Test]
    public void Should_be_committed_exactly_as_the_contracts_generate_it()
    {
        var committed = File.ReadAllText(BusApiSchemas.CommittedPath);

        Assert.That(committed, Is.EqualTo(AsyncApiDocument.Generate()),
            $"{AsyncApiDocument.RepositoryPath} is not what the contracts generate: run `dotnet run --project tools/OptOut.AsyncApi` and commit it");
    }

    [Test]
    public void Should_list_every_queue_the_service_consumes_from()
    {
        var consumers = typeof(InboundMessageConsumer).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(IsConsumer))
            .ToList();
        // A consumer with a definition gets an endpoint of its own; the others read the per-instance temporary queue.
        var withEndpoints = consumers.Where(HasDefinition)
            .Select(c => (Message: MessageOf(c).Name, Queue: KebabCaseEndpointNameFormatter.Instance.SanitizeName(c.Name[..^"Consumer".Length])))
            .ToList();
        var onEveryInstance = consumers.Where(c => !HasDefinition(c)).Select(c => MessageOf(c).Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(BusCatalog.Consumed.Select(c => (c.Type.Name, c.Queue)), Is.EquivalentTo(withEndpoints));
            Assert.That(BusCatalog.ReadByEveryInstance.Select(r => r.Type.Name), Is.EquivalentTo(onEveryInstance));
        });
    }

    [Test]
    public void Should_describe_every_field_of_every_schema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(BusApiSchemas.CommittedPath));
        var undescribed = new List<string>();
        foreach (var schema in document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            if (!schema.Value.TryGetProperty("description", out var description) || description.GetString() is not { Length: > 0 })
                undescribed.Add(schema.Name);
            if (!schema.Value.TryGetProperty("properties", out var properties))
                continue;
            undescribed.AddRange(properties.EnumerateObject()
                .Where(p => !p.Value.TryGetProperty("description", out var d) || d.GetString() is not { Length: > 0 })
                .Select(p => $"{schema.Name}.{p.Name}"));
        }

        Assert.That(undescribed, Is.Empty);
    }

    [Test]
    public void Should_give_every_contract_record_a_message_or_a_schema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(BusApiSchemas.CommittedPath));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(s => s.Name).ToList();
        // An account id is a value schema inside each field, not a schema of its own; its converter is how it is read.
        var contracts = typeof(InboundMessage).Assembly.GetExportedTypes()
            .Where(t => !typeof(Attribute).IsAssignableFrom(t) && t != typeof(AccountId) && !typeof(JsonConverter).IsAssignableFrom(t))
            .Select(t => t.Name);

        Assert.That(schemas, Is.SupersetOf(contracts));
    }

    [Test]
    public void Should_publish_every_event_on_the_exchange_of_its_type()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(BusApiSchemas.CommittedPath));
        var channels = document.RootElement.GetProperty("channels");
        var operations = document.RootElement.GetProperty("operations");

        Assert.Multiple(() =>
        {
            foreach (var published in BusCatalog.Published)
            {
                var channel = channels.GetProperty(published.Type.Name);
                Assert.That(channel.GetProperty("address").GetString(), Is.EqualTo("OptOut.Contracts:" + published.Type.Name));
                Assert.That(channel.GetProperty("bindings").GetProperty("amqp").GetProperty("exchange").GetProperty("type").GetString(), Is.EqualTo("fanout"));
                var operation = operations.GetProperty("publish" + published.Type.Name);
                Assert.That(operation.GetProperty("action").GetString(), Is.EqualTo("send"));
                Assert.That(operation.GetProperty("channel").GetProperty("$ref").GetString(), Is.EqualTo("#/channels/" + published.Type.Name));
            }

            foreach (var consumed in BusCatalog.Consumed)
            {
                var operation = operations.GetProperty("receive" + consumed.Type.Name);
                Assert.That(operation.GetProperty("action").GetString(), Is.EqualTo("receive"));
                Assert.That(channels.GetProperty(consumed.Queue).GetProperty("address").GetString(), Is.EqualTo(consumed.Queue));
            }
        });
    }

    private static bool IsConsumer(Type i) => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>);

    private static Type MessageOf(Type consumer) => consumer.GetInterfaces().Single(IsConsumer).GetGenericArguments()[0];

    private static bool HasDefinition(Type consumer) => typeof(InboundMessageConsumer).Assembly.GetTypes()
        .Any(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericArguments().Contains(consumer)
            && typeof(IConsumerDefinition).IsAssignableFrom(t));
}
