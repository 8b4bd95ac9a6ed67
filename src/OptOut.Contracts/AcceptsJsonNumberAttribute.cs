namespace OptOut.Contracts;

/// <summary>
/// Marks a <see cref="string"/> field that consumers also read from a JSON number, taken as its decimal string
/// (<c>42</c> reads as <c>"42"</c>): the tolerant reader for ids that producers naturally send as numbers. The service
/// always writes the field as a string.
/// <para>Read by the bus API's schema generator (<c>tools/OptOut.AsyncApi</c>): the field's schema in a message the
/// service consumes accepts a string or an integer, in a message it publishes a string only. Put it on a field only
/// once the service's deserializer accepts the number.</para>
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class AcceptsJsonNumberAttribute : Attribute;
