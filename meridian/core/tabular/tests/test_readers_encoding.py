"""Text encodings of CSV files as offices' Excel and WPS save them: detected, overridden, or refused.

The files are shaped like real partner lists: a header row and ten to fifteen rows of names, countries,
cities and websites, saved in the code page of the office's Windows edition.
"""

from __future__ import annotations

import codecs
import io

import pytest

from meridian.core.tabular import encoding
from meridian.core.tabular.readers import ImportFileError, open_table
from meridian.core.tabular.tests.helpers import csv_bytes

WESTERN = [
    ["Name", "Country", "City", "Website", "Contact"],
    ["Universität Wien", "Österreich", "Wien", "univie.ac.at", "international@univie.ac.at"],
    ["École Polytechnique", "France", "Palaiseau", "polytechnique.edu", "relations@polytechnique.edu"],
    ["Universidade de São Paulo", "Brasil", "São Paulo", "usp.br", "ccint@usp.br"],
    ["Technische Universität München", "Deutschland", "München", "tum.de", "international@tum.de"],
    ["Université de Genève", "Suisse", "Genève", "unige.ch", "mobility@unige.ch"],
    ["Universidad Autónoma de Madrid", "España", "Madrid", "uam.es", "relaciones@uam.es"],
    ["Universitat Pompeu Fabra", "España", "Barcelona", "upf.edu", "mobilitat@upf.edu"],
    ["Københavns Universitet", "Danmark", "København", "ku.dk", "exchange@ku.dk"],
    ["Università di Bologna", "Italia", "Bologna", "unibo.it", "diri@unibo.it"],
    ["Sorbonne Université", "France", "Paris", "sorbonne-universite.fr", "international@sorbonne.fr"],
    ["Universiteit Leiden", "Nederland", "Leiden", "leidenuniv.nl", "exchange@leiden.nl"],
    ["King’s College London", "United Kingdom", "London", "kcl.ac.uk", "“study abroad” office"],
    ["Åbo Akademi", "Finland", "Turku", "abo.fi", "international@abo.fi"],
]
BIG5 = [
    ["院校名稱", "國家/地區", "城市", "官網", "聯絡人"],
    ["國立臺灣大學", "臺灣", "臺北", "ntu.edu.tw", "陳志明"],
    ["國立清華大學", "臺灣", "新竹", "nthu.edu.tw", "林美玲"],
    ["香港中文大學", "香港", "香港", "cuhk.edu.hk", "黃家輝"],
    ["國立成功大學", "臺灣", "臺南", "ncku.edu.tw", "張雅婷"],
    ["國立政治大學", "臺灣", "臺北", "nccu.edu.tw", "王建國"],
    ["香港大學", "香港", "香港", "hku.hk", "李嘉欣"],
    ["香港科技大學", "香港", "香港", "hkust.edu.hk", "劉德華"],
    ["國立陽明交通大學", "臺灣", "新竹", "nycu.edu.tw", "吳淑芬"],
    ["澳門大學", "澳門", "澳門", "um.edu.mo", "何文傑"],
    ["輔仁大學", "臺灣", "新北", "fju.edu.tw", "蔡宗翰"],
]
GB = [
    ["院校名称", "国家", "城市", "官网", "联系人"],
    ["清华大学", "中国", "北京", "tsinghua.edu.cn", "张伟"],
    ["东京大学", "日本", "东京", "u-tokyo.ac.jp", "王芳"],
    ["首尔大学", "韩国", "首尔", "snu.ac.kr", "李娜"],
    ["新加坡国立大学", "新加坡", "新加坡", "nus.edu.sg", "刘洋"],
    ["墨尔本大学", "澳大利亚", "墨尔本", "unimelb.edu.au", "陈静"],
    ["多伦多大学", "加拿大", "多伦多", "utoronto.ca", "杨帆"],
    ["牛津大学", "英国", "牛津", "ox.ac.uk", "赵磊"],
    ["慕尼黑工业大学", "德国", "慕尼黑", "tum.de", "黄敏"],
    ["莫斯科国立大学", "俄罗斯", "莫斯科", "msu.ru", "周杰"],
    ["巴黎萨克雷大学", "法国", "巴黎", "universite-paris-saclay.fr", "吴婷"],
]
SHIFT_JIS = [
    ["大学名", "国", "都市", "ウェブサイト", "担当者"],
    ["東京大学", "日本", "東京", "u-tokyo.ac.jp", "山田太郎"],
    ["早稲田大学", "日本", "東京", "waseda.jp", "佐藤花子"],
    ["京都大学", "日本", "京都", "kyoto-u.ac.jp", "鈴木一郎"],
    ["大阪大学", "日本", "大阪", "osaka-u.ac.jp", "高橋由美"],
    ["慶應義塾大学", "日本", "東京", "keio.ac.jp", "田中健"],
    ["東北大学", "日本", "仙台", "tohoku.ac.jp", "伊藤さくら"],
    ["名古屋大学", "日本", "名古屋", "nagoya-u.ac.jp", "渡辺誠"],
    ["北海道大学", "日本", "札幌", "hokudai.ac.jp", "中村あゆみ"],
    ["九州大学", "日本", "福岡", "kyushu-u.ac.jp", "小林翔"],
    ["筑波大学", "日本", "つくば", "tsukuba.ac.jp", "加藤めぐみ"],
]
EUC_KR = [
    ["대학명", "국가", "도시", "웹사이트", "담당자"],
    ["서울대학교", "대한민국", "서울", "snu.ac.kr", "김민준"],
    ["고려대학교", "대한민국", "서울", "korea.ac.kr", "이서연"],
    ["연세대학교", "대한민국", "서울", "yonsei.ac.kr", "박지훈"],
    ["한국과학기술원", "대한민국", "대전", "kaist.ac.kr", "최수빈"],
    ["포항공과대학교", "대한민국", "포항", "postech.ac.kr", "정우진"],
    ["성균관대학교", "대한민국", "서울", "skku.edu", "강하은"],
    ["한양대학교", "대한민국", "서울", "hanyang.ac.kr", "조현우"],
    ["부산대학교", "대한민국", "부산", "pusan.ac.kr", "윤서윤"],
    ["경희대학교", "대한민국", "서울", "khu.ac.kr", "장도윤"],
    ["이화여자대학교", "대한민국", "서울", "ewha.ac.kr", "임지민"],
]

# (rows, how Excel saves them, the codec the reader must choose)
REALISTIC = {
    "windows-1252": (WESTERN, "cp1252", "cp1252"),
    "big5": (BIG5, "big5", "cp950"),
    "gb18030": (GB, "gb18030", "gb18030"),
    "shift_jis": (SHIFT_JIS, "shift_jis", "cp932"),
    "euc-kr": (EUC_KR, "euc_kr", "cp949"),
}


def _read(data: bytes, **options):
    table = open_table(io.BytesIO(data), **options)
    return table, list(table.rows)


def _csv(rows, saved_as: str, delimiter: str = ",") -> bytes:
    return csv_bytes(rows[0], rows[1:], encoding=saved_as, delimiter=delimiter)


@pytest.mark.parametrize("name", REALISTIC)
def test_realistic_legacy_csv_is_read_in_its_encoding(name):
    rows, saved_as, codec = REALISTIC[name]
    table, read = _read(_csv(rows, saved_as, delimiter=";" if saved_as == "cp1252" else ","))
    assert table.encoding == codec
    assert table.headers == rows[0]
    assert [values for _number, values in read] == rows[1:]
    assert read[0][0] == 2


@pytest.mark.parametrize("name", REALISTIC)
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_small_legacy_files_are_read_too(name, size):
    """A header and a handful of rows is evidence enough, whichever rows they are."""
    rows, saved_as, codec = REALISTIC[name]
    for start in range(1, len(rows) - size + 1, 3):
        part = [rows[0], *rows[start : start + size]]
        table, read = _read(_csv(part, saved_as))
        assert (table.encoding, [values for _n, values in read]) == (codec, part[1:])


@pytest.mark.parametrize(
    ("line", "saved_as", "codec"),
    [
        ("Universität Wien;Österreich", "cp1252", "cp1252"),
        ("École Polytechnique;France", "cp1252", "cp1252"),
        ("Universidade de São Paulo;Brasil", "cp1252", "cp1252"),
        ("國立臺灣大學;臺灣", "big5", "cp950"),
        ("國立清華大學;臺灣", "big5", "cp950"),
        ("香港中文大學;香港", "big5", "cp950"),
        ("清华大学;中国", "gb18030", "gb18030"),
        ("东京大学;日本", "gb18030", "gb18030"),
        ("東京大学;日本", "shift_jis", "cp932"),
        ("早稲田大学;日本", "shift_jis", "cp932"),
        ("서울대학교;대한민국", "euc_kr", "cp949"),
        ("고려대학교;대한민국", "euc_kr", "cp949"),
    ],
)
def test_one_row_files_of_the_issue(line, saved_as, codec):
    """The examples that were decoded as GB18030 without a word (Windows-1252, Big5) and their neighbours."""
    data = f"Name;Country\r\n{line}\r\n".encode(saved_as)
    table, read = _read(data)
    assert table.encoding == codec
    assert read == [(2, line.split(";"))]


def test_windows_1252_is_no_longer_read_as_gb18030():
    data = "Name,Country\r\nUniversität Wien,Austria\r\n".encode("cp1252")
    assert (
        data.decode("gb18030") != "Name,Country\r\nUniversität Wien,Austria\r\n"
    )  # the old silent misreading
    _table, read = _read(data)
    assert read[0][1][0] == "Universität Wien"


def test_chinese_header_over_english_rows_is_gb18030():
    data = _csv(
        [["名称", "国家", "备注"], ["University of Oxford", "UK", ""], ["Kyoto University", "Japan", ""]],
        "gb18030",
    )
    table, _read_rows = _read(data)
    assert (table.encoding, table.headers) == ("gb18030", ["名称", "国家", "备注"])


def test_evidence_late_in_a_large_file_counts():
    """The only accented name comes after 100 kB of plain ASCII rows."""
    rows = [
        ["Name", "Country"],
        *[[f"University {i}", "France"] for i in range(5000)],
        ["Universität Wien", "AT"],
    ]
    data = _csv(rows, "cp1252")
    assert data.index("ä".encode("cp1252")) > 64 * 1024
    table, read = _read(data)
    assert table.encoding == "cp1252"
    assert read[-1] == (5002, ["Universität Wien", "AT"])


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        ("Name,Country\r\nUniversität Wien,Österreich\r\n".encode("utf-8-sig"), "utf-8-sig"),
        ("Name,Country\r\n清华大学,中国\r\n".encode(), "utf-8"),
        (b"Name,Country\r\nLeiden University,NL\r\n", "utf-8"),
        ("名称\t国家\r\n國立臺灣大學\t臺灣\r\n".encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + "名称\t国家\r\n國立臺灣大學\t臺灣\r\n".encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF16_LE + "名称\t国家\r\n國立臺灣大學\t臺灣\r\n".encode("utf-16-le"), "utf-16"),
    ],
)
def test_unicode_files(data, codec):
    table, read = _read(data)
    assert table.encoding == codec
    assert table.headers[0] in ("Name", "名称")  # no byte-order mark left in the first header
    assert read[0][1][0] in ("Universität Wien", "清华大学", "Leiden University", "國立臺灣大學")


def test_a_utf8_file_with_one_bad_byte_is_not_utf8():
    data = "Name\r\nUniversität Wien\r\n".encode() + "École Polytechnique\r\n".encode("cp1252")
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(data))
    assert "encoding" in caught.value.message


def test_ambiguous_evidence_is_refused_with_the_choices():
    """One character: 金 in GB18030 is 쏜 in EUC-KR, and neither reading is less likely than the other."""
    data = "Name\r\n金\r\n".encode("gb18030")
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(data))
    assert caught.value.message == (
        "The file's text encoding cannot be told for certain: it is probably "
        "GB18030/GBK (Simplified Chinese) or EUC-KR (Korean). Choose the encoding and read the file again."
    )
    assert caught.value.encodings == ("gb18030", "cp949")


def test_the_user_may_choose_the_encoding():
    data = "Name\r\n金\r\n".encode("gb18030")
    table, read = _read(data, encoding="gb18030")
    assert (table.encoding, read) == ("gb18030", [(2, ["金"])])
    table, read = _read(data, encoding="EUC-KR")
    assert (table.encoding, read) == ("euc_kr", [(2, ["쏜"])])


def test_an_override_is_used_as_given():
    table, read = _read(_csv(BIG5, "big5"), encoding="big5")
    assert table.encoding == "big5"
    assert read[0][1][0] == "國立臺灣大學"


def test_utf8_chosen_for_a_file_with_bom_drops_the_bom():
    table, _rows = _read("Name\r\nx\r\n".encode("utf-8-sig"), encoding="utf-8")
    assert (table.encoding, table.headers) == ("utf-8-sig", ["Name"])


def test_an_override_that_cannot_decode_the_file_is_refused():
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(_csv(WESTERN, "cp1252")), encoding="utf-8")
    assert caught.value.message.startswith("The file cannot be read as UTF-8")


def test_an_unknown_encoding_name_is_refused():
    with pytest.raises(ImportFileError, match="“klingon-8” is not a known text encoding"):
        open_table(io.BytesIO(b"Name\r\nx\r\n"), encoding="klingon-8")


def test_the_encoding_is_ignored_for_workbooks():
    from meridian.core.tabular.tests.helpers import xlsx_bytes

    table, read = _read(xlsx_bytes(["Name"], [["x"]]), encoding="big5")
    assert (table.format, table.encoding, read) == ("xlsx", "", [(2, ["x"])])


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("Universität Wien", encoding.WINDOWS_1252, 1.0),
        ("ÖÐ¹ú", encoding.WINDOWS_1252, 0.0),  # 中国 in GB18030 read as Windows-1252
        ("墨尔本大学", encoding.GB18030, 0.88),  # 本, 大 and 学 among the most frequent, 墨 and 尔 level 1
        (
            "헌빽댕欺",
            encoding.EUC_KR,
            0.0,
        ),  # 清华大学 in GB18030 read as EUC-KR: hangul and hanja in one word
        ("서울대학교", encoding.EUC_KR, 1.0),
        ("뱦떈묈둾", encoding.EUC_KR, 0.1),  # 東京大学 in Shift_JIS read as EUC-KR: hangul outside KS X 1001
    ],
)
def test_plausibility(text, codec, expected):
    assert encoding.plausibility(text, codec) == pytest.approx(expected)


def test_encoding_labels():
    assert encoding.encoding_label("cp950") == "Big5 (Traditional Chinese)"
    assert encoding.encoding_label("GBK") == "GBK"
    assert encoding.encoding_label("gb18030") == "GB18030/GBK (Simplified Chinese)"


def test_old_mac_line_ends_and_long_lines():
    """Excel's "CSV (Macintosh)" ends lines with CR alone; a long notes cell makes a line of 100 kB."""
    notes = "Exchange agreement renewed every year; " * 2500
    data = f"Name,Notes\rUniversität Wien,{notes}\rÉcole Polytechnique,\r".encode("cp1252")
    table, read = _read(data)
    assert table.encoding == "cp1252"
    assert [values[0] for _n, values in read] == ["Universität Wien", "École Polytechnique"]
    assert read[0][1][1] == notes


@pytest.mark.parametrize("name", ["klingon-8", "base64", "", "   "])
def test_codec_names_that_are_no_text_encodings(name):
    with pytest.raises(encoding.EncodingError) as caught:
        encoding.codec_name(name)
    assert "utf-8, utf-8-sig, utf-16, gb18030, cp950, cp932, cp949, cp1252" in caught.value.message


def test_codec_names_are_normalised():
    assert [encoding.codec_name(n) for n in ("UTF8", "Big5", "GBK", "windows-1252", " shift-jis ")] == [
        "utf-8",
        "big5",
        "gbk",
        "cp1252",
        "shift_jis",
    ]


def test_the_chosen_encoding_must_decode_the_whole_file(monkeypatch):
    """The evidence (here cut short) says Windows-1252, but a later line has a byte that is not Windows-1252
    (0x81): no other reading is plausible, so the file is refused rather than read in a second-best guess."""
    monkeypatch.setattr(encoding, "EVIDENCE_SIZE", 200)
    data = _csv(WESTERN, "cp1252") + b"Universit\x81t Graz,AT,Graz,,\r\n"
    with pytest.raises(ImportFileError, match="not one spreadsheets are saved in"):
        open_table(io.BytesIO(data))
    monkeypatch.setattr(encoding, "EVIDENCE_SIZE", 64 * 1024)
    with pytest.raises(ImportFileError, match="not one spreadsheets are saved in"):
        open_table(io.BytesIO(data))
