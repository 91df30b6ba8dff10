"""What an agreement is searched by: its ``search_text`` (see ``meridian.core.search_index``).

Number, titles, then the names and acronyms of its partners; refreshed when parties or partner names change.
"""

from __future__ import annotations

from collections.abc import Iterable

from meridian.core.search_index import BATCH, chunks, join_values
from meridian.partners.search_text import PARTNER_NAME_FIELDS

AGREEMENT_OWN_FIELDS = ("number", "title_en", "title_zh")


def agreement_search_text(agreement, *, partner_names: Iterable[str] = ()) -> str:
    """The ``search_text`` of an agreement: number, titles, then the names and acronyms of its partners."""
    own = [getattr(agreement, name) for name in AGREEMENT_OWN_FIELDS]
    return join_values([*own, *partner_names])


def _party_names(agreement_ids: list[int]) -> dict[int, list[str]]:
    from meridian.agreements.models import AgreementPartner

    names: dict[int, list[str]] = {}
    rows = AgreementPartner.objects.filter(agreement_id__in=agreement_ids).order_by("pk")
    fields = [f"partner__{name}" for name in PARTNER_NAME_FIELDS]
    for agreement_id, *values in rows.values_list("agreement_id", *fields):
        names.setdefault(agreement_id, []).extend(values)
    return names


def refresh_agreement_search_text(
    *, ids: Iterable[int] | None = None, partner_ids: Iterable[int] | None = None
) -> int:
    """Recompute ``search_text`` of the agreements with these ids, or of every agreement of these partners
    (both None: every agreement).

    For bulk writes of agreements or parties and for renamed partners; returns how many texts changed.
    """
    from meridian.agreements.models import Agreement, AgreementPartner

    if partner_ids is not None:
        extra = AgreementPartner.objects.filter(partner_id__in=list(partner_ids)).values_list(
            "agreement_id", flat=True
        )
        ids = {*(ids or ()), *extra}
    id_list = None if ids is None else sorted(set(ids))
    changed = 0
    for chunk in chunks(Agreement.objects.order_by("pk"), id_list):
        rows = list(chunk.only("pk", "search_text", *AGREEMENT_OWN_FIELDS))
        names = _party_names([a.pk for a in rows])
        stale = []
        for agreement in rows:
            text = agreement_search_text(agreement, partner_names=names.get(agreement.pk, []))
            if text != agreement.search_text:
                agreement.search_text = text
                stale.append(agreement)
        Agreement.objects.bulk_update(stale, ["search_text"], batch_size=BATCH)
        changed += len(stale)
    return changed


def agreement_search_text_now(agreement) -> str:
    """The ``search_text`` `agreement` (an Agreement) should have now; a stored one's parties are read."""
    names: list[str] = []
    if agreement.pk:
        names = _party_names([agreement.pk]).get(agreement.pk, [])
    return agreement_search_text(agreement, partner_names=names)
