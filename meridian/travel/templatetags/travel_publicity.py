"""Template tags of the trip page's publicity, external-approval and change-request panels.

{% load travel_publicity %}
{% publicity_panel trip as p %}   notices of the trip, after-return due date, whether the user may publish
{% external_panel trip as x %}    the approval document (批件), its people and scan, the members it does not
                                  approve, changes approved after it, may the user record it
{% changes_panel trip as c %}     the trip's change requests, whether the user may request one
{{ notice|notice_text }}          the notice in the reader's language
"""

from __future__ import annotations

from typing import Any

from django import template

from meridian.core.i18n import is_chinese
from meridian.travel.choices import NoticePhase, NoticeState, TripState

register = template.Library()


def _user(context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.filter
def notice_text(notice) -> str:
    """The Chinese text when the reader reads Chinese and it exists, else the English text."""
    if is_chinese() and notice.text_zh:
        return notice.text_zh
    return notice.text


@register.simple_tag(takes_context=True)
def publicity_panel(context, trip) -> dict[str, Any]:
    from meridian.travel.casework import today
    from meridian.travel.services import publicity

    user = _user(context)
    notices = list(trip.notices.prefetch_related("objections").order_by("-starts_on", "-id"))
    rows = []
    for notice in notices:
        objections = list(notice.objections.all())
        rows.append(
            {
                "notice": notice,
                "objections": len(objections),
                "open": sum(1 for o in objections if o.resolved_at is None),
                "upheld": sum(1 for o in objections if o.upheld),
            }
        )
    due = publicity.after_notice_due(trip)
    after_done = any(
        n.phase == NoticePhase.AFTER and n.state in (NoticeState.RUNNING, NoticeState.COMPLETED)
        for n in notices
    )
    return {
        "rows": rows,
        "after_due": due if trip.state == TripState.RETURNED and not after_done else None,
        "after_overdue": bool(due and not after_done and trip.state == TripState.RETURNED and due < today()),
        "can_publish_after": publicity.can_publish_after(user, trip),
        "working_days": publicity.publicity_working_days(),
    }


@register.simple_tag(takes_context=True)
def external_panel(context, trip) -> dict[str, Any]:
    from meridian.travel.models import ExternalApproval
    from meridian.travel.services import external

    user = _user(context)
    record = ExternalApproval.objects.filter(trip=trip).select_related("scan", "recorded_by").first()
    return {
        "record": record,
        "people": external.approved_people_of(record) if record is not None else [],
        # Members the document does not approve (left out, or added by a later change): no passport.
        "not_approved": external.members_not_approved(trip, record) if record is not None else [],
        # Changes approved after the document was recorded that alter what it approved.
        "later_changes": external.changes_after_approval(trip, record) if record is not None else [],
        "can_record": external.can_record_external(user, trip),
        "relevant": record is not None or trip.state == TripState.APPROVED,
    }


@register.simple_tag(takes_context=True)
def changes_panel(context, trip) -> dict[str, Any]:
    from meridian.travel.services import changes

    user = _user(context)
    return {
        "changes": list(trip.changes.order_by("-created_at", "-id")),
        "can_request": changes.can_request_change(user, trip),
        "open": changes.open_change(trip),
    }
