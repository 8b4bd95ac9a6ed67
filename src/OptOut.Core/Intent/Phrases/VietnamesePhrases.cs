namespace OptOut.Core.Intent.Phrases;

/// <summary>
/// Vietnamese revocation phrases. Diacritics are folded before reading, so DỪNG (stop) and ĐỪNG (don't) are both
/// DUNG: both ask to stop when followed by texting ("đừng nhắn tin nữa", "dừng gửi tin").
/// </summary>
internal static class VietnamesePhrases
{
    private const string Stop = "DUNG|NGUNG|THOI|DUNGG|DUGN";
    private const string Send = "NHAN|GUI|NT|SMS|LIEN|GOI|LAM|NHAC";

    public static PhraseSet Create() => new(
        "vi",
        substrings: false,
        revocations:
        [
            ($"{Stop} ?LAI ?VIEC ?HAY {Send}", 0.95),
            ($"{Stop} LAI $ #5", 0.9),
            ($"{Stop} LAI DI|NHA|GIUM|DUM", 0.9),
            ($"KHONG|KO|K|HONG|HOK|CHANG MUON ?NHAN|GUI ?TIN", 0.9),
            ($"KHONG|KO|K|HONG|HOK NHAN|GUI ?TIN ** NUA", 0.9),
            ($"{Send} ** NUA ?LA|TOI|TUI|EM ** BAO|KIEN|KIEU|THUA", 0.85),
            ($"{Send} ** NUA ?LA|TOI|TUI|EM ** TO CAO", 0.85),
            ("LAM PHIEN ?TOI|EM|TUI ?NUA", 0.85),
            ("PHIEN QUA", 0.75),
            ("HUY|HUYY DANG KY", 0.9),
            ("HUY|HUYY DICH VU", 0.9),
            ("HUY|HUYY NHAN|THEO|TIN TIN|DOI|NHAN", 0.9),
            ("XOA ?SO|TEN ** DANH SACH|KHOI", 0.9),
            ("XOA SO|TEN", 0.85),
            ("NHAM|SAI|LON SO|NGUOI", 0.9),
            ("KHONG CO AI TEN", 0.85),
            ("SO NAY ** KHONG CON|PHAI", 0.85),
            ("BAO|TO CAO ** NEU|BO|CONG|TT", 0.8),
            ("XOA ** THONG|DU TIN|LIEU", 0.9),
            ("KHONG PHAI ?LA ?ANH|CHI|CO|CHU|BAC|ONG|BA", 0.8),
            ("DE ?CHO TOI|EM|TUI ?DUOC YEN", 0.9),
            ("^DUNG|NGUNG|DUNGG !", 0.85),
            ("^HUY !", 0.85),
            ("RUT|HUY ?LAI ?SU DONG Y", 0.95),
            ($"{Stop} ** TIN|NHAN|SMS|QUANG CAO", 0.85),
            ("KHONG|KO|K|HONG|HOK|DUNG ** NHAN|GUI ** NUA $", 0.85),
            ("LAM SAO|CACH NAO|LAM THE NAO ** HUY|DUNG|NGUNG|XOA", 0.85),
            ("KHONG|KO QUAN TAM", 0.6),
            ("KHONG CAN", 0.55),
            ("QUA NHIEU|NHIEU QUA|NHIEU TIN", 0.6),
            ("SAO|AI ** SO CUA TOI|SO TOI", 0.6),
            ("DAU CO|KHONG DANG KY", 0.6),
            ("LAI NUA", 0.5),
        ],
        blocks:
        [
            "TRAM|BEN|XE|BUYT ?BUYT DUNG",
            "DUNG|NGUNG CHIEN|PHA|BAO|HUT|AN",
            "HUY NO|LICH|HEN|DON|VE|CHUYEN",
            "CU NHAN|GUI TIEP",
            "KHONG SAO|DUOC|BAO GIO|DI",
        ],
        negations:
        [
            "DUNG DUNG",
        ],
        softeners:
        [
            ("CUOI|HAHA~|HIHI~|HEHE~|VUI", 0.6),
        ],
        fillers: ["CAI", "GIUM", "DUM", "HO", "DI", "NHA", "NHE", "GIUM", "DUM", "GIUP", "AH", "A", "NGAY", "LIEN", "TOI", "EM", "LAI", "NUA", "DUM", "VOI"]);
}
