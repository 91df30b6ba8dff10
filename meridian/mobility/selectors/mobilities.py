"""Reads of mobilities, restricted to what the user may see (``Mobility.objects.visible_to``).

The list runs a fixed number of queries whatever its length (partner, person, school joined). The page of one
mobility (``mobility_page``) gathers what its reader may see: moves (``workflow.services.moves_for``), files,
learning agreements, acceptance letters, the visa data card (personal data only to
``permissions.can_see_personal_data``) and whether the reader is the student themself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from meridian.accounts.permissions import is_internal
from meridian.mobility import permissions
from meridian.mobility.choices import Direction, MobilityFileKind, MobilityState
from meridian.mobility.models import Mobility, MobilityFile

# Files that hold sensitive personal data (PIPL art. 28): only those who may see the student's personal
# data download them, and every download is written to the people access log.
SENSITIVE_FILE_KINDS = frozenset({MobilityFileKind.PASSPORT})
# Where the student may still add files of the application: until the stay ends.
STUDENT_UPLOAD_STATES = frozenset(
    {
        MobilityState.NOMINATED,
        MobilityState.DOCUMENTS_REQUESTED,
        MobilityState.INVITED,
        MobilityState.APPLIED,
        MobilityState.ACCEPTED,
        MobilityState.ACTIVE,
    }
)
OPEN_STATES = STUDENT_UPLOAD_STATES | {MobilityState.RETURNED}


def mobility_list(*, user: Any) -> QuerySet[Mobility]:
    """Mobilities ``user`` may see, with partner, person and school joined (newest academic year first)."""
    return Mobility.objects.visible_to(user).select_related("partner", "person", "home_unit")


def mobility_get(*, user: Any, pk: int) -> Mobility:
    """The mobility if ``user`` may see it; raises ``Mobility.DoesNotExist`` otherwise (views answer 404)."""
    return (
        Mobility.objects.visible_to(user)
        .select_related(
            "partner__country",
            "person__nationality",
            "home_unit",
            "agreement",
            "condition",
            "application",
            "student",
            "decided_by",
            "nominated_by",
        )
        .get(pk=pk)
    )


def is_own(user: Any, mobility: Mobility) -> bool:
    """Whether ``user`` is the mobility's student."""
    return bool(getattr(user, "is_authenticated", False) and mobility.student_id == user.pk)


def can_open_page(user: Any, mobility: Mobility) -> bool:
    """The staff page of a mobility serves our side (staff who may see it) and the student themself. A partner
    contact who is not also staff gets 404 here: partners use the partner portal (``partner_mobility``)."""
    return is_own(user, mobility) or is_internal(user)


def can_download_file(user: Any, mobility: Mobility, kind: str) -> bool:
    """A file of a visible mobility: passport copies only to those who may see the student's personal data,
    the other files to everyone who may open the mobility's page or decides for the partner."""
    if kind in SENSITIVE_FILE_KINDS:
        return permissions.can_see_personal_data(user, mobility)
    return can_open_page(user, mobility) or permissions.can_decide_for_partner(user, mobility)


def can_add_file(user: Any, mobility: Mobility) -> bool:
    """Our side's handlers add files while the mobility is open; the student while their stay lasts."""
    if mobility.state not in OPEN_STATES:
        return False
    if is_own(user, mobility):
        return mobility.state in STUDENT_UPLOAD_STATES
    return permissions.can_handle_mobility(user, mobility)


def can_edit_dates(user: Any, mobility: Mobility) -> bool:
    """Planned dates (our side): the office and the school's coordinators, until the stay has ended."""
    return permissions.can_handle_mobility(user, mobility) and mobility.state in STUDENT_UPLOAD_STATES


def can_record_registration(user: Any, mobility: Mobility) -> bool:
    """The registration on arrival of an incoming student: our side, once the student has arrived."""
    return (
        mobility.direction == Direction.INCOMING
        and mobility.state in {MobilityState.ACTIVE, MobilityState.RETURNED}
        and permissions.can_handle_mobility(user, mobility)
    )


def _url(name: str, *args: Any) -> str:
    """The address of another area's page, or "" while that page is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass
class VisaData:
    """What the visa application needs, for the "Visa data" card. ``passport`` is None for readers who may
    not see personal data (``personal`` False); its number is masked (revealed through the logged reveal)."""

    personal: bool
    person: Any
    passport: Any
    letter_number: str
    planned_start: Any
    planned_end: Any
    planned_arrival: Any
    host_unit: Any
    partner: Any
    missing: list[str] = field(default_factory=list)


def visa_data(*, user: Any, mobility: Mobility) -> VisaData | None:
    """The visa data card of an incoming mobility (None for outgoing ones). Reads only; the caller logs the
    masked passport shown (``people.services.identity_documents_viewed``)."""
    from django.utils.translation import gettext as _

    from meridian.mobility.services.incoming import current_passport

    if mobility.direction != Direction.INCOMING:
        return None
    personal = permissions.can_see_personal_data(user, mobility)
    passport = current_passport(mobility) if personal else None
    missing = []
    if not mobility.letter_number:
        missing.append(_("The acceptance letter is issued when the student is accepted."))
    if personal and passport is None:
        missing.append(_("The student has not entered a passport yet."))
    if mobility.planned_start is None:
        missing.append(_("The planned dates of the stay are not entered yet."))
    return VisaData(
        personal=personal,
        person=mobility.person,
        passport=passport,
        letter_number=mobility.letter_number,
        planned_start=mobility.planned_start,
        planned_end=mobility.planned_end,
        planned_arrival=mobility.planned_arrival,
        host_unit=mobility.home_unit,
        partner=mobility.partner,
        missing=missing,
    )


@dataclass
class MobilityPage:
    """What the page of one mobility shows its reader."""

    own: bool
    handles: bool
    personal: bool
    moves: list[Any]
    files: list[dict[str, Any]]
    learning_agreements: list[dict[str, Any]]
    la_create_url: str
    recognition_url: str
    letters: list[Any]
    visa: VisaData | None
    can_add_file: bool
    can_edit_dates: bool
    can_record_registration: bool
    missing: list[str]


def mobility_page(*, user: Any, mobility: Mobility) -> MobilityPage:
    """The page of ``mobility`` for ``user`` (who may open it, ``can_open_page``), in a fixed number of
    queries: the student sees only their own moves (``moves_for`` asks the declaration who may act)."""
    from meridian.mobility.documents_incoming import acceptance_letters
    from meridian.workflow.services import moves_for

    own = is_own(user, mobility)
    handles = permissions.can_handle_mobility(user, mobility)
    files = [
        {"file": f, "can_download": can_download_file(user, mobility, f.kind)}
        for f in MobilityFile.objects.filter(mobility=mobility).select_related("uploaded_by")
    ]
    agreements = [
        {"la": la, "url": _url("mobility:la_detail", la.pk)}
        for la in mobility.learning_agreements.order_by("-created_at", "-id")
    ]
    missing: list[str] = []
    if mobility.direction == Direction.INCOMING and mobility.state == MobilityState.INVITED:
        from meridian.mobility.services.incoming import incoming_missing

        missing = incoming_missing(mobility)
    return MobilityPage(
        own=own,
        handles=handles,
        personal=permissions.can_see_personal_data(user, mobility),
        moves=moves_for(case=mobility, user=user),
        files=files,
        learning_agreements=agreements,
        la_create_url=_url("mobility:la_create", mobility.pk) if handles or own else "",
        recognition_url=_url("mobility:recognition", mobility.pk),
        letters=acceptance_letters(mobility, user),
        visa=visa_data(user=user, mobility=mobility),
        can_add_file=can_add_file(user, mobility),
        can_edit_dates=can_edit_dates(user, mobility),
        can_record_registration=can_record_registration(user, mobility),
        missing=missing,
    )
