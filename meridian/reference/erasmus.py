"""Erasmus codes (Erasmus institutional codes of higher education institutions holding the ECHE).

An Erasmus code is a country prefix of one to three letters, padded with spaces to three characters, then a
city or institution part of letters and hyphens, then a serial number: "D  HEIDELB01", "E  BARCELO101",
"DK FREDERICIA01", "IRLDUBLIN01", "LUXLUX-VIL01". The prefixes are the Erasmus programme's own country
codes ("D" Germany, "E" Spain, "SF" Finland, "G" Greece, "IRL" Ireland ...), not ISO 3166-1 codes.

People type codes in many ways ("d heidelb01", "DHEIDELB01", "D-HEIDELB01", "Ｄ　ＨＥＩＤＥＬＢ０１"); the
official padded form is what is stored, and the look-up key (`erasmus_key`, no spaces) is what is compared.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.utils.translation import gettext as _

from meridian.core.errors import DomainError

# Erasmus country prefix → ISO 3166-1 alpha-2 code of the programme and associated countries.
PREFIXES: dict[str, str] = {
    "A": "AT",
    "AL": "AL",
    "B": "BE",
    "BA": "BA",
    "BG": "BG",
    "CH": "CH",
    "CY": "CY",
    "CZ": "CZ",
    "D": "DE",
    "DK": "DK",
    "E": "ES",
    "EE": "EE",
    "F": "FR",
    "G": "GR",
    "HR": "HR",
    "HU": "HU",
    "I": "IT",
    "IRL": "IE",
    "IS": "IS",
    "LI": "LI",
    "LT": "LT",
    "LUX": "LU",
    "LV": "LV",
    "ME": "ME",
    "MK": "MK",
    "MT": "MT",
    "N": "NO",
    "NL": "NL",
    "P": "PT",
    "PL": "PL",
    "RO": "RO",
    "RS": "RS",
    "S": "SE",
    "SF": "FI",
    "SI": "SI",
    "SK": "SK",
    "TR": "TR",
    "UK": "GB",
    "XK": "XK",
}
# Prefixes found in the Commission's list although they are not the programme's codes ("BE BRUGGE11").
# They are accepted only when a space or hyphen separates them from the rest, never guessed from "BEBRUGGE11".
IRREGULAR_PREFIXES: dict[str, str] = {"BE": "BE"}

_SEPARATED = re.compile(r"^([A-Z]{1,3})[\s._/-]+(.+)$")
_REST = re.compile(r"^([A-Z][A-Z-]{0,13}[A-Z])(\d{1,3})$")
_NOT_KEY = re.compile(r"\s+")
MAX_LENGTH = 20


class ErasmusCodeError(DomainError):
    """The text is not an Erasmus code; `message` says which part is wrong."""

    code = "invalid_erasmus_code"


@functools.lru_cache(maxsize=65_536)
def _plain(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), accents removed, odd spaces plain, upper case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NOT_KEY.sub(" ", text).strip().upper()


@functools.lru_cache(maxsize=65_536)
def erasmus_key(text: str) -> str:
    """The comparison key of an Erasmus code: every space removed, upper case ("a  graz01" → "AGRAZ01").

    Full-width characters and non-breaking spaces (74 codes in the Commission's list have them) fold too.
    Two codes are the same institution exactly when their keys are equal.
    """
    return _NOT_KEY.sub("", _plain(text))


def _compose(prefix: str, rest: str) -> str | None:
    match = _REST.match(_NOT_KEY.sub("", rest))
    if not match:
        return None
    return f"{prefix:<3}{match.group(1)}{match.group(2)}"


@functools.lru_cache(maxsize=65_536)
def normalise_erasmus_code(text: str) -> str:
    """The official padded form of a typed Erasmus code: "d heidelb01" → "D  HEIDELB01".

    Args:
        text: the code as typed or as a file has it (any case, width, spacing; a hyphen, dot or slash may
            separate the prefix from the rest: "D-HEIDELB01").

    Returns:
        str: the prefix padded with spaces to three characters, then the city/institution part (letters and
        hyphens) and the serial number (one to three digits), with no other spaces: "DK FREDERICIA01",
        "E  BARCELO101", "IRLDUBLIN01". At most 20 characters.

    Raises:
        ErasmusCodeError: the prefix is not an Erasmus country prefix, or the rest is not letters then digits.

    Without a separator the prefix is the longest known one that leaves a valid rest ("SFHELSINK01" →
    "SF HELSINK01"); the registry look-up compares keys without spaces, so either reading finds the code.
    """
    plain = _plain(text)
    if not plain:
        raise ErasmusCodeError(_("The Erasmus code is empty."))
    code = None
    separated = _SEPARATED.match(plain)
    if separated and (separated.group(1) in PREFIXES or separated.group(1) in IRREGULAR_PREFIXES):
        code = _compose(separated.group(1), separated.group(2))
    if code is None:
        compact = _NOT_KEY.sub("", plain)
        for length in (3, 2, 1):
            prefix = compact[:length]
            if prefix in PREFIXES and (code := _compose(prefix, compact[length:])):
                break
        else:
            if not any(compact[:n] in PREFIXES for n in (1, 2, 3)):
                raise ErasmusCodeError(
                    _(
                        "“%(code)s” does not start with an Erasmus country prefix (such as D, E, F, I, PL, "
                        "SF, IRL or UK)."
                    )
                    % {"code": text.strip()}
                )
            raise ErasmusCodeError(
                _(
                    "“%(code)s” is not an Erasmus code: after the country prefix come the letters of the "
                    "city or institution and a number of one to three digits, e.g. “D  HEIDELB01”."
                )
                % {"code": text.strip()}
            )
    if len(code) > MAX_LENGTH:
        raise ErasmusCodeError(
            _("“%(code)s” is longer than an Erasmus code can be.") % {"code": text.strip()}
        )
    return code


def erasmus_country(code: str) -> str:
    """The ISO 3166-1 alpha-2 country of a normalised Erasmus code ("SF HELSINK01" → "FI"), or ""."""
    prefix = code[:3].strip()
    return PREFIXES.get(prefix) or IRREGULAR_PREFIXES.get(prefix, "")


def is_erasmus_code(text: str) -> bool:
    """True when the text normalises to an Erasmus code."""
    try:
        normalise_erasmus_code(text)
    except ErasmusCodeError:
        return False
    return True
