"""Reads for the dashboard: aggregates over what the user may see, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement
from meridian.agreements.permissions import agreement_visibility_filter
from meridian.core.i18n import is_chinese
from meridian.core.models import Activity
from meridian.partners.choices import PartnerType, RelationshipStatus
from meridian.partners.models import Partner
from meridian.partners.permissions import partner_visibility_filter

TOP_COUNTRIES = 15
RECENT_ACTIVITY = 15
EXPIRING_SHOWN = 20


@dataclass(frozen=True)
class Headline:
    partners: int
    active_partners: int
    countries: int
    active_agreements: int
    expiring: int


@dataclass(frozen=True)
class Bar:
    """One row of a bar list: a key for the filter link, a label, a count and its width in percent."""

    key: str
    label: str
    count: int
    percent: int


@dataclass
class ActivityRow:
    activity: Activity
    kind: str  # "partner" or "agreement"


@dataclass
class Dashboard:
    headline: Headline
    by_country: list[Bar]
    by_type: list[Bar]
    by_state: list[Bar]
    expiring: list[Agreement]
    activity: list[ActivityRow] = field(default_factory=list)
    expiring_days: int = 180
    today: date | None = None


def _bars(rows: list[tuple[str, str, int]]) -> list[Bar]:
    top = max((count for _key, _label, count in rows), default=0) or 1
    return [
        Bar(key=key, label=str(label), count=count, percent=round(count * 100 / top))
        for key, label, count in rows
    ]


def partner_headline(*, partners: QuerySet[Partner]) -> dict[str, int]:
    return partners.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=RelationshipStatus.ACTIVE)),
        countries=Count("country", distinct=True),
    )


def agreement_headline(*, agreements: QuerySet[Agreement], days: int, today: date) -> dict[str, int]:
    return agreements.aggregate(
        active=Count("id", filter=Q(state=AgreementState.ACTIVE)),
        expiring=Count(
            "id",
            filter=Q(
                state=AgreementState.ACTIVE,
                end_date__isnull=False,
                end_date__gte=today,
                end_date__lte=today + timedelta(days=days),
            ),
        ),
    )


def partners_by_country(*, partners: QuerySet[Partner], limit: int = TOP_COUNTRIES) -> list[Bar]:

    chinese = is_chinese()
    rows = (
        partners.order_by()
        .values("country_id", "country__name_en", "country__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "country__name_en")[:limit]
    )
    return _bars(
        [
            (
                r["country_id"],
                (r["country__name_zh"] if chinese and r["country__name_zh"] else r["country__name_en"]),
                r["n"],
            )
            for r in rows
        ]
    )


def partners_by_type(*, partners: QuerySet[Partner]) -> list[Bar]:
    rows = partners.order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    labels = dict(PartnerType.choices)
    return _bars([(r["kind"], labels.get(r["kind"], r["kind"]), r["n"]) for r in rows])


def agreements_by_state(*, agreements: QuerySet[Agreement]) -> list[Bar]:
    counts = {r["state"]: r["n"] for r in agreements.order_by().values("state").annotate(n=Count("id"))}
    # The lifecycle order reads better than "largest first" here; states with no agreement are left out.
    return _bars(
        [(value, label, counts[value]) for value, label in AgreementState.choices if counts.get(value)]
    )


def agreements_expiring(
    *, agreements: QuerySet[Agreement], days: int, today: date, limit: int = EXPIRING_SHOWN
) -> list[Agreement]:
    rows = list(
        agreements.expiring_within(days, today=today)
        .select_related("responsible_unit")
        .prefetch_related("partners")
        .order_by("end_date", "number")[:limit]
    )
    for agreement in rows:
        agreement.days_remaining = agreement.days_left(today=today)
    return rows


def recent_activity(*, user, limit: int = RECENT_ACTIVITY) -> list[ActivityRow]:
    """The newest activity about partners and agreements the user may see."""
    types = ContentType.objects.get_for_models(Partner, Agreement)
    partner_ct, agreement_ct = types[Partner], types[Agreement]
    about_partners = Q(content_type=partner_ct)
    if partner_visibility_filter(user) is not None:
        about_partners &= Q(object_id__in=Partner.objects.visible_to(user).values("pk"))
    about_agreements = Q(content_type=agreement_ct)
    if agreement_visibility_filter(user) is not None:
        about_agreements &= Q(object_id__in=Agreement.objects.visible_to(user).values("pk"))
    rows = Activity.objects.filter(about_partners | about_agreements).select_related("actor")[:limit]
    return [
        ActivityRow(activity=a, kind="partner" if a.content_type_id == partner_ct.pk else "agreement")
        for a in rows
    ]


def dashboard_for(*, user, today: date | None = None, days: int | None = None) -> Dashboard:
    """Everything the dashboard shows, restricted to what `user` may see."""
    today = today or timezone.localdate()
    days = settings.EXPIRING_SOON_DAYS if days is None else days
    partners = Partner.objects.visible_to(user)
    agreements = Agreement.objects.visible_to(user)
    p = partner_headline(partners=partners)
    a = agreement_headline(agreements=agreements, days=days, today=today)
    return Dashboard(
        headline=Headline(
            partners=p["total"],
            active_partners=p["active"],
            countries=p["countries"],
            active_agreements=a["active"],
            expiring=a["expiring"],
        ),
        by_country=partners_by_country(partners=partners),
        by_type=partners_by_type(partners=partners),
        by_state=agreements_by_state(agreements=agreements),
        expiring=agreements_expiring(agreements=agreements, days=days, today=today),
        activity=recent_activity(user=user),
        expiring_days=days,
        today=today,
    )
