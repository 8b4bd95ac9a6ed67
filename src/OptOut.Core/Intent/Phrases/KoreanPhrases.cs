namespace OptOut.Core.Intent.Phrases;

/// <summary>Korean revocation phrases, read as substrings of the text with its spaces removed (spacing varies).</summary>
internal static class KoreanPhrases
{
    public static PhraseSet Create() => new(
        "ko",
        substrings: true,
        revocations:
        [
            ("보내지마|보내지말|보내지 않|그만보내|보내지마세요|문자그만|문자보내지|연락하지마|연락하지말|연락그만|연락하지 마|전화하지마|그만연락", 0.95),
            ("수신거부|수신 거부|수신중지|수신차단|수신해지|구독취소|구독해지|해지해|탈퇴", 0.9),
            ("번호삭제|번호지워|번호를지워|번호를삭제|명단에서|목록에서|삭제해주|지워주", 0.9),
            ("잘못보내|잘못된번호|번호잘못|잘못거|잘못 보낸|번호가틀|틀린번호|다른사람", 0.9),
            ("귀찮게하지|괴롭히지|그만하세요|그만해|그만좀|이제그만", 0.85),
            ("동의철회|동의를철회|동의취소|동의하지않", 0.95),
            ("관심없|필요없", 0.6),
            ("스팸|광고문자", 0.6),
            ("번호어떻게|내번호를어떻게|어디서번호|번호를어디서", 0.6),
        ],
        blocks:
        [
            "멈추지마|그만두지마|그만두지말|그만보내지마|끊지마",
            "정류장|정거장|버스가",
        ],
        typoTargets: null,
        notTypos: null);
}
