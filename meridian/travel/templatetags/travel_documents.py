"""``{% trip_documents trip as docs %}``: what the documents panel of the trip page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.urls import reverse

from meridian.documents.models import DocumentTemplate, GeneratedDocument
from meridian.documents.selectors import documents_for, templates_for
from meridian.travel.documents import PACK_STATES, SOURCE_KEY, can_use_trip_documents

register = template.Library()


@dataclass
class TemplateRow:
    """One template of the trip source: a generate button per output language, and the newest file of each."""

    template: DocumentTemplate
    languages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TripDocuments:
    shown: bool = False
    rows: list[TemplateRow] = field(default_factory=list)
    documents: list[GeneratedDocument] = field(default_factory=list)
    pack_url: str = ""
    source_key: str = SOURCE_KEY


_LANGUAGE_ORDER = {"bilingual": 0, "zh": 1, "en": 2}


@register.simple_tag(takes_context=True)
def trip_documents(context: dict[str, Any], trip: Any) -> TripDocuments:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not can_use_trip_documents(user, trip):
        return TripDocuments()
    documents = list(documents_for(subject=trip, user=user))
    newest: dict[tuple[int, str], GeneratedDocument] = {}
    for document in documents:  # newest first
        if not document.is_revoked:
            newest.setdefault((document.template_id, document.language), document)
    rows = []
    for tpl in templates_for(subject=trip, user=user):
        languages = sorted(tpl.output_languages(), key=lambda code: _LANGUAGE_ORDER.get(code, 9))
        rows.append(
            TemplateRow(
                template=tpl,
                languages=[{"code": code, "latest": newest.get((tpl.pk, code))} for code in languages],
            )
        )
    pack_url = reverse("travel:reimbursement_pack", args=[trip.pk]) if trip.state in PACK_STATES else ""
    return TripDocuments(shown=True, rows=rows, documents=documents, pack_url=pack_url)
