"""Live figures for the Global Partnership page, computed from partners and agreements when a page is served.

Only aggregates leave this module: counts, country names and channel names. Partner names never do, so a
non-public partner is counted but never named.

Placeholders an editor may use in a title, summary or text (single braces):
  {partners}            number of cooperating partners: a partner with an active agreement, or whose
                        relationship status is active
  {partners_rounded}    that number rounded down the way people write it: "over 150" / "150多所"
  {countries}           number of countries and regions those partners are in
  {top_countries}       the countries and regions with most partners, in order, with "and other places" /
                        "等国家和地区" when there are more
  {channels}            the cooperation channels that active agreements use, as a list
  {channel_count}       how many such channels there are
  {joint_labs}          number of active joint laboratory / R&D centre agreements
  {exchange_agreements} number of active student- and staff-exchange agreements
  {exchange_partners}   number of partners with an active student- or staff-exchange agreement
  {university_name}     the university's name
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
from meridian.partners.choices import RelationshipStatus
from meridian.partners.models import Partner

TOP_COUNTRIES = 6
CACHE_SECONDS = 24 * 3600
EXCHANGE_TYPES = [AgreementType.STUDENT_EXCHANGE, AgreementType.STAFF_EXCHANGE]

PLACEHOLDERS: dict[str, object] = {
    "partners": _("Number of cooperating partners (with an active agreement or an active relationship)."),
    "partners_rounded": _('The same number rounded down as people write it: "over 150", "150多所".'),
    "countries": _("Number of countries and regions of the cooperating partners."),
    "top_countries": _('Countries and regions with most partners, in order, then "and other places".'),
    "channels": _("Cooperation channels used by active agreements."),
    "channel_count": _("Number of cooperation channels used by active agreements."),
    "joint_labs": _("Number of active joint laboratory / R&D centre agreements."),
    "exchange_agreements": _("Number of active student and staff exchange agreements."),
    "exchange_partners": _("Number of partners with an active student or staff exchange agreement."),
    "university_name": _("The university's name."),
}


@dataclass(frozen=True)
class CountryCount:
    code: str
    name_en: str
    name_zh: str
    partners: int


@dataclass(frozen=True)
class Figures:
    partners: int
    countries: list[CountryCount]
    channels: list[str]
    joint_labs: int
    exchange_agreements: int
    exchange_partners: int


def cooperating_partners():
    """Partners with an active agreement or an active relationship (all partners, public or not)."""
    with_active_agreement = AgreementPartner.objects.filter(agreement__state=AgreementState.ACTIVE).values(
        "partner_id"
    )
    return Partner.objects.filter(Q(status=RelationshipStatus.ACTIVE) | Q(pk__in=with_active_agreement))


def figures_compute() -> Figures:
    """Read the figures from the data (five aggregate queries, whatever the number of partners)."""
    partners = cooperating_partners()
    by_country = list(
        partners.values("country_id", "country__name_en", "country__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "country__name_en")
    )
    used = set(
        AgreementChannel.objects.filter(agreement__state=AgreementState.ACTIVE)
        .values_list("channel", flat=True)
        .distinct()
    )
    counts = Agreement.objects.filter(state=AgreementState.ACTIVE).aggregate(
        joint_labs=Count("id", filter=Q(kind=AgreementType.JOINT_LAB)),
        exchange=Count("id", filter=Q(kind__in=EXCHANGE_TYPES)),
    )
    exchange_partners = (
        AgreementPartner.objects.filter(
            agreement__state=AgreementState.ACTIVE, agreement__kind__in=EXCHANGE_TYPES
        )
        .values("partner_id")
        .distinct()
        .count()
    )
    return Figures(
        partners=sum(row["n"] for row in by_country),
        countries=[
            CountryCount(row["country_id"], row["country__name_en"], row["country__name_zh"], row["n"])
            for row in by_country
        ],
        # In the order of the Channel choices, so the list reads the same every time.
        channels=[value for value in Channel.values if value in used],
        joint_labs=counts["joint_labs"],
        exchange_agreements=counts["exchange"],
        exchange_partners=exchange_partners,
    )


def figures_invalidate() -> None:
    """Renew the stamp (in the caller's transaction): the next reader computes the figures afresh."""
    from meridian.portal.models import FiguresStamp

    token = uuid.uuid4().hex
    if not FiguresStamp.objects.filter(pk=1).update(token=token):
        FiguresStamp.objects.update_or_create(pk=1, defaults={"token": token})


def figures_current() -> Figures:
    """The figures, from the cache while nothing they depend on has changed (one query to check)."""
    from meridian.portal.models import FiguresStamp

    token = FiguresStamp.objects.filter(pk=1).values_list("token", flat=True).first() or "initial"
    key = f"portal:figures:{token}"
    figures = cache.get(key)
    if figures is None:
        figures = figures_compute()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def round_down(number: int) -> int:
    """Round down to a number people write: tens under 100, fifties under 1000, hundreds above.

    Numbers under ten stay as they are."""
    if number < 10:
        return number
    step = 10 if number < 100 else 50 if number < 1000 else 100
    return number // step * step


def _is_zh(language: str) -> bool:
    return language.startswith("zh")


def _number(value: int, language: str) -> str:
    return str(value) if _is_zh(language) else f"{value:,}"


def rounded_phrase(number: int, language: str) -> str:
    """ "over 150" / "150多所"; the exact number when rounding changes nothing (never "over 150" for 150)."""
    rounded = round_down(number)
    if _is_zh(language):
        return f"{rounded}所" if rounded == number else f"{rounded}多所"
    return _number(number, language) if rounded == number else f"over {_number(rounded, language)}"


def join_list(items: list[str], language: str) -> str:
    if _is_zh(language):
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence_case(label: str) -> str:
    # "Student exchange" reads "student exchange" inside a sentence; "R&D centre" keeps its capitals.
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def top_countries_phrase(countries: list[CountryCount], language: str, limit: int = TOP_COUNTRIES) -> str:
    shown = countries[:limit]
    more = len(countries) > limit
    if _is_zh(language):
        names = [c.name_zh or c.name_en for c in shown]
        return "、".join(names) + ("等国家和地区" if more else "")
    names = [c.name_en for c in shown]
    if more:
        return ", ".join(names) + " and other places"
    return join_list(names, language)


def channels_phrase(channels: list[str], language: str) -> str:
    labels = dict(Channel.choices)
    with translation.override(language):
        names = [str(labels[value]) for value in channels]
    if not _is_zh(language):
        names = [_sentence_case(name) for name in names]
    return join_list(names, language)


def placeholder_values(figures: Figures, language: str) -> dict[str, str]:
    """Every placeholder's text in `language`."""
    return {
        "partners": _number(figures.partners, language),
        "partners_rounded": rounded_phrase(figures.partners, language),
        "countries": _number(len(figures.countries), language),
        "top_countries": top_countries_phrase(figures.countries, language),
        "channels": channels_phrase(figures.channels, language),
        "channel_count": _number(len(figures.channels), language),
        "joint_labs": _number(figures.joint_labs, language),
        "exchange_agreements": _number(figures.exchange_agreements, language),
        "exchange_partners": _number(figures.exchange_partners, language),
        "university_name": settings.UNIVERSITY_NAME,
    }
