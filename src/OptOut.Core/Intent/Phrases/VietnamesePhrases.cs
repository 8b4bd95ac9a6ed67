namespace OptOut.Core.Intent.Phrases;

/// <summary>
/// Vietnamese revocation phrases. Diacritics are folded before reading, so DỪNG (stop) and ĐỪNG (don't) are both
/// DUNG: both ask to stop when followed by texting ("đừng nhắn tin nữa", "dừng gửi tin").
/// </summary>
internal static class VietnamesePhrases
{
    public static PhraseSet Create() => new(
        "vi",
        substrings: false,
        revocations:
        [
            ("DUNG|NGUNG|THOI ?LAI ?VIEC ?NHAN|GUI|NT|SMS|LIEN ?TIN|NHAN|LAC|HE", 0.95),
            ("DUNG|NGUNG|DUNGG|THOI NHAN|GUI|LIEN|GOI", 0.95),
            ("DUNG|NGUNG|DUNGG|DUNGGG * NUA $", 0.9),
            ("KHONG|KO|K|HONG|HOK ?MUON ?NHAN|GUI ?TIN ?NHAN ?NUA", 0.85),
            ("KHONG|KO|K MUON NHAN", 0.9),
            ("DUNG|DUNGG LAM|QUAY PHIEN|LÀM PHIEN|PHIEN|LAMPHIEN ?TOI|EM|ANH|CHI ?NUA", 0.9),
            ("HUY|HUYY ?DANG KY|DICH VU|NHAN TIN|THEO DOI", 0.9),
            ("XOA ?SO|TEN ?TOI|CUA TOI|KHOI|SO DIEN THOAI", 0.9),
            ("NHAM|SAI|LON SO|NGUOI", 0.9),
            ("DE TOI|EM|TUI ?DUOC YEN", 0.9),
            ("^DUNG|NGUNG|DUNGG #5", 0.85),
            ("^HUY #4", 0.85),
            ("RUT|HUY ?LAI ?SU DONG Y", 0.95),
            ("KHONG|KO QUAN TAM", 0.6),
            ("KHONG CAN", 0.55),
            ("QUA NHIEU|NHIEU QUA TIN", 0.6),
            ("SAO|AI * SO CUA TOI|SO TOI", 0.6),
        ],
        blocks:
        [
            "TRAM|BEN|XE|BUYT ?BUYT DUNG",
            "DUNG DUNG|KHONG DUNG LAI|DUNG BO CUOC",
            "DUNG ROI|VAY|KHONG|CHUA|DAY|NHE $",
            "HUY ?LICH|HEN|DON|VE|CHUYEN",
        ],
        typoTargets: null,
        notTypos: null);
}
