"""Trip outcomes as the partner's 360° page shows them (a panel registered by the travel extensions)."""

from __future__ import annotations

from meridian.travel.models import Trip, TripOutcome


def partner_trip_outcomes(*, partner_id: int, user) -> list[TripOutcome]:
    """Outcomes (new contacts, agreements signed, projects started) linked to the partner, of trips the user
    may see (``Trip.objects.visible_to``), newest trip first, with trip, unit and agreement loaded. A linked
    agreement is kept only when the user may see it; the panel should show ``outcome.visible_agreement``."""
    visible_trips = Trip.objects.visible_to(user).values("pk")
    rows = list(
        TripOutcome.objects.filter(partner_id=partner_id, trip_id__in=visible_trips)
        .select_related("trip", "trip__unit", "agreement")
        .order_by("-trip__depart_on", "-id")
    )
    from meridian.agreements.models import Agreement

    agreement_ids = {row.agreement_id for row in rows if row.agreement_id}
    seen = (
        set(Agreement.objects.visible_to(user).filter(pk__in=agreement_ids).values_list("pk", flat=True))
        if agreement_ids
        else set()
    )
    for row in rows:
        setattr(row, "visible_agreement", row.agreement if row.agreement_id in seen else None)  # noqa: B010
    return rows
