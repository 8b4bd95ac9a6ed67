namespace OptOut.Core.Intent.Phrases;

/// <summary>
/// French revocation phrases. Apostrophes are dropped before reading, so "m'envoyer" is one word, MENVOYER, and
/// "n'arrêtez" is NARRETEZ.
/// </summary>
internal static class FrenchPhrases
{
    private const string Send = "ENVOY~|MENVOY~|ECRIR~|MECRI~|ECRIV~|CONTACT~|MCONTACT~|APPEL~|MAPPEL~|TEXTER|HARCEL~|MHARCEL~|SPAMM~|DERANG~|EMBET~|SOLLICIT~";
    private const string Messages = "MESSAGE~|SMS|TEXTO~|TEXTE~|MSG~|PUB~|PUBLICITE~|NOTIFICATION~|ALERTE~|RELANCE~";

    public static PhraseSet Create() => new(
        "fr",
        substrings: false,
        revocations:
        [
            ($"ARRET~|CESS~ ?DE ?ME|NOUS {Send}", 0.95),
            ($"ARRET~|CESS~ ?VOS|LES|CES|TES {Messages}", 0.95),
            ($"NE ?ME ?M {Send} PLUS", 0.9),
            ($"{Send} PLUS", 0.85),
            ($"PLUS ?DE|DAUTRES {Messages}", 0.9),
            ($"NE|VEUX|SOUHAITE ?PLUS ?RECEVOIR ?VOS|DE|DES|CES ?{Messages}", 0.85),
            ("JE NE VEUX PLUS", 0.85),
            ("VEUX PLUS RIEN RECEVOIR", 0.9),
            ("DESABONN~|DESINSCRI~|DESINSCRIV~|DESABONNEMENT|DESINSCRIPTION", 0.9),
            ("RETIREZ|RETIRER|ENLEVEZ|ENLEVER|SUPPRIMEZ|SUPPRIMER|EFFACEZ|EFFACER|RAYEZ|RAYER|RETIRE|ENLEVE|SUPPRIME|EFFACE MOI|MON|MES", 0.9),
            ("RETIR~|ENLEV~|SUPPRIM~|EFFAC~|RAY~ * LISTE|NUMERO|FICHIER|BASE|CONTACTS", 0.9),
            ("MAUVAIS|FAUX NUMERO|NUM|NO", 0.95),
            ("ERREUR DE|SUR LE NUMERO|NUM|PERSONNE", 0.9),
            ("MAUVAISE PERSONNE", 0.9),
            ("LAISS~|FOUT~|FICH~ ?MOI|NOUS TRANQUILLE|TRANQUIL|LA PAIX|EN PAIX", 0.95),
            ("^ARRET~ #6", 0.9),
            ("^STOP SVP|STP|MERCI", 0.9),
            ("RETIR~|REVOQU~|ANNUL~ ?MON CONSENTEMENT|ACCORD|AUTORISATION", 0.95),
            ("JE NE CONSENS|NAI PAS", 0.8),
            ("ANNUL~ ?MON|MES|CET|LES ABONNEMENT~|INSCRIPTION~|" + Messages, 0.9),
            ("CA SUFFIT|CEST BON|ASSEZ ?DE ?MESSAGES|SMS", 0.7),
            ("PAS INTERESSE~|INTERESSEE", 0.6),
            ("CA NE MINTERESSE PAS", 0.6),
            ("NON MERCI", 0.55),
            ("COMMENT|OU|QUI * MON NUMERO", 0.6),
            ("TROP DE " + Messages, 0.6),
            ("JAMAIS INSCRIT~|ABONNE~", 0.6),
        ],
        blocks:
        [
            "NARRET~ PAS|JAMAIS",
            "ARRET~ PAS",
            "ARRET DE|D BUS|AUTOBUS|TRAM|METRO|TRAVAIL|MALADIE|CAR",
            "ARRET~ LA|LE|CETTE|CE|LES GUERRE|VIOLENCE~|LOI|REFORME|PROJET|MASSACRE",
            "ANNUL~ ?MON|MA|LE|LA|NOTRE|CE|CETTE RENDEZ|RDV|COMMANDE|RESERVATION|VOL|VISITE|COMPTE|CARTE",
            "DESINSCRI~|DESABONN~ * MAIS * GARD~|SMS|TEXTO",
            "DESINSCRI~|DESABONN~ * DE LA|DU|DES ATELIER|NEWSLETTER|EMAIL~|MAIL~|COURRIEL~",
        ],
        typoTargets: ["DESABONNER", "DESINSCRIRE", "ARRET"],
        notTypos: ["ARRETE", "ARRETS", "ARRETES", "ARRETER", "DESINSCRIT", "DESABONNE", "DESABONNES", "ARRETEZ"]);
}
