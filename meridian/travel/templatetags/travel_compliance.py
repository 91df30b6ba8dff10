"""Template tags of the trip page's custody and report panels (rendered with only ``trip`` and ``user``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def trip_custody(trip, user) -> dict:
    """The passport panel: documents of the trip's travellers that the user may see in the register, each
    with its state, due date and expiry flag (expired, or expiring within six months of the return date)."""
    from meridian.travel import permissions
    from meridian.travel.models import CustodyItem
    from meridian.travel.selectors.custody import add_months
    from meridian.travel.services.custody import KIND_FOR_REGION

    today = timezone.localdate()
    person_ids = list(trip.members.values_list("person_id", flat=True))
    wanted_kind = KIND_FOR_REGION.get(trip.region)
    items = (
        CustodyItem.objects.visible_to(user)
        .filter(holder_id__in=person_ids)
        .select_related("holder", "document", "trip")
        .order_by("holder__family_name", "pk")
    )
    limit = add_months(trip.return_on, 6)
    rows = []
    for item in items:
        if item.trip_id != trip.pk and item.document.kind != wanted_kind:
            continue
        expiry = item.document.expiry_date
        rows.append(
            {
                "item": item,
                "for_this_trip": item.trip_id == trip.pk,
                "expired": expiry < today,
                "expires_soon": today <= expiry < limit,
                "overdue": item.state == "issued"
                and item.due_back_on is not None
                and item.due_back_on < today,
            }
        )
    return {
        "rows": rows,
        "can_manage": permissions.can_manage_custody(user),
        "wanted_kind": wanted_kind,
        "valid_until": limit,
    }


@register.simple_tag
def trip_report_summary(trip, user) -> dict:
    """The report panel: the report (or None), whether it is overdue, what is missing, who may edit it, and
    what the passport register says about the documents issued for the trip (``register``: ``issued`` any,
    ``any_out``, ``out`` — documents still with their holders that the reader may see named, each
    ``{"item", "overdue"}`` —, ``hidden`` the number of the others, ``all_back``, and ``contradicts`` when
    the report says "passport returned" while one is still out)."""
    from meridian.travel.choices import ReportState
    from meridian.travel.models import TripReport
    from meridian.travel.services import reports

    report = TripReport.objects.filter(trip=trip).first()
    if report is None:
        return {"report": None}
    today = timezone.localdate()
    out_items = reports.passports_out(trip)
    # Holders are named to those who write the report (the refusal names them too) and to those who see the
    # register row; the others get a count, as the passport panel lists only rows the reader may see.
    if out_items and not reports.can_write_report(user, trip):
        from meridian.travel.models import CustodyItem

        visible = set(
            CustodyItem.objects.visible_to(user)
            .filter(pk__in=[i.pk for i in out_items])
            .values_list("pk", flat=True)
        )
    else:
        visible = {i.pk for i in out_items}
    out = [
        {"item": item, "overdue": item.due_back_on is not None and item.due_back_on < today}
        for item in out_items
        if item.pk in visible
    ]
    issued = bool(out_items) or bool(reports.issued_for_trip(trip))
    return {
        "register": {
            "issued": issued,
            "any_out": bool(out_items),
            "out": out,
            "hidden": len(out_items) - len(out),
            "all_back": issued and not out_items,
            "contradicts": bool(out_items) and report.passport_returned,
        },
        "report": report,
        "overdue": report.state == ReportState.DRAFT and report.due_on is not None and report.due_on < today,
        "missing": reports.report_missing(report) if report.state == ReportState.DRAFT else [],
        "photos": report.photos.count(),
        "can_edit": reports.can_edit_report(user, report),
        "can_review": reports.can_review_report(user, report),
        "outcomes": trip.outcomes.count(),
    }
