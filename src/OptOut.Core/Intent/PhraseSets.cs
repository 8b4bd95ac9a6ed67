using OptOut.Core.Intent.Phrases;

namespace OptOut.Core.Intent;

/// <summary>The phrase set of each shipped language.</summary>
internal static class PhraseSets
{
    private static readonly Dictionary<string, PhraseSet> ByLanguage = new PhraseSet[]
    {
        EnglishPhrases.Create(),
        SpanishPhrases.Create(),
        FrenchPhrases.Create(),
        PortuguesePhrases.Create(),
        GermanPhrases.Create(),
        ChinesePhrases.Create(),
        VietnamesePhrases.Create(),
        KoreanPhrases.Create(),
        TagalogPhrases.Create(),
    }.ToDictionary(s => s.Language, StringComparer.Ordinal);

    public static PhraseSet? Find(string code) => ByLanguage.GetValueOrDefault(code);
}
