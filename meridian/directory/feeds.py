"""Rows of the open data feeds: stable field names, public fields only (documented in the README)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from meridian.directory.selectors import FEED_FACTS_CHUNK, PublicPartnerQuerySet, partner_channels
from meridian.partners.models import Partner

FIELDS = (
    "id",
    "name",
    "name_en",
    "name_zh",
    "acronym",
    "type",
    "country_code",
    "country_name_en",
    "country_name_zh",
    "region_code",
    "city",
    "website",
    "latitude",
    "longitude",
    "channels",
    "active_agreements",
    "url_en",
    "url_zh",
)


LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def licence() -> str:
    """The licence line of every feed, e.g. "CC BY 4.0, Meridian University"."""
    name = getattr(settings, "OPEN_DATA_LICENCE", LICENCE_NAME)
    return f"{name}, {settings.UNIVERSITY_NAME}"


def licence_url() -> str:
    return getattr(settings, "OPEN_DATA_LICENCE_URL", LICENCE_URL)


def _page_url(pk: int, language: str) -> str:
    with translation.override(language):
        return reverse("directory:partner", args=[pk])


def _page_url_pattern(language: str, base_url: str) -> tuple[str, str]:
    """The absolute partner page address in ``language`` split around the id: reversed once per feed, not
    once per row (reversing with a language override costs more than the rest of a row)."""
    marker = 987654321
    prefix, _sep, suffix = (base_url + _page_url(marker, language)).rpartition(str(marker))
    return prefix, suffix


def feed_row(partner: Partner, *, base_url: str, patterns: dict[str, tuple[str, str]] | None = None) -> dict:
    """One partner as a flat dict with the documented field names; `base_url` makes page links absolute."""
    if patterns is None:
        patterns = {code: _page_url_pattern(code, base_url) for code in ("en", "zh-hans")}
    en, zh = patterns["en"], patterns["zh-hans"]
    country = partner.country
    return {
        "id": partner.pk,
        "name": partner.name,
        "name_en": partner.name_en,
        "name_zh": partner.name_zh,
        "acronym": partner.acronym,
        "type": partner.kind,
        "country_code": country.code,
        "country_name_en": country.name_en,
        "country_name_zh": country.name_zh,
        "region_code": country.region_code,
        "city": partner.city,
        "website": partner.website,
        "latitude": float(partner.latitude) if partner.latitude is not None else None,
        "longitude": float(partner.longitude) if partner.longitude is not None else None,
        "channels": [value for value, _label in partner_channels(partner)],
        "active_agreements": len(partner.public_agreements),
        "url_en": f"{en[0]}{partner.pk}{en[1]}",
        "url_zh": f"{zh[0]}{partner.pk}{zh[1]}",
    }


def feed_rows(queryset: QuerySet[Partner], *, base_url: str) -> list[dict]:
    """Every partner of ``queryset`` as a feed row (a fixed number of queries per 500 partners)."""
    patterns = {code: _page_url_pattern(code, base_url) for code in ("en", "zh-hans")}
    if isinstance(queryset, PublicPartnerQuerySet):
        queryset = queryset.with_public_facts(chunk=FEED_FACTS_CHUNK)
    return [feed_row(partner, base_url=base_url, patterns=patterns) for partner in queryset]
