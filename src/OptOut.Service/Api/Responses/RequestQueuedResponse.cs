namespace OptOut.Service.Api.Responses;

/// <summary>
/// <c>202</c> to a write this instance could not finish (the store or the broker failing or slow): the request is on
/// the bus, and the service's consumer applies it as soon as it can, with the same id. Look the numbers (or the
/// settings) up later to see the outcome.
/// </summary>
public sealed record RequestQueuedResponse(Guid RequestId);
