using System.Security.Cryptography;
using System.Text;

namespace OptOut.Service.Messaging;

/// <summary>
/// Message ids derived from the message that caused an event, so a re-publish after a crash or redelivery carries
/// the same id and downstream consumers can discard it as a duplicate (effectively-once out: docs/architecture.md).
/// </summary>
public static class MessageIds
{
    public static Guid Derive(string causationId, string phone, string kind)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{causationId}|{phone}|{kind}"), hash);
        // Mark it as an RFC 9562 version-8 (custom) UUID so it never collides with the random ids MassTransit makes.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
