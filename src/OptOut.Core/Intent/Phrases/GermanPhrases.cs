namespace OptOut.Core.Intent.Phrases;

/// <summary>German revocation phrases (umlauts folded: hören is HOREN, löschen LOSCHEN).</summary>
internal static class GermanPhrases
{
    private const string Messages = "SMS|NACHRICHT~|MESSAGE~|TEXTE|WERBUNG|NEWSLETTER|BENACHRICHTIGUNG~|MITTEILUNG~";

    public static PhraseSet Create() => new(
        "de",
        substrings: false,
        revocations:
        [
            ("HOR~ ?SIE|ENDLICH ?DAMIT AUF", 0.9),
            ("HOR~ * AUF * ZU SCHREIBEN|SENDEN|SIMSEN|SCHICKEN|KONTAKTIEREN|NERVEN", 0.95),
            ($"KEINE ?WEITEREN ?{Messages} ?MEHR", 0.9),
            ("SCHREIB~|SCHICK~|SEND~|KONTAKTIER~|SIMS~ ?SIE|MIR|MICH ?BITTE NICHT|NIE|KEINE ?MEHR", 0.9),
            ("NICHT MEHR ?KONTAKTIEREN|SCHREIBEN|ANSCHREIBEN|SENDEN|SCHICKEN|ANRUFEN|BELASTIGEN", 0.9),
            ("WILL|MOCHTE|MOECHTE ?KEINE ?MEHR ?SMS|NACHRICHTEN ?MEHR ?BEKOMMEN|ERHALTEN", 0.85),
            ("LOSCH~|LOESCH~|ENTFERN~|STREICH~ * NUMMER|MICH|DATEN|KONTAKT|LISTE|VERTEILER", 0.9),
            ("AUSTRAG~|ABMELD~|ABBESTELL~|ABMELDUNG|AUSGETRAGEN|ABGEMELDET", 0.9),
            ("TRAG~ * MICH * AUS", 0.9),
            ("MELD~ * MICH * AB", 0.9),
            ("BESTELL~ * AB", 0.85),
            ("FALSCHE|FALSCH ?NUMMER|PERSON|VERBUNDEN", 0.95),
            ("LASS~ ?SIE ?MICH|UNS ?BITTE ?ENDLICH IN RUHE", 0.95),
            ("^STOPP #6", 0.9),
            ("^STOP BITTE|DANKE", 0.9),
            ("WIDERRUF~ ?MEINE|DIE ?EINWILLIGUNG|ZUSTIMMUNG|ERLAUBNIS", 0.95),
            ("KEINE|NICHT EINVERSTANDEN|EINWILLIGUNG|ZUSTIMMUNG", 0.8),
            ("KUNDIG~|KUENDIG~ * SMS|NACHRICHTEN|ABO|NEWSLETTER", 0.85),
            ("ES REICHT", 0.75),
            ("KEIN INTERESSE", 0.6),
            ("NEIN DANKE", 0.55),
            ("WOHER|WER * MEINE NUMMER", 0.6),
            ("ZU VIELE " + Messages, 0.6),
            ("NIE ANGEMELDET|EINGETRAGEN", 0.6),
        ],
        blocks:
        [
            "NICHT AUFHOREN|AUFHOEREN|STOPPEN",
            "HOR~ NICHT AUF",
            "STOPP~ DEN|DIE|DAS|DIESEN|DIESE|KRIEG|GEWALT|GESETZ",
            "ABMELD~|AUSTRAG~|ABBESTELL~ * ABER * SMS|BEHALTEN",
            "ABMELD~|AUSTRAG~|ABBESTELL~ * VOM|VON|AUS DEM|DER E|EMAIL~|MAIL~|NEWSLETTER|KURS|VEREIN|TERMIN",
            "KUNDIG~|KUENDIG~ * VERTRAG|WOHNUNG|JOB|ARBEIT|STELLE|KONTO|MITGLIEDSCHAFT",
        ],
        typoTargets: ["ABMELDEN", "ABBESTELLEN", "STOPP"],
        notTypos: ["ABMELDET", "ANMELDEN", "STOPPE", "STOPPT"]);
}
