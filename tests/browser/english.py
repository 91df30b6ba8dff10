"""Find English interface words left on a page that is shown in Chinese.

A Chinese page may still carry Latin text that is not interface language: what records hold (the name of a
partner with no Chinese name, a person's name, an agreement's title), identifiers and codes, addresses on the
web, numbers and dates, the names of languages in the language switcher, and the acronyms that are names in
their own right (ROR, PIC, Erasmus, ISCED, CEFR...). Everything else written in Latin letters is an
untranslated interface string.

The rules, in order:

1. Only what a reader meets is read: visible text nodes, and the ``title``, ``aria-label``, ``placeholder``
   and ``alt`` attributes and the value of buttons (``input[type=submit|button|reset]``). Scripts, styles,
   templates and hidden elements are skipped.
2. Text inside an element whose ``lang`` attribute names another language than Chinese is that language on
   purpose (the language switcher's "English", a record shown in its original language) and is skipped; so is
   text inside ``translate="no"``, ``<code>``, ``<kbd>``, ``<samp>`` and ``<var>``.
3. Values the caller knows came from records (``known``) are cut out of the text before it is judged.
4. Web and e-mail addresses, file names, numbers, dates, times, identifiers (words with digits, underscores,
   dots or slashes, upper-case codes) and the allowed names (``ALLOWED`` plus ``allow``) are cut out too.
5. What is left is English if it still has a Latin word of two or more letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from playwright.sync_api import Page

# Names in their own right, used untranslated in Chinese text (programmes, registries, standards, formats).
ALLOWED: frozenset[str] = frozenset(
    {
        "ROR",
        "PIC",
        "OID",
        "Erasmus",
        "Erasmus+",
        "API",
        "ISCED",
        "CEFR",
        "ECTS",
        "GPA",
        "ISO",
        "XLSX",
        "CSV",
        "PDF",
        "JSON",
        "ICS",
        "iCalendar",
        "iCal",
        "GeoJSON",
        "Excel",
        "Word",
        "WPS",
        "Windows",
        "WebP",
        "KML",
        "RSS",
        "Atom",
        "URL",
        "HTML",
        "SVG",
        "SSO",
        "SAML",
        "OIDC",
        "OpenID",
        "Connect",
        "QR",
        "ID",
        "IBAN",
        "BIC",
        "SWIFT",
        "Passkey",
        "WebAuthn",
        "TOTP",
        "OpenAPI",
        "Swagger",
        "ReDoc",
        "GeoNames",
        "Wikidata",
        "GRID",
        "ISNI",
        "Crossref",
        "CLDR",
        "Unicode",
        "Meridian",
        "OpenStreetMap",
        "Leaflet",
        "htmx",
        "Markdown",
        "GB",
        "KB",
        "MB",
        "UTC",
    }
)

_COLLECT = """
() => {
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'KBD', 'SAMP', 'VAR', 'SVG']);
  const out = [];
  const foreign = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      if (SKIP.has(node.tagName.toUpperCase())) return true;
      if (node.getAttribute('translate') === 'no') return true;
      const lang = node.getAttribute('lang');
      if (lang !== null && lang !== '') return !lang.toLowerCase().startsWith('zh');
    }
    return false;
  };
  const visible = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"]') && !el.closest('option')) return false;
    if (el.tagName === 'OPTION') return true;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    if (el.closest('details:not([open])') && !el.closest('summary')) return true;  // opens on a click
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
      || el.classList.contains('visually-hidden') || style.position === 'absolute';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || foreign(el) || !visible(el)) continue;
    out.push(text);
  }
  const attributes = ['title', 'aria-label', 'placeholder', 'alt'];
  for (const el of document.querySelectorAll('body *')) {
    if (foreign(el)) continue;
    for (const name of attributes) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
    if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) && el.value.trim()) {
      out.push(el.value.trim());
    }
  }
  const title = document.title.trim();
  if (title) out.push(title);
  return out;
}
"""

_NOT_WORDS = [
    re.compile(r"https?://\S+|www\.\S+|mailto:\S+"),  # web addresses
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b[\w-]+\.(pdf|xlsx|csv|docx?|png|jpe?g|svg|json|ics|txt|zip)\b", re.IGNORECASE),  # files
    re.compile(r"(?<!\S)/\S*"),  # paths
    re.compile(r"\b[\w-]+([._][\w-]+)+\b", re.ASCII),  # dotted and underscored identifiers, domain names
    re.compile(r"\b\w*\d\w*\b", re.ASCII),  # anything with a digit: numbers, dates, codes
    re.compile(r"\b[A-Z]{2,}s?\b"),  # upper-case codes and acronyms (ISO codes, EUR, PIC)
    re.compile(r"\b[a-z]{2,3}(-[A-Za-z]{2,4})+\b"),  # language tags such as zh-hans
]
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word in any script (upper-case ones are names or codes)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _index(known: Iterable[str]) -> dict[str, list[str]]:
    """Record values by their first Latin word, longest first, so that a text is only tried against the
    values that could occur in it."""
    index: dict[str, list[str]] = {}
    for value in sorted({v.strip() for v in known if v and v.strip()}, key=len, reverse=True):
        words = _LATIN_WORD.findall(value)
        if words:  # a value without Latin words cannot hide an English one
            index.setdefault(words[0], []).append(value)
    return index


def _english_left(text: str, index: dict[str, list[str]], names: frozenset[str]) -> bool:
    rest = text
    candidates = [value for word in dict.fromkeys(_LATIN_WORD.findall(text)) for value in index.get(word, ())]
    for value in sorted(candidates, key=len, reverse=True):
        rest = rest.replace(value, " ")
    for pattern in _NOT_WORDS:
        rest = pattern.sub(" ", rest)
    rest = _WORD.sub(lambda word: " " if word.group().isupper() else word.group(), rest)  # GARCÍA, codes
    return any(word not in names for word in _LATIN_WORD.findall(rest))


def english_left(text: str, *, known: Iterable[str] = (), allow: Iterable[str] = ()) -> bool:
    """Whether ``text`` (one text node or attribute value of a Chinese page) still holds an English word.

    ``known`` are values that came from records (cut out as whole phrases, longest first); ``allow`` adds
    names to ``ALLOWED``. Returns True when a Latin word of two or more letters is left after cutting out
    records, addresses, numbers, identifiers, codes and allowed names (rules 3 to 5 of the module).
    """
    return _english_left(text, _index(known), ALLOWED | frozenset(allow))


def english_strings(page: Page, *, known: Iterable[str] = (), allow: Iterable[str] = ()) -> list[str]:
    """The English interface strings on ``page`` (which must be shown in Chinese), in page order, each once.

    Reads visible text and the title, aria-label, placeholder and alt attributes and button values, skipping
    text marked as another language (``lang``), ``translate="no"`` and code; then keeps the strings for which
    `english_left` holds. ``known`` are record values the test knows the page may show in their original
    language (organisation, person and place names, titles); ``allow`` adds names to ``ALLOWED``.
    An empty list means the page speaks Chinese throughout.
    """
    index = _index(known)
    names = ALLOWED | frozenset(allow)
    found: list[str] = []
    for text in page.evaluate(_COLLECT):
        if text not in found and _english_left(text, index, names):
            found.append(text)
    return found


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds at least one Han character."""
    return bool(_HAN.search(text))
