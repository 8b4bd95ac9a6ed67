namespace OptOut.Core.Intent.Phrases;

/// <summary>
/// French revocation phrases. Apostrophes are dropped before reading, so "m'envoyer" is one word, MENVOYER, and
/// "n'arrêtez" is NARRETEZ.
/// </summary>
internal static class FrenchPhrases
{
    private const string Send = "ENVOY~|MENVOY~|ECRIR~|MECRI~|ECRIV~|CONTACT~|MCONTACT~|APPEL~|MAPPEL~|TEXTER|HARCEL~|MHARCEL~|SPAMM~|DERANG~|EMBET~|SOLLICIT~|ENVOIS|ENVOI";
    private const string Messages = "MESSAGE~|SMS|TEXTO~|TEXTE~|MSG~|PUB~|PUBLICITE~|NOTIFICATION~|ALERTE~|RELANCE~|ENVOI~";
    private const string Please = "SVP|STP|MERCI|PLAIT";

    public static PhraseSet Create() => new(
        "fr",
        substrings: false,
        revocations:
        [
            ($"ARRET~|CESS~|ARRTE~|ARETE~ ?DE ?ME|NOUS|TOUT {Send}", 0.95),
            ($"ARRET~|CESS~ ?DE|DES|VOS|LES|CES|TES|TOUT {Messages}", 0.95),
            ($"NE ?ME|M|NOUS ** {Send} PLUS", 0.9),
            ($"{Send} PLUS", 0.85),
            ($"PLUS ?DE|DAUTRES {Messages}", 0.9),
            ("NE|VEUX|SOUHAITE|VOUDRAIS|DESIRE ?PLUS ?ETRE RECEVOIR|CONTACTE~", 0.9),
            ("JE NE VEUX|SOUHAITE PLUS", 0.85),
            ("JE VEUX|SOUHAITE PLUS", 0.85),
            ($"VEUX PAS ?DE ?VOS|DES|VOTRE|TES {Messages}", 0.9),
            ("VEUX PLUS RIEN", 0.9),
            ("DESABONN~|DESINSCRI~|DESINSCRIV~|DESABONNEMENT|DESINSCRIPTION", 0.9),
            ("RETIREZ|RETIRER|ENLEVEZ|ENLEVER|SUPPRIMEZ|SUPPRIMER|EFFACEZ|EFFACER|RAYEZ|RAYER|RETIRE|ENLEVE|SUPPRIME|EFFACE MOI|MON|MES", 0.9),
            ("RETIR~|ENLEV~|SUPPRIM~|EFFAC~|RAY~ ** LISTE~|NUMERO|NUM|FICHIER|BASE|CONTACTS", 0.9),
            ("MAUVAIS|FAUX NUMERO|NUM|NO", 0.95),
            ("TROMP~ DE NUMERO|PERSONNE", 0.9),
            ("ERREUR DE|SUR LE NUMERO|NUM|PERSONNE", 0.9),
            ("MAUVAISE PERSONNE", 0.9),
            ("CONNAIS PAS|CONNAIS AUCUNE|AUCUN", 0.8),
            ("NUMERO NEST|EST PLUS ?CELUI|CELLE|A", 0.85),
            ("IL NY|Y A PAS|AUCUN|AUCUNE|PERSONNE ** ICI", 0.8),
            ("SUPPRESSION|EFFACEMENT DE|DES MES|MON ?DONNEES|COORDONNEES|NUMERO|INFORMATIONS", 0.9),
            ("RGPD|CNIL|BLOCTEL|33700", 0.8),
            ("PORTER|PORTE PLAINTE", 0.8),
            ("DECEDE~|DECEDEE", 0.75),
            ("LAISS~|FOUT~|FICH~|LACH~ ?MOI|NOUS TRANQUILLE|TRANQUIL", 0.95),
            ("LAISS~|FOUT~|FICH~|LACH~ ?MOI|NOUS LA|EN PAIX", 0.95),
            ("LACH~ ?MOI|NOUS AVEC", 0.9),
            ("^ARRET~|ARRTER|ARRETZ !", 0.9),
            ($"^ARRET~|ARRTER|ARRETZ|STOP {Please}", 0.9),
            ($"ARRET~|ARRETEZ $ #12", 0.85),
            ("RETIR~|REVOQU~|ANNUL~ ?MON|LE CONSENTEMENT|ACCORD|AUTORISATION", 0.95),
            ("JE NE CONSENS|NAI PAS", 0.8),
            ($"ANNUL~ ?MON|MES|CET|LES ABONNEMENT~|INSCRIPTION~|{Messages}", 0.9),
            ($"CA|CEST SUFFIT|ASSEZ ?DE|LES|VOS ?{Messages}", 0.85),
            ("^CA SUFFIT|CEST ASSEZ", 0.75),
            ($"ARRET~|CESS~|STOPP~|ANNUL~|SUPPRIM~|BLOQU~|RETIR~ ** {Messages}", 0.85),
            ($"VEUX|VEUT|SOUHAITE|VOUDRAIS ** PLUS ** {Messages}", 0.85),
            ($"NE|PAS ** {Messages} ** PLUS $", 0.8),
            ("COMMENT ** DESINSCRI~|DESABONN~|ARRET~|RETIR~", 0.85),
            ("PAS INTERESSE~|INTERESSEE", 0.6),
            ("NE MINTERESSE PAS", 0.6),
            ("NON MERCI", 0.55),
            ("PAS POUR MOI", 0.55),
            ("COMMENT|OU|QUI ** MON NUMERO", 0.6),
            ($"TROP|MOINS DE {Messages}", 0.6),
            ("JAMAIS INSCRIT~|ABONNE~|DEMANDE", 0.6),
            ("POURQUOI VOUS MECRIVEZ|MENVOYEZ|ME", 0.55),
            ("CEST QUOI CE|CES SPAM", 0.6),
            ("COMMENCE A BIEN FAIRE", 0.6),
        ],
        blocks:
        [
            "ARRET DE|D|DU BUS|AUTOBUS|TRAM|METRO|TRAVAIL|MALADIE|CAR",
            "A LARRET|EN ARRET",
            "ARRET~ LA|LE|CETTE|CE|LES|DE FUMER|GUERRE|VIOLENCE~|LOI|REFORME|PROJET|MASSACRE",
            "ARRETER|ARRETE CETTE|CE|LA|LE|MON|MA",
            "ANNUL~ ?MON|MA|LE|LA|NOTRE|CE|CETTE RENDEZ|RDV|COMMANDE|RESERVATION|VOL|VISITE|COMPTE|CARTE",
            "DESINSCRI~|DESABONN~ ** GARD~",
            "DESINSCRI~|DESABONN~ ** ATELIER|NEWSLETTER|EMAIL~|MAIL~|COURRIEL~",
            "LISTE DES|DE|D BENEVOLES|ATTENTE|INVITES|PRESENCE|COVOITURAGE|PERMANENCE~",
            "LISTE DATTENTE",
            "REPONDEZ|REPONDRE|REPONDS|ENVOYEZ|ENVOYER ?STOP|ARRET AU|POUR ** DESINSCRI~|DESABONN~|ARRET~",
            "MARRETE|SARRETE|ARRETE DE FUMER",
        ],
        negations:
        [
            "NARRET~|NE|PAS|JAMAIS|NI|SURTOUT",
            "PAS BESOIN",
        ],
        notNegations:
        [
            "NE ?ME|M|NOUS ** PLUS",
            "JE NE VEUX|SOUHAITE|CONSENS",
            "VEUX PAS",
            "NE CONNAIS",
        ],
        softeners:
        [
            ("DROLE|MARRANT|MARRANTE|RIGOLO|RIGOLE", 0.6),
        ],
        typoTargets: ["DESABONNER", "DESINSCRIRE", "ARRET", "ARRETEZ", "ARRETER"],
        notTypos: ["ARRETE", "ARRETS", "ARRETES", "DESINSCRIT", "DESABONNE", "DESABONNES", "ARRIVEZ", "ARRIVER"],
        fillers: ["SVP", "STP", "MERCI", "MAINTENANT", "OUI", "SIL", "VOUS", "PLAIT", "TOUT", "DE", "SUITE", "BEAUCOUP"]);
}
