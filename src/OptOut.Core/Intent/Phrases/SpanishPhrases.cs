namespace OptOut.Core.Intent.Phrases;

/// <summary>Spanish revocation phrases, as US Spanish speakers text them (accents folded, often left out anyway).</summary>
internal static class SpanishPhrases
{
    private const string Send = "MANDAR~|ENVIAR~|ESCRIBIR~|TEXTEAR~|MENSAJEAR~|LLAMAR~|MOLESTAR~|CONTACTAR~|MANDEN~|ENVIEN~|ESCRIBAN~|MANDES|ENVIES|ESCRIBAS|TEXTEEN~|TEXTEES|LLAMEN|MOLESTEN|CONTACTEN|MANDE|ENVIE|ESCRIBA|LLAME|MOLESTE|MANDANDO|ENVIANDO|ESCRIBIENDO|MOLESTANDO|ENVIARAN|MANDARAN|ENVIARA|MANDARA|LLEGUEN|LLEGAN|CONTACTE|MANDEIS";
    private const string Messages = "MENSAJE~|MSJ~|MSG~|MSGS|TEXTO~|SMS|MENSAGE~|PUBLICIDAD|PROMOCION~|ALERTA~|NOTIFICACION~|SPAM";
    private const string Please = "XFA|PORFA|PORFAVOR|PLIS|PLS|GRACIAS";

    public static PhraseSet Create() => new(
        "es",
        substrings: false,
        revocations:
        [
            ($"DEJ~|PAR~|DETENG~ ?YA DE ?ME {Send}|{Messages}", 0.95),
            ($"NO ?ME|NOS ?VUELVA~|VUELVAN ?A ?MAS {Send}", 0.9),
            ($"YA NO ?ME|NOS ** {Send}", 0.9),
            ($"NO QUIERO|DESEO|KIERO ?RECIBIR|MAS ?RECIBIR ?MAS ?SUS|TUS|ESTOS|SU|LOS|ESOS {Messages}", 0.95),
            ("YA NO QUIERO|DESEO|KIERO ?RECIBIR|NADA", 0.85),
            ("NO QUIERO|DESEO|KIERO RECIBIR", 0.85),
            ($"NO ?MAS|MAS|MAZ {Messages}", 0.9),
            ("^NO MAS|MAZ ?POR ?FAVOR|XFA|PORFA $", 0.85),
            ($"BORR~|ELIMIN~|QUIT~|SAC~|REMOV~|BAJ~ ?ME|MI|EL|NOS ** LISTA|NUMERO|BASE|CONTACTOS|SISTEMA|{Messages}", 0.95),
            ($"BORRENME|SAQUENME|QUITENME|ELIMINENME|BORRAME|SACAME|QUITAME|ELIMINAME|REMUEVANME|DESUSCRIBANME|BAJENME|BAJAME ?YA|{Please} $", 0.9),
            ("BORRENME|SAQUENME|QUITENME|ELIMINENME|BORRAME|SACAME|QUITAME|ELIMINAME|REMUEVANME|DESUSCRIBANME|BAJENME|BAJAME", 0.85),
            ("DAR~|DARME|DENME|DOY|DA ?ME|DE BAJA", 0.9),
            ("^BAJA|ELIMINAR|QUITAR|BORRAR|SALIR ?ME|YA|POR|{Please} ?FAVOR $".Replace("{Please}", Please, StringComparison.Ordinal), 0.85),
            ("DESUSCRIB~|DESINSCRIB~|DESUSCRIPCION|DESINSCRIPCION|DESAFILI~", 0.9),
            ($"CANCEL~ ?MI|LA|MIS|ESTA|LAS|LOS ?SUSCRIPCION~|SUBSCRIPCION~ ** {Messages}", 0.9),
            ($"CANCEL~ ?MI|LA|MIS|ESTA|LAS|LOS {Messages}", 0.9),
            ("NUMERO|NUM|NRO EQUIVOCADO~|INCORRECTO~|EQUIVOCADA|ERRONEO", 0.95),
            ("EQUIVOCADO|EQUIVOCADA|EQUIVOCADOS DE NUMERO|PERSONA", 0.9),
            ("NO SOY ?YO ?ESA|ESE|LA|EL PERSONA", 0.85),
            ("DEJ~ ?ME|NOS EN PAZ", 0.95),
            ("DEJENME|DEJAME|DEJEME|DEJENNOS EN PAZ|TRANQUIL~", 0.95),
            ("^ALTO !", 0.9),
            ($"^ALTO {Please}|POR|YA|YAA|AHORA", 0.9),
            ($"STOP MANDAR~|MANDANDO|ENVIAR~|ENVIANDO|{Messages}", 0.95),
            ("MANDE|MANDAMOS|ENVIE|PUSE|DIJE|ESCRIBI|RESPONDI STOP|ALTO|BAJA", 0.85),
            ("^PAREN|PARE|DETENGAN !", 0.85),
            ("^YA BASTA", 0.85),
            ($"BASTA ?YA DE|CON ?LOS|TANTOS|SUS {Messages}", 0.9),
            ("REVOC~ ?MI|EL CONSENTIMIENTO|PERMISO|AUTORIZACION", 0.95),
            ("REVOCO", 0.9),
            ("RETIR~ ?MI|EL CONSENTIMIENTO|PERMISO|AUTORIZACION", 0.95),
            ("NO AUTORIZO|DOY|DI|CONSIENTO|ACEPTO", 0.8),
            ("VAYANSE|LARGUENSE|VETE", 0.8),
            ("ME TIENEN HART~|HARTO|HARTA|CANSAD~ CON|DE ?SUS|TANTOS ?MENSAJES", 0.7),
            ("^YA ESTOY HART~|HARTA|HARTO", 0.6),
            ($"DEJ~|PAR~|DETEN~|CANCEL~|QUIT~|BORR~|ELIMIN~|BLOQUE~|SUSPEND~ ** {Messages}", 0.85),
            ($"NO ** QUIERO|DESEO|KIERO|NECESITO ** {Messages}", 0.85),
            ($"{Messages} ** YA NO|NO MAS $", 0.8),
            ("COMO ** DOY|DAR|DARME|SALGO|SALIR|QUITO|ELIMINO ** BAJA|LISTA", 0.85),
            ("NO ESTOY INTERESAD~|INTERESADA", 0.6),
            ("NO ME INTERESA~", 0.6),
            ("NO GRACIAS", 0.55),
            ("^YA NO $", 0.6),
            ("^PASO $", 0.5),
            ("^BLOQUEAD~|BLOQUEADO|SPAM $ #2", 0.6),
            ("ESTO ES|SON SPAM", 0.6),
            ("POR QUE|PORQUE|QUE ME MANDAN|ENVIAN|ESCRIBEN", 0.55),
            ("COMO|DONDE|QUIEN ** MI NUMERO", 0.6),
            ("NUNCA ME ?INSCRIBI|SUSCRIBI|REGISTRE|APUNTE", 0.6),
            ($"DEMASIADOS|TANTOS {Messages}", 0.6),
            ("NO SOY CLIENTE|MIEMBRO", 0.55),
            ("YA NO VIVO", 0.5),
            ("CAMBIE DE NUMERO", 0.5),
        ],
        blocks:
        [
            "ALTO AL|A|EL|LA ** FUEGO|GUERRA|VIOLENCIA|TRAFICO|NIVEL|VOLUMEN|RIESGO|COSTO|PRECIO|DEPORTACIONES|ODIO|RACISMO",
            "MUY|MAS|TAN|LO|QUE|EL|LA|LOS|MENOS ALTO|ALTA|ALTOS",
            "PARADA|PARADERO",
            "CANCEL~ ?MI|LA|EL|NUESTRA|ESA|MIS|LOS CITA~|ORDEN~|PEDIDO~|RESERVA~|VUELO~|CUENTA|TARJETA|VIAJE|CARGO|CLASE|EVENTO",
            "SI QUIERO|SIGAN|SIGUE",
            "RESPONDA|RESPONDER|RESPONDO|RESPONDE|CONTESTE ALTO|STOP|BAJA",
            "QUE PASA SI",
        ],
        negations:
        [
            "NO|NUNCA|JAMAS|TAMPOCO",
        ],
        notNegations:
        [
            "NO ME|NOS ?VUELVA~|VUELVAN|MAS|ESCRIBAN|MANDEN|ENVIEN|MANDES|ENVIES|ESCRIBAS|TEXTEEN|LLAMEN|MOLESTEN|CONTACTEN|QUIERO|DESEO",
            "NO QUIERO|DESEO|KIERO|MAS|MAZ|AUTORIZO|DOY|DI|GRACIAS",
            "YA NO",
            "NO SE|SOY",
        ],
        typoTargets: ["ALTO", "DESUSCRIBIR", "CANCELAR", "BAJA", "MENSAJES"],
        notTypos: ["ALTA", "ALTOS", "ALGO", "AUTO", "ALTAR", "CANTAR", "CANCELA", "MENSAJE", "SALTO", "FALTO", "ALMO", "BAJO", "BAJAS", "CAJA", "BAÑA",
            "PAJA", "BATA", "BABA", "BAJAR", "RAJA", "MAJA", "LAJA", "BALA", "BAYA", "BAHIA", "VAJILLA", "ABAJO", "BAJAN", "BAJE"],
        fillers: ["POR", "FAVOR", "XFA", "PORFA", "PORFAVOR", "GRACIAS", "YA", "AHORA", "SI", "YAA", "MUCHAS", "PLIS", "PLS", "OK", "YAAA", "MISMO", "TODO", "TODOS"],
        softeners:
        [
            ("TAN|MUY TEMPRANO|TARDE|SEGUIDO", 0.6),
            ("EN|DE|LOS|EL|POR LA NOCHE|NOCHES|FIN|FINES|DOMINGOS|SABADOS|MADRUGADA", 0.6),
            ("SOLO|NOMAS ** DE|SOBRE|PARA", 0.6),
        ]);
}
