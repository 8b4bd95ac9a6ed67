using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OptOut.Service.Api;

/// <summary>
/// Enums in the OpenAPI document as what the API writes: a string, one of the exact names. The document is built from
/// the JSON options, and System.Text.Json's schema exporter can describe only its own enum converter; the API's
/// (<see cref="Messaging.ExactNameEnumConverter"/>) would otherwise show as a schema that allows anything.
/// </summary>
internal static class EnumSchemas
{
    public static Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!type.IsEnum)
            return Task.CompletedTask;

        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Enum = [.. Enum.GetNames(type).Select(name => (JsonNode)JsonValue.Create(name))];
        return Task.CompletedTask;
    }
}
