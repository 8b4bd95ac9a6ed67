namespace OptOut.Core;

/// <summary>How a text travels as SMS: its encoding, length in that encoding, and the segments it costs.</summary>
public readonly record struct SmsLength(string Encoding, int Length, int Segments);

/// <summary>
/// SMS segment counting (3GPP TS 23.038 / 23.040): a text made only of the GSM-7 default alphabet (extension
/// characters such as <c>€</c> or <c>{</c> cost two septets) fits 160 per single message or 153 per part of a
/// concatenated one; anything else goes as UCS-2, 70 or 67 UTF-16 units per part.
/// </summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "\f^{}\\[~]|€";

    public static SmsLength Measure(string? text)
    {
        text ??= "";
        var septets = 0;
        foreach (var c in text)
        {
            if (Basic.Contains(c, StringComparison.Ordinal))
                septets++;
            else if (Extension.Contains(c, StringComparison.Ordinal))
                septets += 2;
            else
                return Ucs2(text);
        }

        return new SmsLength("GSM-7", septets, septets <= 160 ? 1 : (septets + 152) / 153);
    }

    private static SmsLength Ucs2(string text) =>
        new("UCS-2", text.Length, text.Length <= 70 ? 1 : (text.Length + 66) / 67);
}
