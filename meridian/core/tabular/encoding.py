"""The text encoding of an uploaded CSV file: the encodings offices' Excel and WPS write, and how to tell.

Rule, in order:

1. A byte-order mark decides at once (UTF-8 with BOM, UTF-16 LE/BE with BOM: Excel's "Unicode text").
2. A file that decodes as UTF-8 from the first byte to the last is UTF-8.
3. Otherwise the lines holding non-ASCII bytes (up to ``EVIDENCE_SIZE`` bytes of them, from anywhere in the
   file) are the evidence. charset-normalizer measures how messy each legacy candidate's reading of the
   evidence is (``chaos``, 0 is clean); a second measure, ``plausibility``, is the share of the non-ASCII
   characters that are ones a person typing in that encoding's language commonly writes (see
   ``plausibility``). Each candidate scores ``plausibility - chaos``; the best wins when it is clearly ahead
   and plausible on its own, and its codec must then decode the whole file.
4. When two candidates are close, or the best is not plausible, the file is refused with the likely
   encodings named, so that the user chooses one: a wrong guess would store garbled names without a word.

Windows code pages are used for the legacy encodings because Windows Excel writes them: cp950 is Big5 with
Microsoft's additions, cp932 Shift_JIS, cp949 EUC-KR (Unified Hangul Code), and GB18030 covers GBK and GB2312.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHUNK_SIZE = 1024 * 1024
# How many bytes of non-ASCII lines are looked at to tell legacy encodings apart.
EVIDENCE_SIZE = 64 * 1024
# A candidate must score this much more than the next one to be chosen without asking the user.
MARGIN = 0.15
# A candidate whose reading is less plausible than this is never chosen on its own.
MIN_PLAUSIBILITY = 0.5

UTF8 = "utf-8"
UTF8_SIG = "utf-8-sig"
UTF16 = "utf-16"
GB18030 = "gb18030"
BIG5 = "cp950"
SHIFT_JIS = "cp932"
EUC_KR = "cp949"
WINDOWS_1252 = "cp1252"

# The legacy encodings offices' CSV files come in, as Python codec names (the order breaks exact ties).
LEGACY_CANDIDATES = (GB18030, BIG5, WINDOWS_1252, SHIFT_JIS, EUC_KR)

# Every encoding a user may choose, with how it is shown.
ENCODING_LABELS = {
    UTF8: gettext_lazy("UTF-8"),
    UTF8_SIG: gettext_lazy("UTF-8 with BOM"),
    UTF16: gettext_lazy("UTF-16 (Excel Unicode text)"),
    GB18030: gettext_lazy("GB18030/GBK (Simplified Chinese)"),
    BIG5: gettext_lazy("Big5 (Traditional Chinese)"),
    SHIFT_JIS: gettext_lazy("Shift_JIS (Japanese)"),
    EUC_KR: gettext_lazy("EUC-KR (Korean)"),
    WINDOWS_1252: gettext_lazy("Windows-1252 (Western European)"),
}


class EncodingError(Exception):
    """The encoding cannot be used or told; ``message`` is shown to the user, ``encodings`` are the likely
    ones (codec names, most likely first) when the evidence was ambiguous."""

    def __init__(self, message: str, *, encodings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.encodings = encodings


@dataclass(frozen=True)
class Candidate:
    """One legacy encoding's reading of the evidence: charset-normalizer's chaos and our plausibility."""

    encoding: str
    chaos: float
    plausibility: float

    @property
    def score(self) -> float:
        return self.plausibility - self.chaos


def codec_name(name: str) -> str:
    """The Python codec name for ``name`` ("Big5" → "big5", "UTF8" → "utf-8").

    Raises EncodingError when ``name`` is no text encoding (unknown, or a transform such as "base64").
    """
    try:
        info = codecs.lookup(name.strip())
        if not getattr(info, "_is_text_encoding", True):  # a bytes-to-bytes transform such as "base64"
            raise LookupError(name)
        return info.name
    except (LookupError, ValueError) as exc:
        raise EncodingError(
            _("“%(encoding)s” is not a known text encoding; choose one of: %(choices)s.")
            % {"encoding": name, "choices": ", ".join(ENCODING_LABELS)}
        ) from exc


def encoding_label(name: str) -> str:
    """How the codec ``name`` is shown to users: "cp950" → "Big5 (Traditional Chinese)"; else the name."""
    if not name:
        return ""
    try:
        key = codecs.lookup(name).name
    except LookupError:
        return name
    return str(ENCODING_LABELS.get(key, name))


def detect_encoding(stream: IO[bytes]) -> str:
    """The Python codec to read the CSV bytes of ``stream`` with, by the rule in this module's docstring.

    The stream is read from the start in chunks (memory stays small whatever the file's size) and left at
    position 0. Returns one of "utf-8-sig", "utf-16", "utf-8" or a ``LEGACY_CANDIDATES`` codec. Raises
    EncodingError when no candidate decodes the file or the evidence does not single one out.
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return UTF8_SIG
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UTF16
    is_utf8, evidence = _scan(stream)
    if is_utf8:
        return UTF8
    candidates = rank_candidates(evidence)
    while candidates:
        best = candidates[0]
        if best.plausibility < MIN_PLAUSIBILITY:
            break  # no reading looks like text people write
        rivals = [c for c in candidates[1:] if c.score > best.score - MARGIN]
        if rivals:
            likely = [best, *rivals]
            raise EncodingError(_ambiguous_message(likely), encodings=tuple(c.encoding for c in likely))
        if decodes_as(stream, best.encoding):
            return best.encoding
        candidates = candidates[1:]  # the evidence fitted, a later line does not: the next one must do
    raise EncodingError(
        _(
            "The file's text encoding is not one spreadsheets are saved in (UTF-8, GB18030, Big5, "
            "Windows-1252, Shift_JIS, EUC-KR); save it as CSV (UTF-8) and upload it again."
        )
    )


def check_encoding(stream: IO[bytes], name: str) -> str:
    """The user's chosen encoding ``name`` as a Python codec name, once it is known to decode the whole file.

    "utf-8" on a file that starts with a UTF-8 byte-order mark becomes "utf-8-sig" (and "utf-16-le"/"-be"
    with their mark "utf-16"), so that the mark does not end up in the first header. Raises EncodingError
    for an unknown name or one that cannot decode the file.
    """
    codec = codec_name(name)
    stream.seek(0)
    head = stream.read(3)
    stream.seek(0)
    if codec == UTF8 and head.startswith(codecs.BOM_UTF8):
        codec = UTF8_SIG
    elif (codec, head[:2]) in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        codec = UTF16
    if not decodes_as(stream, codec):
        raise EncodingError(
            _(
                "The file cannot be read as %(encoding)s: some of its bytes are not valid in it. "
                "Choose another encoding."
            )
            % {"encoding": encoding_label(codec)}
        )
    return codec


def decodes_as(stream: IO[bytes], encoding: str) -> bool:
    """Whether the whole stream decodes in ``encoding``; read chunk by chunk and left at position 0."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def rank_candidates(evidence: bytes) -> list[Candidate]:
    """The legacy candidates that decode ``evidence``, best score first (see ``Candidate.score``).

    charset-normalizer's ``from_bytes`` is limited to ``LEGACY_CANDIDATES`` and looks at all of the evidence;
    a candidate it drops as too messy still counts when it decodes, with the largest chaos it allows.
    """
    from charset_normalizer import from_bytes

    if not evidence:
        return []
    threshold = 0.4
    matches = from_bytes(
        evidence,
        steps=1,
        chunk_size=len(evidence),
        threshold=threshold,
        cp_isolation=list(LEGACY_CANDIDATES),
        preemptive_behaviour=False,
        enable_fallback=False,
    )
    chaos = {codecs.lookup(m.encoding).name: m.chaos for m in matches}
    ranked = []
    for order, encoding in enumerate(LEGACY_CANDIDATES):
        try:
            text = evidence.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidate = Candidate(encoding, chaos.get(encoding, threshold), plausibility(text, encoding))
        ranked.append((-candidate.score, order, candidate))
    ranked.sort(key=lambda item: item[:2])
    return [candidate for _score, _order, candidate in ranked]


def plausibility(text: str, encoding: str) -> float:
    """The share (0–1) of the non-ASCII characters of ``text`` that are common in ``encoding``'s language.

    Each character weighs 1 when it is one a person commonly types in that encoding, less when it is a rare
    one, 0 when it belongs elsewhere. For the CJK encodings a hanzi/kanji/hanja weighs 1 when it is among the
    most frequent characters of running text (charset-normalizer's list), 0.7 when it is another level-1
    (common) character of the national standard, 0.4 when it is a level-2 (rare) one:

    - GB18030: GB2312 level 1 (the 3,755 common hanzi) and level 2; CJK and full-width punctuation 1, other
      symbols of GB2312 0.3, anything outside GB2312 (GBK and GB18030 additions) 0.
    - Big5 (cp950): Big5 level 1 (the 5,401 common hanzi) and level 2; punctuation 1, other symbols 0.3,
      anything else (Microsoft's additions) 0.
    - Shift_JIS (cp932): JIS X 0208 level-1 and level-2 kanji; kana and punctuation 1, half-width kana 0.5,
      other symbols 0.3, vendor additions 0.
    - EUC-KR (cp949): the 2,350 hangul syllables of KS X 1001 and punctuation 1, hanja 0.4, hangul only in
      Microsoft's extension 0.1; a word mixing hangul and hanja 0 as a whole (Korean never writes so).
    - Windows-1252: accented letters in runs of at most two within a word, and typographic punctuation
      (’ “ ” – — € …) 1; letters in longer runs, and symbols such as ¹ ¼ ¤, 0.

    CJK characters in a word together with Latin letters weigh 0.4 times as much: that is how Latin text
    read in a CJK encoding looks ("Åbo" read as Big5 is a hanzi followed by "o").
    """
    weigh = _WEIGHERS[encoding]
    total = 0
    points = 0.0
    for word in _words(text):
        weights = weigh(word)
        if encoding != WINDOWS_1252 and any(ch.isascii() for ch in word):
            weights = [weight * _GLUED for weight in weights]
        total += len(weights)
        points += sum(weights)
    return points / total if total else 0.0


# Evidence --------------------------------------------------------------------------------------------------


def _scan(stream: IO[bytes]) -> tuple[bool, bytes]:
    """(whether the whole stream is UTF-8, up to about EVIDENCE_SIZE bytes of its lines that are not ASCII).

    Line ends (CR, LF) split lines safely in every legacy candidate: none uses them inside a character. A
    line longer than EVIDENCE_SIZE is cut at a space, comma, semicolon or tab, which are never part of a
    character either.
    """
    decoder = codecs.getincrementaldecoder(UTF8)()
    is_utf8 = True
    evidence = _Evidence()
    pending = b""
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if not evidence.full:
                *lines, pending = _LINE_END.split(pending + chunk)
                pending = _cut_long(pending, lines)
                for line in lines:
                    evidence.add(line)
            elif not is_utf8:
                break
        if is_utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
        evidence.add(pending)
    finally:
        stream.seek(0)
    return is_utf8, b"\n".join(evidence.lines)


_LINE_END = re.compile(rb"[\r\n]+")


class _Evidence:
    """Lines holding non-ASCII bytes, up to about ``EVIDENCE_SIZE`` bytes (read when adding, so that it can be
    changed in tests)."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= EVIDENCE_SIZE

    def add(self, line: bytes) -> None:
        if line and not self.full and not line.isascii():
            self.lines.append(line)
            self.size += len(line) + 1


def _cut_long(pending: bytes, lines: list[bytes]) -> bytes:
    """Move the start of a too long unfinished line into ``lines``, cut where no character is split."""
    while len(pending) > EVIDENCE_SIZE:
        cut = max(pending.rfind(separator, 0, EVIDENCE_SIZE) for separator in (b" ", b",", b";", b"\t"))
        if cut <= 0:
            return b""  # no text has lines this long without a single separator: no evidence here
        lines.append(pending[:cut])
        pending = pending[cut:]
    return pending


def _words(text: str) -> list[str]:
    """Runs of non-ASCII characters with the ASCII letters around them ("São", "東京大学", "欺벌")."""
    found: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isascii() and not ch.isalpha():
            if current:
                found.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        found.append("".join(current))
    return [word for word in found if not word.isascii()]


# Weights of a CJK character: one of the most frequent in running text, another common (level-1) one, a rare
# (level-2) one; and the factor for CJK glued to Latin letters in one word.
_COMMON = 1.0
_LEVEL_1 = 0.7
_LEVEL_2 = 0.4
_GLUED = 0.4
try:
    from charset_normalizer.constant import COMMON_CJK_CHARACTERS as _COMMON_CJK
except ImportError:  # pragma: no cover - a later charset-normalizer may move it; level-1 weights remain
    _COMMON_CJK = frozenset()


def _encoded(ch: str, encoding: str) -> bytes:
    try:
        return ch.encode(encoding)
    except UnicodeEncodeError:
        return b""


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PZS" and unicodedata.category(ch) != "So"


def _weigh_gb(word: str) -> list[float]:
    weights = []
    for ch in word:
        if ch.isascii():
            continue
        code = _encoded(ch, "gb2312")
        if not code:
            weights.append(0.0)
        elif 0xB0 <= code[0] <= 0xD7:
            weights.append(_COMMON if ch in _COMMON_CJK else _LEVEL_1)
        elif 0xD8 <= code[0] <= 0xF7:
            weights.append(_LEVEL_2)
        else:  # rows A1–A9: punctuation, full-width forms, kana, Greek, Cyrillic, box drawing
            weights.append(1.0 if code[0] in (0xA1, 0xA3) else 0.3)
    return weights


def _weigh_big5(word: str) -> list[float]:
    weights = []
    for ch in word:
        if ch.isascii():
            continue
        code = _encoded(ch, "big5")
        if not code:
            weights.append(0.0)
            continue
        value = code[0] << 8 | code[1]
        if 0xA440 <= value <= 0xC67E:
            weights.append(_COMMON if ch in _COMMON_CJK else _LEVEL_1)
        elif 0xC940 <= value <= 0xF9D5:
            weights.append(_LEVEL_2)
        elif value < 0xA3C0:
            weights.append(1.0 if _is_punctuation(ch) else 0.3)
        else:
            weights.append(0.0)
    return weights


def _weigh_sjis(word: str) -> list[float]:
    weights = []
    for ch in word:
        if ch.isascii():
            continue
        if "\u3041" <= ch <= "\u30ff":  # hiragana, katakana, the prolonged sound mark
            weights.append(1.0)
            continue
        if "\uff61" <= ch <= "\uff9f":  # half-width katakana: old systems' exports
            weights.append(0.5)
            continue
        code = _encoded(ch, "shift_jis")
        if len(code) != 2:
            weights.append(0.0)
            continue
        value = code[0] << 8 | code[1]
        if 0x889F <= value <= 0x9872:
            weights.append(_COMMON if ch in _COMMON_CJK else _LEVEL_1)
        elif 0x989F <= value <= 0xEAA4:
            weights.append(_LEVEL_2)
        elif value < 0x8800:
            weights.append(1.0 if _is_punctuation(ch) else 0.3)
        else:
            weights.append(0.0)
    return weights


def _weigh_korean(word: str) -> list[float]:
    weights = []
    has_hangul = has_hanja = False
    for ch in word:
        if ch.isascii():
            continue
        if "\uac00" <= ch <= "\ud7a3":
            has_hangul = True
            weights.append(1.0 if len(_encoded(ch, "euc_kr")) == 2 else 0.1)
            continue
        code = _encoded(ch, "euc_kr")
        if not code:
            weights.append(0.0)
        elif 0xCA <= code[0] <= 0xFD:
            has_hanja = True
            weights.append(_LEVEL_2)
        else:
            weights.append(1.0 if _is_punctuation(ch) else 0.3)
    if has_hangul and has_hanja:
        return [0.0] * len(weights)
    return weights


_WESTERN_PUNCTUATION = frozenset("‘’‚“”„–—…•€°§©®«»·×")


def _weigh_western(word: str) -> list[float]:
    weights = []
    run: list[str] = []

    def close_run() -> None:
        letters = all(ch.isalpha() for ch in run)
        for ch in run:
            if ch in _WESTERN_PUNCTUATION:
                weights.append(1.0)
            else:
                weights.append(1.0 if letters and len(run) <= 2 and ch not in "ÐðÞþ" else 0.0)
        run.clear()

    for ch in word:
        if ch.isascii():
            if run:
                close_run()
            continue
        run.append(ch)
    if run:
        close_run()
    return weights


_WEIGHERS = {
    GB18030: _weigh_gb,
    BIG5: _weigh_big5,
    SHIFT_JIS: _weigh_sjis,
    EUC_KR: _weigh_korean,
    WINDOWS_1252: _weigh_western,
}


def _ambiguous_message(candidates: list[Candidate]) -> str:
    names = get_text_list([encoding_label(candidate.encoding) for candidate in candidates], _("or"))
    return _(
        "The file's text encoding cannot be told for certain: it is probably %(encodings)s. "
        "Choose the encoding and read the file again."
    ) % {"encodings": names}
