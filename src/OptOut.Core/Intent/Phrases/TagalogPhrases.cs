namespace OptOut.Core.Intent.Phrases;

/// <summary>Tagalog and Taglish revocation phrases ("i-text" reads as I TEXT).</summary>
internal static class TagalogPhrases
{
    private const string Text = "TEXT~|ITEXT~|MAGTEXT~|MESSAGE~|MAGMESSAGE~|TAWAG~|TUMAWAG~|MAGSEND~|SEND~|PADALA~|MAGPADALA~|TXT~|CHAT~|KONTAKIN|ISTORBOHIN";

    public static PhraseSet Create() => new(
        "tl",
        substrings: false,
        revocations:
        [
            ("TIGIL~|ITIGIL~|TUMIGIL~|HINTO~|HUMINTO~|TAMA ?NA ?NYO|NIYO|MO|KAYO ?NA ?ANG|SA|PO ?PAG|PAGTEXT~|PAGTE~|PAGSEND~|PAGPADALA~|" + Text, 0.95),
            ("TIGILAN|TANTANAN ?NYO|NIYO|MO|MUNA|NA ?NA|PO ?AKO", 0.95),
            ($"WAG|HUWAG|HWAG|WAG NA ?NYO|NIYO|MO|KAYONG|KANG|NA ?PO ?NA ?AKO|PO ?I|MAG ?NA {Text}", 0.9),
            ($"AYOKO|AYAW KO|DI KO GUSTO ?NA ?PO ?NG|SA|MAKATANGGAP|MATANGGAP ?NG ?MGA ?{Text}", 0.85),
            ("ALISIN|TANGGALIN|BURAHIN|IALIS|ITANGGAL|ALIS ?NYO|NIYO|MO|NA|PO ?NA|PO ?AKO|ANG|NUMERO|NUMBER", 0.9),
            ("MALI ?ANG|NA NUMERO|NUMBER|TAO|NUMERONG", 0.9),
            ("HINDI|DI KO|AKO ?PO ?ITO|YAN|SI", 0.6),
            ("^HINTO|TIGIL|ITIGIL|HUMINTO #5", 0.9),
            ("^TAMA NA #4", 0.85),
            ("UNSUBSCRIBE~|STOP|PASTOP|PA STOP", 0.85),
            ("HINDI|DI AKO INTERESADO|INTERESTED|INTERESADA", 0.6),
            ("SAAN|PAANO * NUMBER|NUMERO KO", 0.6),
        ],
        blocks:
        [
            "WAG|HUWAG|HWAG|DI ?KAYO|KAYONG|NYO|PO TUMIGIL|HUMINTO|ITIGIL|TIGIL",
            "HINTO|TIGIL NG|SA JEEP|BUS|KANTO|TABI|DYAN|DITO|GERA|KORAPSYON|KURAPSYON",
            "TAMA NA ANG|SA KORAPSYON|KURAPSYON|GERA|ABUSO|PATAYAN",
            "PARA PO",
        ],
        typoTargets: null,
        notTypos: null);
}
