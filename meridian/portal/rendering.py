"""Article text: Markdown, sanitised against an allow-list, then named figures filled in.

The body is never given to the template engine: `{{ ... }}` and `{% ... %}` stay plain text. Placeholders are
single-brace names (`{partners}`) replaced in the sanitised HTML with escaped values; doubled braces are left
alone so a literal `{{name}}` never turns into a figure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "img", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Pictures in a text may only come from the portal's own files (cover images and attachments).
OWN_MEDIA_PREFIX = "/media/portal/"

PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z][a-z0-9_]*)\}(?!\})")
# Anything that looks like a placeholder (any case) so that typos are reported, not silently shown.
PLACEHOLDER_LIKE = re.compile(r"(?<!\{)\{([A-Za-z][A-Za-z0-9_]*)\}(?!\})")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(OWN_MEDIA_PREFIX) and "//" not in value else None
    return value


def sanitise_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML, scripts, styles and unsafe links removed."""
    rendered = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


def placeholders_in(text: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER_LIKE.findall(text or "")))


def unknown_placeholders(text: str) -> list[str]:
    from meridian.portal.figures import PLACEHOLDERS

    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def fill(text: str, values: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> str:
    """Replace known placeholders in `text` (already HTML) with escaped values; others stay as typed.

    `values` may be a callable so that figures are computed only when a text uses them.
    """
    if not PLACEHOLDER.search(text):
        return text
    resolved = values() if callable(values) else values

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in resolved:
            return match.group(0)
        return html.escape(str(resolved[name]), quote=True)

    return PLACEHOLDER.sub(replace, text)


def render_body(text: str, values: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> SafeString:
    return mark_safe(fill(sanitise_markdown(text), values))  # noqa: S308 - sanitised by nh3, values escaped


def render_plain(text: str, values: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> str:
    """Titles and summaries: plain text with figures filled in (the template escapes the result)."""
    if not PLACEHOLDER.search(text or ""):
        return text or ""
    resolved = values() if callable(values) else values
    return PLACEHOLDER.sub(lambda m: str(resolved.get(m.group(1), m.group(0))), text)
