namespace OptOut.Core.Intent.Phrases;

/// <summary>Portuguese (mostly Brazilian) revocation phrases.</summary>
internal static class PortuguesePhrases
{
    private const string Send = "MANDAR~|ENVIAR~|MANDA~|ENVIA~|LIGAR|LIGA~|ESCREVER|ESCREVA~|MANDEM|ENVIEM|MANDE|ENVIE|LIGUE~|INCOMODAR|PERTURBAR|TORRAR|CONTATAR|CONTACTAR|MANDANDO|ENVIANDO";
    private const string Messages = "MENSAGE~|MSG~|MSGS|SMS|TEXTO~|PROPAGANDA~|PROMOCO~|PROMOCAO|NOTIFICACO~|ALERTA~|SPAM|ENVIO~";
    private const string Please = "PFV|PF|POR|PORFAVOR|OBRIGADO|OBRIGADA|VALEU";

    public static PhraseSet Create() => new(
        "pt",
        substrings: false,
        revocations:
        [
            ($"PAR~ ?DE|COM ?ME ?ESSAS|AS|ESSES {Send}|{Messages}", 0.95),
            ($"NAO ?ME|NOS ?MAIS {Send} ?MAIS", 0.85),
            ($"NUNCA ?MAIS ?ME {Send}", 0.9),
            ($"NAO QUERO|DESEJO ?MAIS ?RECEBER ?MAIS ?ESSAS|SUAS|AS|SEUS|OS ?{Messages}", 0.9),
            ("NAO QUERO|DESEJO MAIS", 0.85),
            ("GOSTARIA|PREFIRO ?DE NAO ?MAIS RECEBER", 0.85),
            ($"CHEGA DE {Messages}", 0.9),
            ($"SEM MAIS {Messages}", 0.85),
            ("TIR~|REMOV~|EXCLU~|APAG~|DELET~|RETIR~|TIAR ?ME|MEU|O ** LISTA|NUMERO|CADASTRO|CONTATO~|SISTEMA|BASE", 0.95),
            ("ME TIR~|REMOV~|EXCLU~|APAG~|DESCADASTR~|TIRA|REMOVE|EXCLUI|APAGA", 0.9),
            ("TIREM|REMOVAM|EXCLUAM|APAGUEM|DESCADASTREM", 0.9),
            ("DESCADASTR~|DESINSCREV~|DESINSCRICAO|DESCADASTAR", 0.9),
            ("EXCLUSAO|REMOCAO ** NUMERO|CADASTRO|LISTA", 0.9),
            ("SAIR|SAIA DA|DESSA|DESTA LISTA", 0.9),
            ("QUERO SAIR", 0.85),
            ("FAZER PARTE", 0.6),
            ("NUMERO|NUM ERRADO", 0.95),
            ("PESSOA ERRADA", 0.9),
            ("NAO E|EH DO|DA", 0.85),
            ("NAO SOU O|A|ESSA|ESSE", 0.8),
            ("ENGANO", 0.85),
            ("PEDI|FALEI|DISSE|MANDEI ** PARAR|PARAREM|SAIR|STOP|PARE", 0.85),
            ("NAO MORA|TEM|EXISTE ** NENHUM|NENHUMA|NINGUEM ** AQUI", 0.85),
            ("NAO CONHECO NENHUM|NENHUMA|NINGUEM", 0.8),
            ("FALECEU|FALECIDO|FALECIDA", 0.75),
            ("PROCON|ANATEL", 0.8),
            ("NAO PERTURBE", 0.8),
            ("VOU DENUNCIAR|PROCESSAR", 0.8),
            ("^SAIR|SAIA|PARAR|CHEGA ?AGORA|JA|{Please} $".Replace("{Please}", Please, StringComparison.Ordinal), 0.85),
            ("ME DEIX~|DEIX~ ME|DEIXEM EM PAZ", 0.95),
            ("^PARE|PAREM|PARAR|PARA !", 0.85),
            ($"^PARE|PAREM|PARAR {Please}", 0.9),
            ("^CHEGA !", 0.8),
            ("REVOG~|RETIR~|RETIRO ?MEU|MINHA|O|A CONSENTIMENTO|AUTORIZACAO|PERMISSAO", 0.95),
            ($"CANCEL~ ?MINHA|A|MEU|O INSCRICAO|ASSINATURA|CADASTRO|{Messages}", 0.9),
            ($"PAR~|CANCEL~|TIR~|REMOV~|EXCLU~|BLOQUE~|SUSPEND~|INTERROMP~ ** {Messages}", 0.85),
            ($"NAO ** QUERO|DESEJO|PRECISO ** {Messages}", 0.85),
            ($"{Messages} ** NUNCA MAIS|CHEGA $", 0.8),
            ("COMO ** SAIO|SAIR|DESCADASTR~|CANCEL~|PARAR", 0.85),
            ("NAO TENHO INTERESSE", 0.6),
            ("SEM INTERESSE", 0.6),
            ("NAO OBRIGAD~", 0.55),
            ("COMO|ONDE|QUEM ** MEU NUMERO", 0.6),
            ("NUNCA ME CADASTREI|INSCREVI", 0.6),
            ($"MUITAS|TANTAS|MENOS {Messages}", 0.6),
            ("DE NOVO ISSO", 0.5),
            ("QUE CHATICE", 0.55),
        ],
        blocks:
        [
            "NAO PRECISA PARAR",
            "PONTO|PARADA ?DE ONIBUS|BUS|FINAL",
            "PARAR O|A CARRO|MOTO",
            "PARE|PAREM|PARAR O|A|COM ?A|O|ISSO ?DESMATAMENTO|GUERRA|VIOLENCIA|CORRUPCAO|PRIVATIZACAO|ISSO",
            "CHEGA DE CORRUPCAO|VIOLENCIA|GUERRA|IMPOSTO~|IMPUNIDADE|INJUSTICA",
            "PARA|PARE|PARAR DE ME FAZER RIR",
            "RESPONDA|RESPONDER|ENVIE|MANDE|ENVIA|MANDA SAIR|PARAR|STOP|PARE PARA",
            "SAIR DA|DO ?LISTA ?DE ESPERA|GRUPO|TIME|ACADEMIA|PLANO|CLUBE|ESCALA|CARONA",
            "CANCEL~ ?MINHA|A|MEU|O|NOSSA|ESSA CONSULTA|PEDIDO|RESERVA|VOO|CONTA|CARTAO|HORARIO|AGENDAMENTO|JOGO",
        ],
        negations:
        [
            "NAO|NUNCA|JAMAIS|NEM",
        ],
        notNegations:
        [
            "NAO ?ME|NOS ** MAIS",
            "NAO QUERO|DESEJO|SOU|TENHO",
            "NAO E|EH",
        ],
        typoTargets: ["DESCADASTRAR"],
        notTypos: ["DESCADASTRA", "CADASTRAR"],
        fillers: ["PFV", "PF", "POR", "FAVOR", "OBRIGADO", "OBRIGADA", "JA", "AGORA", "SIM", "VALEU", "PORFAVOR", "PLS", "MESMO", "TUDO"]);
}
