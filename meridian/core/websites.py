"""One rule for website addresses, shared by spreadsheet imports, forms and the API.

People type "www.kit.edu" and mean "https://www.kit.edu"; they also paste an e-mail address into the website
cell, or type the host with Chinese punctuation ("www。tsinghua。edu。cn", "www.pku，edu.cn") when the input
method is in Chinese mode. The first is accepted with https:// added; the others are refused with a message
that says what is wrong, never stored as a broken link.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from rest_framework import serializers

SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(//)?")
_EMAIL = re.compile(r"^[^\s@/]+@[^\s@/]+\.[^\s@/]+$")
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " "})
_validate = URLValidator(schemes=list(SCHEMES))


def _host_part(url: str) -> str:
    """What stands between "scheme://" and the first "/", "?" or "#" (full-width ones included)."""
    rest = url.split("://", 1)[1]
    return re.split(r"[/?#／？＃]", rest, maxsplit=1)[0]


def _wide_punctuation(host: str) -> str:
    """The first non-ASCII punctuation, symbol or space character in ``host`` ("。", "，", "．"), or ""."""
    for char in host:
        if ord(char) > 127 and unicodedata.category(char)[0] in "PSZ":
            return char
    return ""


def _email_error(value: str) -> ValidationError:
    message = _(
        "“%(value)s” is an e-mail address, not a website; enter the website's address (e.g. %(example)s)."
    )
    return ValidationError(message % {"value": value, "example": "https://www.example.edu"}, code="website")


# Addresses ``normalise_website`` returned lately: each is its own normal form (bounded, for large imports).
_NORMAL_FORMS: set[str] = set()
_NORMAL_FORMS_MAX = 65_536


def is_normal_website(value: str) -> bool:
    """Whether ``value`` is a website address exactly as ``normalise_website`` stores it (blank: False).

    Addresses that ``normalise_website`` returned lately are known without checking them again (a large
    import checks every address once when reading the cell and again before storing it).
    """
    if not value:
        return False
    if value in _NORMAL_FORMS:
        return True
    try:
        return normalise_website(value) == value
    except ValidationError:
        return False


@functools.lru_cache(maxsize=65_536)
def normalise_website(text: str) -> str:
    """A website address as stored: "www.kit.edu" → "https://www.kit.edu"; blank text gives "".

    Rule: surrounding spaces are removed; an address without a scheme gets "https://"; only http and https
    are accepted, and the result must pass Django's ``URLValidator`` (RFC 3986 host, optional port and
    path). Raises ``ValidationError`` (code "website") with a message naming the fault when the text is an
    e-mail address (with or without "mailto:"), has Chinese or full-width punctuation or a space in the
    host, uses another scheme, or is not a web address at all (including malformed hosts such as
    "http://[x]/"). Length is not checked here: the field that stores the value does it.
    """
    value = (text or "").translate(_SPACES).strip()
    if not value:
        return ""
    scheme = _SCHEME.match(value)
    is_mailto = scheme is not None and scheme.group(1).lower() == "mailto"
    if is_mailto or (scheme is None and _EMAIL.match(value)):
        raise _email_error(value)
    if scheme and scheme.group(2):
        if scheme.group(1).lower() not in SCHEMES:
            raise ValidationError(
                _("“%(value)s” is not a website address; use an address starting with https:// or http://.")
                % {"value": value},
                code="website",
            )
        value = scheme.group(1).lower() + value[len(scheme.group(1)) :]
    else:
        value = "https://" + value
    host = _host_part(value)
    wide = _wide_punctuation(host)
    if wide:
        message = _(
            "“%(value)s” contains “%(char)s” in the domain name; "
            "separate its parts with the half-width full stop “.”."
        )
        raise ValidationError(message % {"value": text.strip(), "char": wide}, code="website")
    if "@" in host:
        raise _email_error(text.strip())
    if " " in host or "\t" in host:
        raise ValidationError(
            _("“%(value)s” has a space in the domain name.") % {"value": text.strip()}, code="website"
        )
    try:
        urlsplit(value).hostname  # noqa: B018 - raises ValueError for hosts such as "[x]"
        _validate(value)
    except (ValueError, ValidationError):
        raise ValidationError(
            _("“%(value)s” is not a valid website address.") % {"value": text.strip()}, code="website"
        ) from None
    if len(_NORMAL_FORMS) >= _NORMAL_FORMS_MAX:
        _NORMAL_FORMS.clear()
    _NORMAL_FORMS.add(value)
    return value


class WebsiteFormField(forms.CharField):
    """A form field for a website: blank or an address as ``normalise_website`` gives it."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("assume_scheme", None)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_website(super().to_python(value))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text input, not type="url": "www.kit.edu" is welcome, and a browser's URL check would refuse it.
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "url"
        return attrs


class WebsiteSerializerField(serializers.CharField):
    """An API field for a website: blank or an address as ``normalise_website`` gives it (400 otherwise)."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return normalise_website(text)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
