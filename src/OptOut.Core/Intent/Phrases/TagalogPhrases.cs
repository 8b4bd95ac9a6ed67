namespace OptOut.Core.Intent.Phrases;

/// <summary>Tagalog and Taglish revocation phrases ("i-text" reads as I TEXT, "paki-remove" as PAKI REMOVE).</summary>
internal static class TagalogPhrases
{
    private const string Text = "TEXT~|ITEXT~|ITXT~|TXT~|MAGTEXT~|MESSAGE~|MENSAHE|MAGMESSAGE~|TAWAG~|TUMAWAG~|MAGSEND~|SEND~|PADALA~|MAGPADALA~|PAGPAPADALA|CHAT~|KONTAKIN|ISTORBOHIN|PAGTEXT~";
    private const string Stop = "TIGIL~|ITIGIL~|TUMIGIL~|HINTO~|HUMINTO~|PAKITIGIL~|TIGL|STOP|PASTOP";

    public static PhraseSet Create() => new(
        "tl",
        substrings: false,
        revocations:
        [
            ($"{Stop} ?NA ?NYO|NIYO|MO|KAYO ?NA ?PO ?ANG|SA|NG|PAG ?MGA {Text}", 0.95),
            ("TIGILAN|TANTANAN", 0.95),
            ($"WAG|HUWAG|HWAG * {Text}", 0.9),
            ($"AYOKO|AYAW ?KO ** {Text}", 0.9),
            ("AYOKO|AYAW KO NA", 0.85),
            ("ALISIN|TANGGALIN|BURAHIN|IALIS|ITANGGAL|REMOVE|DELETE ** NUMERO|NUMBER|AKO|KO|LISTAHAN|LIST", 0.9),
            ("TANGGAL~|ALIS~|BURA~ ** SA ** LISTAHAN|LIST", 0.9),
            ("HINDI|DI NA ** ITONG|ITO|ANG NUMBER|NUMERO", 0.85),
            ("HINDI|DI NA PO|NA KAY|SI", 0.8),
            ("WALANG * DITO", 0.8),
            ("MALI * TINEXT|NATEXT|NAPADALHAN|NUMBER|NUMERO|TINAWAGAN", 0.9),
            ("^TAMA NA ?PO|NYO|NA $", 0.85),
            ("HINDI|DI AKO PUMAYAG ** ALIS~|TANGGAL~|TIGIL~|STOP", 0.9),
            ("NTC|DICT|IREREKLAMO|IRERECLAMO", 0.8),
            ("PAKI REMOVE|ALIS|TANGGAL|DELETE|BURA", 0.9),
            ("MALI ?PO ?ANG|NA NUMERO|NUMBER|TAO|NUMERONG", 0.9),
            ("HINDI ?PO AKO SI", 0.85),
            ($"^{Stop} ?NA ?PO $ #3", 0.9),
            ($"^{Stop} !", 0.9),
            
            ("TAMA NA SOBRA", 0.85),
            ("SOBRA NA KAYO|NYO", 0.8),
            ("IREREPORT|ISUSUMBONG|IRERREPORT", 0.8),
            ("IRE REPORT", 0.8),
            ($"{Stop} * {Text}", 0.85),
            ($"AYOKO|AYAW|ITIGIL|TANGGAL~|ALIS~|BURA~ ** {Text}", 0.85),
            ("PAANO ** MAG UNSUBSCRIBE|UMALIS|MATANGGAL|ITIGIL", 0.85),
            ("HINDI|DI AKO INTERESADO|INTERESTED|INTERESADA", 0.6),
            ("SAAN|PAANO ** NUMBER|NUMERO KO", 0.6),
            ("DAMI ?NYONG|NG TEXT~", 0.6),
            ("BAWASAN ** TEXT~", 0.55),
            ("SPAM BA", 0.55),
            ("NA NAMAN $ #2", 0.5),
        ],
        blocks:
        [
            "HINTO|TIGIL|HINTUAN NG|SA JEEP|BUS|KANTO|TABI|DYAN|DITO|GERA|KORAPSYON|KURAPSYON|PAGPUTOL|PANINIGARILYO",
            "TAMA NA ANG|SA KORAPSYON|KURAPSYON|GERA|ABUSO|PATAYAN",
            "PARA PO",
            "TUMIGIL NA AKO SA",
            "WALANG PASOK|KLASE|TUBIG|KURYENTE|SIGNAL",
            "ITIGIL ANG",
        ],
        negations:
        [
            "WAG|HUWAG|HWAG|HINDI|DI",
        ],
        notNegations:
        [
            $"WAG|HUWAG|HWAG ** {Text}",
            "HINDI|DI AKO INTERESADO|INTERESTED|INTERESADA|SI",
            "HINDI PO AKO",
        ],
        fillers: ["NA", "PO", "NYO", "NIYO", "LANG", "SALAMAT", "NGA", "OPO", "PLS", "PLEASE", "NAMAN", "MUNA", "TALAGA", "KAYO"]);
}
