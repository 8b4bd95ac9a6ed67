namespace OptOut.Core.Intent.Phrases;

/// <summary>Portuguese (mostly Brazilian) revocation phrases.</summary>
internal static class PortuguesePhrases
{
    private const string Send = "MANDAR~|ENVIAR~|MANDA~|ENVIA~|LIGAR|LIGA~|ESCREVER|ESCREVA~|MANDEM|ENVIEM|MANDE|ENVIE|LIGUE~|INCOMODAR|PERTURBAR|TORRAR|CONTATAR|CONTACTAR";
    private const string Messages = "MENSAGE~|MSG~|MSGS|SMS|TEXTO~|PROPAGANDA~|PROMOCO~|PROMOCAO|NOTIFICACO~|ALERTA~|SPAM";

    public static PhraseSet Create() => new(
        "pt",
        substrings: false,
        revocations:
        [
            ($"PAR~ ?DE ?ME|COM ?ESSAS|AS|ESSES {Send}|{Messages}", 0.95),
            ($"PAR~ ?DE ?ME {Send}", 0.95),
            ($"NAO ?ME ?QUERO {Send} ?MAIS", 0.85),
            ($"NAO|NUNCA ?ME|MAIS {Send} ?MAIS", 0.85),
            ($"NAO QUERO ?MAIS ?RECEBER ?MAIS ?ESSAS|SUAS|AS|SEUS|OS ?{Messages}", 0.85),
            ($"NAO DESEJO ?MAIS RECEBER", 0.9),
            ($"CHEGA DE {Messages}", 0.9),
            ($"SEM MAIS {Messages}", 0.85),
            ("TIR~|REMOV~|EXCLU~|APAG~|DELET~|RETIR~ ?ME|MEU * LISTA|NUMERO|CADASTRO|CONTATO~|SISTEMA|BASE", 0.95),
            ("ME TIR~|REMOV~|EXCLU~|APAG~|DESCADASTR~|TIRA|REMOVE|EXCLUI|APAGA", 0.9),
            ("TIREM|REMOVAM|EXCLUAM|APAGUEM|DESCADASTREM ?ME", 0.9),
            ("DESCADASTR~|DESINSCREV~|DESINSCRICAO", 0.9),
            ("SAIR|SAIA DA|DESSA|DESTA LISTA", 0.9),
            ("QUERO SAIR", 0.85),
            ("NUMERO|NUM ERRADO", 0.95),
            ("PESSOA ERRADA", 0.9),
            ("ENGANO", 0.85),
            ("ME DEIX~|DEIX~ ME|DEIXEM EM PAZ", 0.95),
            ("^PARE|PAREM|PARA #6", 0.85),
            ("^CHEGA #4", 0.8),
            ("REVOG~|RETIR~ ?MEU CONSENTIMENTO|AUTORIZACAO|PERMISSAO", 0.95),
            ("CANCEL~ ?MINHA|A|MEU|O INSCRICAO|ASSINATURA|CADASTRO|" + Messages, 0.9),
            ("NAO TENHO INTERESSE", 0.6),
            ("SEM INTERESSE", 0.6),
            ("NAO OBRIGAD~", 0.55),
            ("COMO|ONDE|QUEM * MEU NUMERO", 0.6),
            ("NUNCA ME CADASTREI|INSCREVI", 0.6),
            ("MUITAS|TANTAS " + Messages, 0.6),
        ],
        blocks:
        [
            "NAO PARE~|PARA|PARAR",
            "NUNCA PARE~",
            "PONTO|PARADA ?DE ONIBUS|BUS|FINAL",
            "PARA ?DE|DO|A|O ?SHOPPING|ESCOLA|CASA|ONDE|QUE|MIM|VOCE|VC|TI|ELE|ELA",
            "CHEGA DE CORRUPCAO|VIOLENCIA|GUERRA|IMPOSTO~",
            "CANCEL~ ?MINHA|A|MEU|O|NOSSA|ESSA CONSULTA|PEDIDO|RESERVA|VOO|CONTA|CARTAO|HORARIO|AGENDAMENTO",
        ],
        typoTargets: ["DESCADASTRAR"],
        notTypos: ["DESCADASTRA", "CADASTRAR"]);
}
