namespace OptOut.Core.Intent.Phrases;

/// <summary>Spanish revocation phrases, as US Spanish speakers text them (accents folded, often left out anyway).</summary>
internal static class SpanishPhrases
{
    private const string Send = "MANDAR~|ENVIAR~|ESCRIBIR~|TEXTEAR~|MENSAJEAR~|LLAMAR~|MOLESTAR~|CONTACTAR~|MANDEN~|ENVIEN~|ESCRIBAN~|MANDES|ENVIES|ESCRIBAS|TEXTEEN~|LLAMEN|MOLESTEN|CONTACTEN|MANDE|ENVIE|ESCRIBA|LLAME|MOLESTE";
    private const string Messages = "MENSAJE~|MSJ~|MSG~|TEXTO~|SMS|MENSAGE~|PUBLICIDAD|PROMOCION~|ALERTA~|NOTIFICACION~";

    public static PhraseSet Create() => new(
        "es",
        substrings: false,
        revocations:
        [
            ($"DEJ~|PAR~ ?YA DE ?ME ?MANDAR~|ENVIAR~ {Send}|{Messages}", 0.95),
            ($"DEJ~|PAR~ ?YA DE {Send}", 0.95),
            ($"NO ?ME|NOS ?VUELVA~|VUELVAN ?A ?MAS {Send}", 0.9),
            ($"YA NO ?ME|NOS {Send}", 0.9),
            ($"NO QUIERO|DESEO ?RECIBIR|MAS ?RECIBIR ?MAS ?SUS|TUS|ESTOS|SU|LOS|ESOS {Messages}", 0.95),
            ("NO QUIERO|DESEO RECIBIR", 0.85),
            ("YA NO QUIERO", 0.8),
            ($"NO ?MAS|MAS {Messages}", 0.95),
            ("^NO MAS $ #4", 0.85),
            ("BORR~|ELIMIN~|QUIT~|SAC~|REMOV~|DESAPUNT~|BORRENME|SAQUENME|QUITENME|ELIMINENME|BORRAME|SACAME|QUITAME|ELIMINAME ?ME|MI * LISTA|NUMERO|BASE|CONTACTOS|SISTEMA", 0.95),
            ("BORRENME|SAQUENME|QUITENME|ELIMINENME|BORRAME|SACAME|QUITAME|ELIMINAME|REMUEVANME|DESUSCRIBANME|DENME", 0.9),
            ("DAR~|DARME|DENME|DEN|DOY|DE ?ME|DE BAJA", 0.9),
            ("DESUSCRIB~|DESINSCRIB~|DESUSCRIPCION|DESINSCRIPCION|DESAFILI~", 0.9),
            ("CANCEL~ ?MI|LA|MIS|ESTA|LAS ?SUSCRIPCION~|SUBSCRIPCION~|" + Messages, 0.9),
            ("NUMERO|NUM|NRO EQUIVOCADO~|INCORRECTO~|EQUIVOCADA|ERRONEO", 0.95),
            ("EQUIVOCADO|EQUIVOCADA|EQUIVOCADOS ?DE NUMERO|PERSONA", 0.9),
            ("NO SOY ?YO ?ESA|ESE|LA|EL PERSONA", 0.85),
            ("DEJ~ ?ME|NOS EN PAZ", 0.95),
            ("DEJENME|DEJAME|DEJEME|DEJENNOS EN PAZ|TRANQUIL~", 0.95),
            ("^ALTO #6", 0.9),
            ("^PAREN|PARE #6", 0.85),
            ("^YA BASTA|BASTA", 0.85),
            ("BASTA ?YA|DE ?MENSAJES|MSJ~|TEXTOS|SPAM", 0.85),
            ("REVOC~ ?MI ?CONSENTIMIENTO|PERMISO|AUTORIZACION", 0.95),
            ("RETIR~ ?MI CONSENTIMIENTO|PERMISO|AUTORIZACION", 0.95),
            ("NO DOY|DI ?MI CONSENTIMIENTO|PERMISO|AUTORIZACION", 0.85),
            ("NO ESTOY INTERESAD~|INTERESADA", 0.6),
            ("NO ME INTERESA~", 0.6),
            ("NO GRACIAS", 0.55),
            ("COMO|DONDE|QUIEN * MI NUMERO", 0.6),
            ("NUNCA ME ?INSCRIBI|SUSCRIBI|REGISTRE|APUNTE", 0.6),
            ("DEMASIADOS " + Messages, 0.6),
            ("^SPAM|ESTAFA $", 0.6),
        ],
        blocks:
        [
            "NO PARES|PAREN|PARE|DEJES|DEJEN|DEJE|PAREMOS|ALTO",
            "NO DEJ~ DE",
            "MUY|MAS|TAN|LO|QUE|EL|LA|LOS|MENOS ALTO|ALTA|ALTOS",
            "ALTO AL|EL|LA|A|DE FUEGO|GUERRA|VIOLENCIA|TRAFICO|TRAFICO|NIVEL|VOLUMEN|RIESGO|COSTO|PRECIO",
            "ALTO ?EL|LA|LAS|LOS GUERRA|GENOCIDIO|VIOLENCIA|CORRUPCION",
            "PARADA|PARADERO",
            "CANCEL~ ?MI|LA|EL|NUESTRA|ESA|MIS CITA~|ORDEN~|PEDIDO~|RESERVA~|VUELO~|CUENTA|TARJETA|VIAJE",
            "QUIT~ * SI|PERO * NO",
        ],
        typoTargets: ["ALTO", "DESUSCRIBIR", "CANCELAR", "MENSAJES"],
        notTypos: ["ALTA", "ALTOS", "ALGO", "AUTO", "ALTAR", "CANTAR", "CANCELA", "MENSAJE", "SALTO", "FALTO", "ALMO", "ALTOZ"]);
}
