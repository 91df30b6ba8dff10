"""What a partner is searched by: its ``search_text`` (see ``meridian.core.search_index``).

Two zones: what the public directory shows (names, acronym, city, website domain, country), then
``PRIVATE_MARK``, then what only staff search by (province, identifiers).
"""

from __future__ import annotations

from collections.abc import Iterable

from meridian.core.search_index import BATCH, PRIVATE_MARK, chunks, join_values
from meridian.core.sorting import localised_sort_keys

PARTNER_PUBLIC_FIELDS = ("name", "name_en", "name_zh", "acronym", "city", "website_domain")
PARTNER_PRIVATE_FIELDS = ("province", "ror_id", "erasmus_code", "pic", "schac_code", "other_identifiers")
PARTNER_NAME_FIELDS = ("name", "name_en", "name_zh", "acronym")
# The names ``Partner.display_name`` shows, from which the list's sort keys are made.
PARTNER_SORTED_FIELDS = ("name", "name_en", "name_zh")


def partner_sort_keys(partner) -> tuple[str, str]:
    """(``sort_key_en``, ``sort_key_zh``) of a partner: the keys of the name ``display_name`` shows to an
    English reader (English name, else official name) and to a Chinese reader (Chinese name, else the
    same)."""
    return localised_sort_keys(english=partner.name_en or partner.name, chinese=partner.name_zh)


def fill_partner_sort_keys(partner) -> bool:
    """Set `partner`'s sort keys from its names (not saved); True when they changed."""
    keys = partner_sort_keys(partner)
    if keys == (partner.sort_key_en, partner.sort_key_zh):
        return False
    partner.sort_key_en, partner.sort_key_zh = keys
    return True


def partner_search_text(partner, *, country_names: Iterable[str] = ()) -> str:
    """The ``search_text`` of a partner: public zone, ``PRIVATE_MARK``, private zone.

    `partner` is a Partner (or any object with its fields); `country_names` are the names of its country
    (English and Chinese), given by the caller so that bulk refreshes read each country once.
    """
    public = [getattr(partner, name) for name in PARTNER_PUBLIC_FIELDS] + list(country_names)
    private = [getattr(partner, name) for name in PARTNER_PRIVATE_FIELDS]
    # Erasmus codes are also typed without their padding ("DHEIDELB01").
    private.append((partner.erasmus_code or "").replace(" ", ""))
    return join_values(public) + PRIVATE_MARK + join_values(private)


def country_names_of(partner) -> list[str]:
    """The country names a partner is searched by: ISO code, English and Chinese name."""
    country = partner.country if partner.country_id else None
    return [country.code, country.name_en, country.name_zh] if country else []


def refresh_partner_search_text(*, ids: Iterable[int] | None = None) -> int:
    """Recompute ``search_text`` and the sort keys of the partners with these ids (all partners when `ids` is
    None).

    For bulk writes (``bulk_create``, ``bulk_update``, ``QuerySet.update``) that bypass ``save()``; call it
    once per file or batch, inside the same transaction. Reads each country once; writes with
    ``bulk_update`` in batches of ``BATCH``. Returns the number of partners whose text changed. Does not
    refresh their agreements: call :func:`refresh_agreement_search_text` with ``partner_ids`` for that.
    """
    from meridian.partners.models import Partner
    from meridian.reference.models import Country

    countries = {c.code: [c.code, c.name_en, c.name_zh] for c in Country.objects.all()}
    queryset = Partner.objects.order_by("pk")
    id_list = None if ids is None else sorted(set(ids))
    changed = 0
    fields = [
        "pk", "search_text", "sort_key_en", "sort_key_zh", "country_id",
        *PARTNER_PUBLIC_FIELDS, *PARTNER_PRIVATE_FIELDS,
    ]  # fmt: skip
    for chunk in chunks(queryset, id_list):
        stale = []
        for partner in chunk.only(*fields):
            text = partner_search_text(partner, country_names=countries.get(partner.country_id, []))
            resorted = fill_partner_sort_keys(partner)
            if text != partner.search_text or resorted:
                partner.search_text = text
                stale.append(partner)
        Partner.objects.bulk_update(stale, ["search_text", "sort_key_en", "sort_key_zh"], batch_size=BATCH)
        changed += len(stale)
    return changed


def partner_search_text_now(partner) -> str:
    """The ``search_text`` `partner` (a Partner) should have now, from its fields and its country's names."""
    return partner_search_text(partner, country_names=country_names_of(partner))
