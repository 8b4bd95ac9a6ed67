namespace OptOut.Core.Keywords;

/// <summary>
/// The keyword lists and default replies the service ships for each language, every language active by default
/// (compliance first: an account can't know which language a contact will text in, and a missed revocation costs
/// far more than an unneeded confirmation). Every keyword's source, and every word considered and left out, is in
/// docs/keywords.md.
/// </summary>
/// <remarks>
/// Matching is of the whole text after normalization (NFKC, upper case, accents folded, punctuation, quotes and
/// emoji stripped, hyphens as spaces, whitespace collapsed), so each keyword is written once, in its proper spelling,
/// and its folded form appears only once across all languages and kinds: a bare text must mean one thing. A word
/// two languages share (CANCELAR, FIN, PARAR, INICIO, TD) belongs to one of them; docs/keywords.md says which and
/// why. The one exception is English's OPT OUT and OPT-OUT, kept as the FCC and carriers spell them: they normalize
/// alike and are one keyword. STOP, START and HELP are English's and can't be removed from an account.
/// </remarks>
public static class ShippedLanguages
{
    public static readonly IReadOnlyList<ShippedLanguage> All =
    [
        new ShippedLanguage
        {
            Code = "en",
            Name = "English",
            OptOut = ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT", "OPT-OUT"],
            OptIn = ["START", "UNSTOP", "YES", "JOIN"],
            Help = ["HELP", "INFO"],
            OptOutMessage = "You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.",
            OptInMessage = "You have been resubscribed and will receive messages from this number again. Reply STOP to opt out.",
            HelpMessage = "You are receiving automated messages from this number. Reply STOP to opt out, START to resubscribe. Msg & data rates may apply.",
        },
        new ShippedLanguage
        {
            Code = "es",
            Name = "Spanish",
            OptOut = ["ALTO", "PARA", "DETENER", "BAJA", "DARME DE BAJA", "CANCELAR", "FIN", "TERMINAR", "SALIR", "DESUSCRIBIR", "DESUSCRIBIRME", "NO MÁS"],
            OptIn = ["COMENZAR", "INICIO", "INICIAR", "REANUDAR", "SÍ"],
            Help = ["AYUDA", "AUXILIO", "INFORMACIÓN"],
            OptOutMessage = "Se ha dado de baja y ya no le enviaremos mensajes desde este remitente. Responda COMENZAR para volver a suscribirse.",
            OptInMessage = "Se ha vuelto a suscribir: volveremos a enviarle mensajes desde este remitente. Responda ALTO para darse de baja.",
            HelpMessage = "Mensajes automatizados de este remitente. Responda ALTO para darse de baja o COMENZAR para volver a suscribirse. Pueden aplicarse cargos por mensajes y datos.",
        },
        new ShippedLanguage
        {
            Code = "fr",
            Name = "French",
            OptOut = ["ARRÊT", "ARRÊTE", "ARRÊTER", "ARRÊTEZ", "STOPPER", "DÉSABONNER", "DÉSABONNEMENT", "DÉSINSCRIRE", "DÉSINSCRIPTION", "ANNULER"],
            OptIn = ["COMMENCER", "REPRENDRE", "RÉABONNER", "DÉBUT"],
            Help = ["AIDE"],
            OptOutMessage = "Vous avez été désabonné et ne recevrez plus de messages de ce numéro. Répondez COMMENCER pour vous réabonner.",
            OptInMessage = "Vous avez été réabonné et recevrez de nouveau des messages de ce numéro. Répondez ARRET pour vous désabonner.",
            HelpMessage = "Vous recevez des messages automatiques de ce numéro. Répondez ARRET pour vous désabonner, COMMENCER pour vous réabonner. Frais de SMS et de données possibles.",
        },
        new ShippedLanguage
        {
            Code = "pt",
            Name = "Portuguese",
            OptOut = ["SAIR", "PARAR", "PARE", "CHEGA", "CANCELE", "DESCADASTRAR", "DESCADASTRE", "DESCADASTRO", "DESINSCREVER", "REMOVER", "ENCERRAR"],
            OptIn = ["COMEÇAR", "REATIVAR", "CADASTRAR", "VOLTAR", "ASSINAR"],
            Help = ["AJUDA", "INFORMAÇÕES", "INFORMAÇÃO"],
            OptOutMessage = "Seu cadastro foi cancelado e deixaremos de enviar mensagens deste remetente. Responda COMEÇAR para voltar a receber as mensagens.",
            OptInMessage = "Seu cadastro foi reativado e voltaremos a enviar mensagens deste remetente. Responda SAIR para cancelar.",
            HelpMessage = "Este remetente envia mensagens automatizadas. Responda SAIR para cancelar ou COMEÇAR para voltar a receber as mensagens. Podem incidir tarifas de SMS e dados.",
        },
        new ShippedLanguage
        {
            Code = "de",
            Name = "German",
            OptOut = ["STOPP", "ABMELDEN", "ABMELDUNG", "ABBESTELLEN", "KÜNDIGEN", "STORNIEREN", "BEENDEN", "ENDE", "AUFHÖREN", "AUSTRAGEN", "HALT"],
            OptIn = ["STARTEN", "ANMELDEN"],
            Help = ["HILFE", "INFOS"],
            OptOutMessage = "Sie wurden abgemeldet und erhalten keine weiteren Nachrichten von dieser Nummer. Antworten Sie mit STARTEN, um sich wieder anzumelden.",
            OptInMessage = "Sie sind wieder angemeldet und erhalten erneut Nachrichten von dieser Nummer. Antworten Sie mit STOPP, um sich abzumelden.",
            HelpMessage = "Sie erhalten automatische Nachrichten dieser Nummer. Mit STOPP melden Sie sich ab, mit STARTEN wieder an. Es können SMS- und Datengebühren anfallen.",
        },
        new ShippedLanguage
        {
            Code = "zh",
            Name = "Chinese",
            OptOut = ["退订", "退訂", "TD", "取消订阅", "取消訂閱", "取消", "停止", "拒收", "退出"],
            OptIn = ["开始", "開始", "订阅", "訂閱"],
            Help = ["帮助", "幫助"],
            OptOutMessage = "您已退订，将不再收到此号码发送的消息。回复“开始”可重新订阅。",
            OptInMessage = "您已重新订阅，将再次收到此号码发送的消息。回复“退订”可取消订阅。",
            HelpMessage = "您正在接收此号码发送的自动消息。回复“退订”取消订阅，回复“开始”重新订阅。可能产生短信和流量费用。",
        },
        new ShippedLanguage
        {
            Code = "vi",
            Name = "Vietnamese",
            OptOut = ["DỪNG", "DỪNG LẠI", "NGỪNG", "HỦY", "HỦY ĐĂNG KÝ", "TỪ CHỐI", "TC", "KHÔNG NHẬN TIN"],
            OptIn = ["BẮT ĐẦU", "ĐĂNG KÝ", "ĐĂNG KÝ LẠI"],
            Help = ["TRỢ GIÚP", "GIÚP", "GIÚP ĐỠ", "HƯỚNG DẪN"],
            OptOutMessage = "Đã hủy, bạn sẽ không nhận thêm tin từ số này. Gửi BẮT ĐẦU để nhận lại.",
            OptInMessage = "Bạn đã đăng ký lại và sẽ nhận tin từ số này. Gửi DỪNG để hủy.",
            HelpMessage = "Tin tự động. Gửi DỪNG để hủy, BẮT ĐẦU để nhận lại. Có thể mất phí.",
        },
        new ShippedLanguage
        {
            Code = "ko",
            Name = "Korean",
            OptOut = ["수신거부", "수신 거부", "무료수신거부", "무료거부", "수신중지", "수신 중지", "중지", "그만", "해지", "구독취소", "구독 취소", "탈퇴", "거부"],
            OptIn = ["시작", "수신동의", "수신 동의", "재구독", "구독"],
            Help = ["도움말", "도움"],
            OptOutMessage = "수신거부가 완료되어 이 번호로 더 이상 메시지가 발송되지 않습니다. 다시 받으시려면 '시작'이라고 회신하세요.",
            OptInMessage = "수신이 재개되어 이 번호로 다시 메시지가 발송됩니다. 원하지 않으시면 '수신거부'라고 회신하세요.",
            HelpMessage = "이 번호의 자동 메시지입니다. 수신거부는 '수신거부', 재수신은 '시작'으로 회신하세요. 문자 요금이 부과될 수 있습니다.",
        },
        new ShippedLanguage
        {
            Code = "tl",
            Name = "Tagalog",
            OptOut = ["TIGIL", "ITIGIL", "TUMIGIL", "HINTO", "HUMINTO", "IHINTO", "AYOKO NA", "AYAW KO NA", "KANSELAHIN"],
            OptIn = ["SIMULA", "SIMULAN", "UMPISA"],
            Help = ["TULONG"],
            OptOutMessage = "Na-unsubscribe ka na at hindi ka na makakatanggap ng mensahe mula sa numerong ito. Mag-reply ng SIMULA para mag-subscribe muli.",
            OptInMessage = "Naka-subscribe ka na muli at makakatanggap ka ulit ng mga mensahe mula sa numerong ito. Mag-reply ng TIGIL para mag-unsubscribe.",
            HelpMessage = "Awtomatikong mensahe mula sa numerong ito. Mag-reply ng TIGIL para mag-unsubscribe o SIMULA para mag-subscribe muli. Maaaring may singil sa text at data.",
        },
    ];
}
