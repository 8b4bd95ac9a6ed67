namespace OptOut.Core.Intent.Phrases;

/// <summary>German revocation phrases (umlauts folded: hören is HOREN, löschen LOSCHEN).</summary>
internal static class GermanPhrases
{
    private const string Messages = "SMS|NACHRICHT~|MESSAGE~|TEXTE|WERBUNG|NEWSLETTER|BENACHRICHTIGUNG~|MITTEILUNG~|NACHRICHTN";
    private const string Please = "BITTE|DANKE|SOFORT|JETZT|ENDLICH";

    public static PhraseSet Create() => new(
        "de",
        substrings: false,
        revocations:
        [
            ("HOR~|HOER~ ?SIE|ENDLICH|JETZT|BITTE ?DAMIT AUF", 0.9),
            ("HOR~|HOER~ ** AUF ** ZU SCHREIBEN|SENDEN|SIMSEN|SCHICKEN|KONTAKTIEREN|NERVEN", 0.95),
            ($"KEINE ?WEITEREN|KUNFTIG|MEHR ** {Messages}", 0.9),
            ($"SCHREIB~|SCHICK~|SEND~|KONTAKTIER~|SIMS~ ?SIE|MIR|MICH|UNS ** KEINE ** {Messages}", 0.9),
            ("SCHREIB~|SCHICK~|SEND~|KONTAKTIER~|SIMS~ ?SIE ?MIR|MICH|UNS ?BITTE NICHT|NIE ?MEHR", 0.9),
            ("NICHT MEHR ?KONTAKTIEREN|SCHREIBEN|ANSCHREIBEN|SENDEN|SCHICKEN|ANRUFEN|BELASTIGEN", 0.9),
            ("WILL|MOCHTE|MOECHTE ** NIX|NICHTS|KEINE ** MEHR", 0.85),
            ("LOSCH~|LOESCH~|ENTFERN~|STREICH~|NEHM~ ** NUMMER|MICH|DATEN|KONTAKT|LISTE|VERTEILER", 0.9),
            ("NUMMER|MICH|DATEN ** LISTE|VERTEILER ** STREICH~|LOSCH~|LOESCH~|ENTFERN~|NEHMEN|AUSTRAGEN", 0.9),
            ("AUSTRAG~|ABMELD~|ABBESTELL~|ABMELDUNG|AUSGETRAGEN|ABGEMELDET", 0.9),
            ("TRAG~ ** MICH ** AUS", 0.9),
            ("MELD~ ** MICH ** AB", 0.9),
            ("BESTELL~ ** AB", 0.85),
            ("FALSCHE|FALSCHER|FALSCH NUMMER|PERSON|VERBUNDEN|EMPFANGER|EMPFAENGER", 0.95),
            ("KENN~ KEINE|KEINEN|NIEMAND~", 0.8),
            ("GIBT ES KEINE|KEINEN", 0.75),
            ("LASS~ ?SIE ?MICH|UNS ?BITTE ?ENDLICH IN RUHE", 0.95),
            ("^STOPP !", 0.9),
            ($"^STOPP|STOP {Please}", 0.9),
            ("WIDERRUF~ ** EINWILLIGUNG|ZUSTIMMUNG|ERLAUBNIS", 0.95),
            ("EINWILLIGUNG|ZUSTIMMUNG ** ZURUCK|ZURUECK|WIDERRUF~", 0.95),
            ("WIDERRUFE", 0.85),
            ("KEINE|NICHT EINVERSTANDEN|EINWILLIGUNG|ZUSTIMMUNG", 0.8),
            ($"KUNDIG~|KUENDIG~|BEEND~ ** {Messages}|ABO", 0.85),
            ($"ABO|{Messages} BEEND~|KUNDIG~|KUENDIG~|ABBESTELLEN|ABMELDEN", 0.9),
            ("ES REICHT", 0.75),
            ($"STOPP~|BEEND~|KUNDIG~|LOSCH~|BLOCKIER~|EINSTELL~|UNTERLASS~|ENTFERN~ ** {Messages}", 0.85),
            ($"{Messages} ** NICHT MEHR|STOPPEN|EINSTELLEN|UNTERLASSEN|ABBESTELLEN|BEENDEN", 0.85),
            ($"WILL|MOCHTE|MOECHTE|BRAUCHE ** KEINE ** {Messages}", 0.9),
            ("WIE ** ABMELD~|AUSTRAG~|ABBESTELL~|MELDE", 0.85),
            ("KEIN INTERESSE", 0.6),
            ("NEIN DANKE", 0.55),
            ("WOHER|WER ** MEINE NUMMER", 0.6),
            ("WARUM SCHREIBEN|SCHICKEN ?SIE|IHR MIR", 0.55),
            ($"ZU VIELE {Messages}", 0.6),
            ("NIE ANGEMELDET|EINGETRAGEN", 0.6),
            ("IST DAS SPAM", 0.55),
            ("SCHON WIEDER $ #2", 0.5),
        ],
        blocks:
        [
            "STOPP~ DEN|DIE|DAS|DIESEN|DIESE|KRIEG|GEWALT|GESETZ|AM|AN|IN|BEI|UM",
            "STOPPEN $",
            "ABMELD~|AUSTRAG~|ABBESTELL~|ANGEMELDET ** SMS ** BEHALTEN",
            "ABMELD~|AUSTRAG~|ABBESTELL~|ANGEMELDET ** VOM|VON|AUS DEM|DER|EMAIL~|MAIL~|KURS|VEREIN|TERMIN|WORKSHOP",
            "KUNDIG~|KUENDIG~ ** VERTRAG~|WOHNUNG|JOB|ARBEIT|STELLE|KONTO|MITGLIEDSCHAFT",
            "BEENDET|BEENDEN DIE|DEN|DAS ** MASSENTIERHALTUNG|KRIEG|GEWALT",
            "KUNDIGUNG|KUENDIGUNG",
        ],
        negations:
        [
            "NICHT|NIE|KEIN|NIEMALS|BLOSS NICHT",
            "KEIN GRUND",
        ],
        notNegations:
        [
            "NICHT MEHR",
            "KEINE WEITEREN|KUNFTIG|MEHR|SMS|NACHRICHTEN",
            "BITTE NICHT|NIE",
            "KEIN INTERESSE",
        ],
        typoTargets: ["ABMELDEN", "ABBESTELLEN", "STOPP", "AUSTRAGEN"],
        notTypos: ["ABMELDET", "ANMELDEN", "STOPPE", "STOPPT", "AUSTRAGE"],
        fillers: ["BITTE", "DANKE", "SOFORT", "JETZT", "JA", "ENDLICH", "SCHON", "ALLES", "MAL", "SCHON", "VIELEN", "DANK"]);
}
