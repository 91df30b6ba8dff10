"""Reads of learning agreements and the course-equivalence catalogue, limited to what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from meridian.accounts.permissions import is_internal
from meridian.mobility import permissions
from meridian.mobility.choices import ComponentChange, LearningAgreementState
from meridian.mobility.models import CourseEquivalence, LearningAgreement, Mobility

L = LearningAgreementState
IN_PROGRESS = (L.DRAFT, L.SUBMITTED, L.REJECTED)


def learning_agreements_visible_to(user: Any) -> QuerySet[LearningAgreement]:
    """The learning agreements of the mobilities ``user`` may see (``Mobility.objects.visible_to``): the
    student their own, our side their school's, a partner contact their organisation's, the office and
    leadership all."""
    return LearningAgreement.objects.filter(mobility__in=Mobility.objects.visible_to(user)).select_related(
        "mobility__partner",
        "mobility__person",
        "mobility__home_unit",
        "sending_signed_by",
        "receiving_signed_by",
    )


def la_get(*, user: Any, pk: int) -> LearningAgreement:
    """One learning agreement ``user`` may see; ``Http404`` otherwise (no hint that it exists)."""
    la = learning_agreements_visible_to(user).filter(pk=pk).first()
    if la is None:
        raise Http404
    return la


def mobility_get(*, user: Any, pk: int) -> Mobility:
    """One mobility ``user`` may see; ``Http404`` otherwise."""
    mobility = (
        Mobility.objects.visible_to(user)
        .select_related("partner", "person", "home_unit", "student")
        .filter(pk=pk)
        .first()
    )
    if mobility is None:
        raise Http404
    return mobility


def learning_agreements_to_sign(user: Any) -> QuerySet[LearningAgreement]:
    """Submitted learning agreements waiting for ``user``'s institution to approve (for inboxes and portal
    home pages): a partner coordinator's — the partner's side not yet signed; our side's — ours not yet
    signed, for the office every school, for a school's coordinators their school's. Oldest first."""
    from meridian.mobility.choices import Direction

    outgoing, incoming = Q(mobility__direction=Direction.OUTGOING), Q(mobility__direction=Direction.INCOMING)
    condition = Q(pk__in=[])
    partner_id = permissions.partner_id_of(user)
    if partner_id is not None and permissions.acts_for_partner(user, partner_id):
        theirs = (outgoing & Q(receiving_signed_at__isnull=True)) | (
            incoming & Q(sending_signed_at__isnull=True)
        )
        condition |= Q(mobility__partner_id=partner_id) & theirs
    if is_internal(user):
        ours = (outgoing & Q(sending_signed_at__isnull=True)) | (
            incoming & Q(receiving_signed_at__isnull=True)
        )
        if permissions.is_office(user):
            condition |= ours
        elif units := permissions.acted_unit_ids(user):
            condition |= ours & Q(mobility__home_unit_id__in=units)
    return (
        learning_agreements_visible_to(user)
        .filter(condition, state=L.SUBMITTED)
        .order_by("state_changed_at", "id")
    )


def la_versions(*, mobility: Mobility) -> list[LearningAgreement]:
    """Every version of the mobility's learning agreement, newest first."""
    return list(
        mobility.learning_agreements.select_related("sending_signed_by", "receiving_signed_by").order_by(
            "-version_number"
        )
    )


def la_in_force(*, mobility: Mobility) -> LearningAgreement | None:
    """The approved version (the one in force), or None."""
    return mobility.learning_agreements.filter(state=L.APPROVED).order_by("-version_number").first()


def la_in_progress(*, mobility: Mobility) -> LearningAgreement | None:
    """The version being written or approved (draft, submitted, rejected), or None."""
    return mobility.learning_agreements.filter(state__in=IN_PROGRESS).order_by("-version_number").first()


def equivalence_suggestions(
    *, learning_agreement: LearningAgreement, limit: int = 30
) -> list[CourseEquivalence]:
    """Catalogue entries of the mobility's partner still offered and not on the agreement yet, most often
    approved first (those of the mobility's school before others)."""
    mobility = learning_agreement.mobility
    used = learning_agreement.courses.exclude(equivalence__isnull=True).values("equivalence_id")
    entries = (
        CourseEquivalence.objects.filter(partner_id=mobility.partner_id, withdrawn=False)
        .exclude(pk__in=used)
        .select_related("home_unit")
        .order_by("-times_approved", "partner_title", "id")
    )
    rows = list(entries[: limit * 2])
    rows.sort(key=lambda entry: entry.home_unit_id != mobility.home_unit_id)  # stable: keeps the order
    return rows[:limit]


def equivalences_visible_to(user: Any) -> QuerySet[CourseEquivalence]:
    """The catalogue on staff pages: every entry for staff (the catalogue is shared knowledge of the
    university); nothing for others (students see suggestions on their agreement, partners none)."""
    if not is_internal(user):
        return CourseEquivalence.objects.none()
    return CourseEquivalence.objects.select_related("partner", "home_unit")


def signer_name(user: Any) -> str:
    """How a signer is named on the page and the PDF: a person's Latin and Chinese names, a partner contact's
    name, else the account's full name or user name; "" for nobody."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return f"{person.latin_name} {person.name_zh}".strip()
    contact = getattr(user, "partner_contact", None)
    if contact is not None and contact.name:
        return contact.name
    return user.get_full_name() or user.get_username()


@dataclass
class CourseLine:
    """A course row as the agreement page shows it: the row and how it differs from the approved version."""

    course: Any
    css: str
    change_label: str


@dataclass
class PartySignature:
    """One party's signature: who signs for whom, when and by whom (None: not yet)."""

    party: str
    label: str
    institution: str
    signed_at: Any
    signed_by: Any
    mine: bool = False

    @property
    def signer(self) -> str:
        return signer_name(self.signed_by) if self.signed_at else ""


@dataclass
class LearningAgreementView:
    """What the agreement page shows of one version."""

    la: LearningAgreement
    lines: list[CourseLine]
    signatures: list[PartySignature]
    totals: dict[str, Any] = field(default_factory=dict)


def _institutions(la: LearningAgreement) -> tuple[str, str]:
    from meridian.accounts.models import OrgUnit

    mobility = la.mobility
    root = OrgUnit.objects.filter(parent__isnull=True).first()
    ours = str(root) if root is not None else _("our university")
    partner = str(mobility.partner)
    return (ours, partner) if mobility.is_outgoing else (partner, ours)


def la_view(*, learning_agreement: LearningAgreement, user: Any) -> LearningAgreementView:
    """The rows (changes marked) and the three signatures of ``learning_agreement`` as ``user`` sees them."""
    la = learning_agreement
    party = permissions.la_party(user, la)
    sending, receiving = _institutions(la)
    # A draft has no signatures yet: those of a version sent before and rejected belong to other contents.
    live = la.state != L.DRAFT
    signatures = [
        PartySignature(
            "student",
            _("Student"),
            str(la.mobility.person),
            la.student_signed_at if live else None,
            la.mobility.student,
            party == "student",
        ),
        PartySignature(
            "sending",
            _("Sending institution"),
            sending,
            la.sending_signed_at if live else None,
            la.sending_signed_by,
            party == "sending",
        ),
        PartySignature(
            "receiving",
            _("Receiving institution"),
            receiving,
            la.receiving_signed_at if live else None,
            la.receiving_signed_by,
            party == "receiving",
        ),
    ]
    lines = []
    receiving_total = sending_total = Decimal(0)
    for course in la.courses.all():
        lines.append(
            CourseLine(
                course=course,
                css=f"change-{course.change}" if course.change else "",
                change_label=str(ComponentChange(course.change).label) if course.change else "",
            )
        )
        if course.change != ComponentChange.REMOVED:
            receiving_total += course.receiving_credits or Decimal(0)
            sending_total += course.sending_credits or Decimal(0)
    return LearningAgreementView(
        la=la,
        lines=lines,
        signatures=signatures,
        totals={"receiving": receiving_total, "sending": sending_total},
    )


def la_list_for_mobility_panel(*, mobility: Mobility, user: Any) -> dict[str, Any]:
    """What a mobility page shows of its learning agreements (see ``_mobility_panel.html``): the versions,
    whether ``user`` may start one or a change, and the recognition link."""
    from meridian.mobility.services.learning import LA_MOBILITY_STATES, may_prepare

    versions = la_versions(mobility=mobility)
    prepare = may_prepare(user, mobility) and mobility.state in LA_MOBILITY_STATES
    in_progress = any(v.state in IN_PROGRESS for v in versions)
    approved = any(v.state == L.APPROVED for v in versions)
    return {
        "mobility": mobility,
        "versions": versions,
        "can_create": prepare and not versions,
        "can_change": prepare and approved and not in_progress,
        "can_see_recognition": permissions.can_decide_recognition(user, mobility)
        or mobility.student_id == getattr(user, "pk", None),
    }


def search_q(text: str) -> Q:
    """Catalogue text search: codes and titles on both sides."""
    condition = Q()
    for word in text.split()[:6]:
        condition &= (
            Q(partner_code__icontains=word)
            | Q(partner_title__icontains=word)
            | Q(home_code__icontains=word)
            | Q(home_title__icontains=word)
        )
    return condition
