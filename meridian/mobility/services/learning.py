"""Learning agreements (three-party credit pre-approval) and the course-equivalence catalogue.

A learning agreement follows the Erasmus Online Learning Agreement: the student lists the courses they will
take at the receiving institution and the courses of the sending institution they replace; the student signs
by sending it for approval, then the sending and the receiving coordinators approve, in either order. For an
outgoing mobility we are the sending institution (our school's coordinators or the office sign as "sending")
and the partner's coordinator signs as "receiving" in the partner portal; for an incoming one the roles swap
(``permissions.la_party``). When both coordinators have approved, the system move ``approve`` fires; a
coordinator may instead reject with a reason, and the student (or our side) revises it (``reopen``).

Changes during the mobility are a new version (kind "changes") that copies the approved rows; rows are marked
added or removed with a reason, and the new version goes through the same approval. Approving it supersedes
the version approved before (``la_after_approval``).

Every approved agreement feeds the course-equivalence catalogue of its partner (``CourseEquivalence``): the
partner's course and ours, offered to the next student going to the same partner.

Lifecycle in ``casework.py``. Every function is keyword-only, runs in one transaction with the agreement row
locked and raises ``PermissionDeniedError``, ``TransitionError``, ``StaleEditError``, ``ValidationError`` or
``DomainError`` with a message for the user; nothing is stored when it raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.core.notifications import notify
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility import permissions
from meridian.mobility.casework import LEARNING_AGREEMENT, today
from meridian.mobility.choices import (
    ComponentChange,
    CreditSystem,
    LearningAgreementKind,
    LearningAgreementState,
    MobilityState,
)
from meridian.mobility.models import CourseEquivalence, LearningAgreement, LearningAgreementCourse, Mobility

L = LearningAgreementState

# Mobilities that may have a learning agreement made or changed: accepted by the receiving side, or under way.
LA_MOBILITY_STATES = frozenset({MobilityState.ACCEPTED, MobilityState.ACTIVE})

# The credits of one course row: more than 0 and at most 60 (a full academic year is 60 ECTS credits,
# ECTS Users' Guide 2015, §3.1; no single course is worth more).
MAX_CREDITS = Decimal(60)

ROW_FIELDS = (
    "receiving_code",
    "receiving_title",
    "receiving_credits",
    "receiving_credit_system",
    "receiving_term",
    "sending_code",
    "sending_title",
    "sending_credits",
    "sending_credit_system",
    "change",
    "change_reason",
    "equivalence",
)
_TEXT_LIMITS = {
    "receiving_code": 40,
    "receiving_title": 300,
    "receiving_term": 40,
    "sending_code": 40,
    "sending_title": 300,
    "change_reason": 300,
}
# What identifies a course row when a change is compared with the approved version.
_ROW_KEY = (
    "receiving_code",
    "receiving_title",
    "receiving_credits",
    "sending_code",
    "sending_title",
    "sending_credits",
)


# --- helpers ------------------------------------------------------------------------------------------------


def _case_type() -> Any:
    from meridian.workflow.registry import case_types

    return case_types.get(LEARNING_AGREEMENT)


def _locked(la: LearningAgreement) -> LearningAgreement:
    return LearningAgreement.objects.select_for_update(of=("self",)).select_related("mobility").get(pk=la.pk)


def _locked_mobility(mobility: Mobility) -> Mobility:
    return Mobility.objects.select_for_update(of=("self",)).get(pk=mobility.pk)


def may_prepare(user: Any, mobility: Mobility) -> bool:
    """Who writes a learning agreement (creates it, edits its courses while a draft, starts a change): the
    mobility's student and our side (the office and the coordinators of the mobility's school)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return mobility.student_id == user.pk or permissions.can_handle_mobility(user, mobility)


def _require_prepare(actor: Any, mobility: Mobility) -> None:
    if not may_prepare(actor, mobility):
        raise PermissionDeniedError(
            _("Only the student and the coordinators of the student's school write the learning agreement.")
        )


def _save(la: LearningAgreement, actor: Any, fields: list[str]) -> None:
    bump_version(la)
    if actor is not None and getattr(actor, "is_authenticated", False):
        la._history_user = actor  # type: ignore[attr-defined]
    la.save(update_fields=[*fields, "version", "updated_at"])


def _who(user: Any) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


def la_signers(learning_agreement: LearningAgreement) -> list[Any]:
    """The people who approve ``learning_agreement`` for the two institutions: the coordinators of the
    mobility's school (our side) and the partner's contacts with the portal role "coordinator" who have an
    account (the partner's side). Returns active users."""
    from meridian.accounts.models import User
    from meridian.accounts.selectors import unit_coordinators
    from meridian.partners.choices import PortalRole

    mobility = learning_agreement.mobility
    ours = list(unit_coordinators(unit=mobility.home_unit))
    theirs = list(
        User.objects.filter(
            is_active=True,
            partner_contact__partner_id=mobility.partner_id,
            partner_contact__portal_role=PortalRole.COORDINATOR,
        )
    )
    return ours + theirs


def _tell(recipients: Iterable[Any], la: LearningAgreement, subject: Any, actor: Any) -> None:
    people = [p for p in recipients if p is not None and (actor is None or p.pk != actor.pk)]
    if people:
        notify(
            recipients=people,
            subject=subject,
            url=la.get_absolute_url(),
            verb="mobility.learning_agreement",
            target=la,
        )


def _student(la: LearningAgreement) -> list[Any]:
    return [la.mobility.student] if la.mobility.student_id else []


# --- creating a learning agreement and its changes -------------------------------------------------------


@transaction.atomic
def la_create(*, mobility: Mobility, actor: Any) -> LearningAgreement:
    """Start the learning agreement of ``mobility`` (version 1, kind "before", a draft without courses).

    Who: the student and our side (``may_prepare``); when: once the mobility is accepted or under way
    (``LA_MOBILITY_STATES``); a mobility has one "before" agreement (later versions are changes,
    ``la_change_create``). Raises ``PermissionDeniedError``, ``TransitionError`` (the mobility's state) or
    ``DomainError`` (code ``duplicate``: it exists already).
    """
    mobility = _locked_mobility(mobility)
    _require_prepare(actor, mobility)
    if mobility.state not in LA_MOBILITY_STATES:
        raise TransitionError(
            _("A learning agreement is made once the mobility is accepted; this mobility is “%(state)s”.")
            % {"state": mobility.get_state_display()}
        )
    existing = mobility.learning_agreements.order_by("-version_number").first()
    if existing is not None:
        raise DomainError(
            _("This mobility has a learning agreement already (version %(number)s).")
            % {"number": existing.version_number},
            code="duplicate",
        )
    la = LearningAgreement.objects.create(
        mobility=mobility,
        version_number=1,
        kind=LearningAgreementKind.BEFORE,
        state=L.DRAFT,
        state_changed_at=timezone.now(),
    )
    activity_record(
        target=la,
        verb="created",
        actor=actor,
        message=lambda: _("Learning agreement of %(mobility)s started") % {"mobility": mobility.number},
    )
    return la


@transaction.atomic
def la_change_create(*, mobility: Mobility, actor: Any) -> LearningAgreement:
    """Start a change of the approved learning agreement of ``mobility``: a new version (kind "changes",
    ``previous`` = the approved version) in draft, with the approved course rows copied (unchanged). Rows are
    then marked added or removed, with a reason, by ``la_courses_save``; the new version goes through the same
    approval, and approving it supersedes the previous one.

    Who: the student and our side; when: the mobility is accepted or under way, an approved version exists and
    no other version is in progress. Raises ``PermissionDeniedError``, ``TransitionError``.
    """
    mobility = _locked_mobility(mobility)
    _require_prepare(actor, mobility)
    if mobility.state not in LA_MOBILITY_STATES:
        raise TransitionError(
            _("The learning agreement is changed during the mobility; this mobility is “%(state)s”.")
            % {"state": mobility.get_state_display()}
        )
    versions = mobility.learning_agreements.all()
    pending = versions.filter(state__in=[L.DRAFT, L.SUBMITTED, L.REJECTED]).first()
    if pending is not None:
        raise TransitionError(
            _("Version %(number)s is in progress (“%(state)s”): finish it first.")
            % {"number": pending.version_number, "state": pending.get_state_display()}
        )
    approved = versions.filter(state=L.APPROVED).order_by("-version_number").first()
    if approved is None:
        raise TransitionError(_("Only an approved learning agreement can be changed."))
    number = (versions.aggregate(top=Max("version_number"))["top"] or 0) + 1
    la = LearningAgreement.objects.create(
        mobility=mobility,
        version_number=number,
        kind=LearningAgreementKind.CHANGES,
        previous=approved,
        state=L.DRAFT,
        state_changed_at=timezone.now(),
    )
    LearningAgreementCourse.objects.bulk_create(
        [
            LearningAgreementCourse(
                learning_agreement=la,
                order=index,
                change=ComponentChange.UNCHANGED,
                **{name: getattr(row, name) for name in _COPIED},
            )
            for index, row in enumerate(approved.courses.exclude(change=ComponentChange.REMOVED))
        ]
    )
    activity_record(
        target=la,
        verb="created",
        actor=actor,
        message=lambda: (
            _("Change of the learning agreement started (version %(number)s)") % {"number": number}
        ),
    )
    return la


_COPIED = (
    "receiving_code",
    "receiving_title",
    "receiving_credits",
    "receiving_credit_system",
    "receiving_term",
    "sending_code",
    "sending_title",
    "sending_credits",
    "sending_credit_system",
    "equivalence_id",
)


# --- course rows ------------------------------------------------------------------------------------------


def _credits(value: Any, row: int, side: str, errors: list[str], *, required: bool) -> Decimal | None:
    """Parse one credits value (Decimal, int, str; at most one decimal place, more than 0, at most 60)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(
                _("Row %(row)s: give the credits at the %(side)s institution.") % {"row": row, "side": side}
            )
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(
            _("Row %(row)s: the credits “%(value)s” are not a number.") % {"row": row, "value": value}
        )
        return None
    if not number.is_finite() or number <= 0 or number > MAX_CREDITS:
        errors.append(
            _("Row %(row)s: the credits at the %(side)s institution must be more than 0 and at most %(max)s.")
            % {"row": row, "side": side, "max": MAX_CREDITS}
        )
        return None
    if number != number.quantize(Decimal("0.1")):
        errors.append(_("Row %(row)s: write the credits with at most one decimal place.") % {"row": row})
        return None
    return number.quantize(Decimal("0.1"))


def _row_key(values: Mapping[str, Any]) -> tuple:
    return tuple(
        values.get(name) if name.endswith("credits") else (values.get(name) or "") for name in _ROW_KEY
    )


def _clean_rows(la: LearningAgreement, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check and normalise the course rows of ``la``; raises ``ValidationError`` with one message per
    problem, each naming its row (numbered from 1)."""
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    changes = la.kind == LearningAgreementKind.CHANGES
    sides = {"receiving": _("receiving"), "sending": _("sending")}
    for index, raw in enumerate(rows, start=1):
        unknown = sorted(set(raw) - set(ROW_FIELDS))
        if unknown:
            errors.append(
                _("Row %(row)s: unknown field %(field)s.") % {"row": index, "field": ", ".join(unknown)}
            )
            continue
        values: dict[str, Any] = {}
        for name, limit in _TEXT_LIMITS.items():
            text = str(raw.get(name) or "").strip()
            if len(text) > limit:
                errors.append(
                    _("Row %(row)s: “%(text)s…” is longer than %(limit)s characters.")
                    % {"row": index, "text": text[:30], "limit": limit}
                )
            values[name] = text
        if not values["receiving_title"]:
            errors.append(
                _("Row %(row)s: give the title of the course at the receiving institution.") % {"row": index}
            )
        values["receiving_credits"] = _credits(
            raw.get("receiving_credits"), index, sides["receiving"], errors, required=True
        )
        values["sending_credits"] = _credits(
            raw.get("sending_credits"), index, sides["sending"], errors, required=False
        )
        if (values["sending_code"] or values["sending_credits"] is not None) and not values["sending_title"]:
            errors.append(
                _("Row %(row)s: give the title of the course replaced at the sending institution.")
                % {"row": index}
            )
        for name, default in (
            ("receiving_credit_system", CreditSystem.ECTS),
            ("sending_credit_system", CreditSystem.CN),
        ):
            system = str(raw.get(name) or default).strip()
            if system not in CreditSystem.values:
                errors.append(
                    _("Row %(row)s: unknown credit system “%(value)s”.") % {"row": index, "value": system}
                )
            values[name] = system
        change = str(raw.get("change") or "").strip()
        if change not in ComponentChange.values:
            errors.append(_("Row %(row)s: unknown change “%(value)s”.") % {"row": index, "value": change})
        elif change and not changes:
            errors.append(
                _("Row %(row)s: only a change of an approved agreement marks courses as added or removed.")
                % {"row": index}
            )
        elif change and not values["change_reason"]:
            errors.append(
                _("Row %(row)s: say why the course is %(change)s.")
                % {"row": index, "change": ComponentChange(change).label.lower()}
            )
        values["change"] = change
        if not change:
            values["change_reason"] = ""
        values["equivalence"] = _equivalence(raw.get("equivalence"), la, index, errors)
        cleaned.append(values)
    if not errors:
        _check_duplicates(cleaned, errors)
        if changes:
            _check_against_previous(la, cleaned, errors)
    if not errors and not any(row["change"] != ComponentChange.REMOVED for row in cleaned):
        errors.append(_("Add at least one course."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _equivalence(value: Any, la: LearningAgreement, row: int, errors: list[str]) -> CourseEquivalence | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, CourseEquivalence) else value
    found = CourseEquivalence.objects.filter(pk=pk, partner_id=la.mobility.partner_id).first()
    if found is None:
        errors.append(_("Row %(row)s: unknown entry of the course catalogue.") % {"row": row})
    return found


def _check_duplicates(rows: list[dict[str, Any]], errors: list[str]) -> None:
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows, start=1):
        key = (*_row_key(row), row["change"])
        if key in seen:
            errors.append(_("Row %(row)s repeats row %(first)s.") % {"row": index, "first": seen[key]})
        else:
            seen[key] = index


def _check_against_previous(la: LearningAgreement, rows: list[dict[str, Any]], errors: list[str]) -> None:
    """In a change, unchanged and removed rows are the approved version's rows as they were, and every
    approved row is kept (unchanged) or marked removed: an edit is a removal plus an addition."""
    previous = la.previous
    if previous is None:
        return
    approved: dict[tuple, LearningAgreementCourse] = {}
    for course in previous.courses.exclude(change=ComponentChange.REMOVED):
        approved[_row_key(course.__dict__)] = course
    used: set[tuple] = set()
    for index, row in enumerate(rows, start=1):
        if row["change"] == ComponentChange.ADDED:
            continue
        key = _row_key(row)
        if key not in approved:
            errors.append(
                _(
                    "Row %(row)s is marked “%(change)s” but differs from the approved agreement: mark it as "
                    "added, and the approved course as removed."
                )
                % {"row": index, "change": ComponentChange(row["change"]).label}
            )
        used.add(key)
    for key, course in approved.items():
        if key not in used:
            errors.append(
                _("The approved course “%(course)s” is missing: keep it or mark it as removed.")
                % {"course": str(course)}
            )


@transaction.atomic
def la_courses_save(
    *,
    learning_agreement: LearningAgreement,
    actor: Any,
    expected_version: int | None,
    rows: Iterable[Mapping[str, Any]],
) -> LearningAgreement:
    """Replace the course rows of a draft learning agreement.

    ``rows``: dicts with the keys of ``ROW_FIELDS`` (codes, titles, credits as Decimal/str with at most one
    decimal place, credit systems of ``CreditSystem``, the term; in a change, ``change`` "", "added" or
    "removed" with a ``change_reason``; ``equivalence`` the catalogue entry a row came from). Rules: at least
    one course (not counting removed ones); the receiving course's title and credits are required; credits are
    more than 0 and at most 60 (``MAX_CREDITS``); the replaced course needs its title when its code or
    credits are given; a change keeps every approved row as it was (or marks it removed) and adds new ones.
    Saving clears the signatures (they were given to other contents).

    Raises ``PermissionDeniedError`` (not the student or our side), ``TransitionError`` (not a draft),
    ``StaleEditError`` (someone saved since ``expected_version``), ``ValidationError`` (one message per
    problem, naming the row).
    """
    la = _locked(learning_agreement)
    _require_prepare(actor, la.mobility)
    if la.state != L.DRAFT:
        raise TransitionError(
            _("The courses can be changed only while the agreement is a draft; it is “%(state)s”.")
            % {"state": la.get_state_display()}
        )
    ensure_fresh(instance=la, expected_version=expected_version, fields=["state"])
    cleaned = _clean_rows(la, list(rows))
    la.courses.all().delete()
    LearningAgreementCourse.objects.bulk_create(
        [
            LearningAgreementCourse(learning_agreement=la, order=index, **row)
            for index, row in enumerate(cleaned)
        ]
    )
    la.student_signed_at = la.sending_signed_at = la.receiving_signed_at = None
    la.sending_signed_by = la.receiving_signed_by = None
    _save(
        la,
        actor,
        [
            "student_signed_at",
            "sending_signed_at",
            "receiving_signed_at",
            "sending_signed_by",
            "receiving_signed_by",
        ],
    )
    activity_record(
        target=la,
        verb="courses_saved",
        actor=actor,
        message=lambda: (
            _("Courses of the learning agreement saved (%(count)s rows)") % {"count": len(cleaned)}
        ),
    )
    return la


def la_row_from_equivalence(
    *, learning_agreement: LearningAgreement, equivalence: CourseEquivalence
) -> dict[str, Any]:
    """A course row (``ROW_FIELDS``) filled from a catalogue entry: for an outgoing mobility the partner's
    course is the receiving side and ours the sending side; for an incoming one the other way round."""
    outgoing = learning_agreement.mobility.is_outgoing
    partner = {
        "code": equivalence.partner_code,
        "title": equivalence.partner_title,
        "credits": equivalence.partner_credits,
        "credit_system": equivalence.partner_credit_system,
    }
    home = {
        "code": equivalence.home_code,
        "title": equivalence.home_title,
        "credits": equivalence.home_credits,
        "credit_system": CreditSystem.CN,
    }
    receiving, sending = (partner, home) if outgoing else (home, partner)
    row: dict[str, Any] = {f"receiving_{key}": value for key, value in receiving.items()}
    row.update({f"sending_{key}": value for key, value in sending.items()})
    row.update({"receiving_term": "", "change": "", "change_reason": "", "equivalence": equivalence})
    return row


def _current_rows(la: LearningAgreement) -> list[dict[str, Any]]:
    rows = []
    for course in la.courses.all():
        row = {name: getattr(course, name) for name in ROW_FIELDS if name != "equivalence"}
        row["equivalence"] = course.equivalence_id
        rows.append(row)
    return rows


@transaction.atomic
def la_course_add_from_equivalence(
    *,
    learning_agreement: LearningAgreement,
    actor: Any,
    equivalence: CourseEquivalence,
    reason: str = "",
) -> LearningAgreement:
    """Add a course row from the catalogue (one click on a suggestion) to a draft learning agreement.

    The entry must be of the mobility's partner and still offered. In a change the row is marked "added" and
    ``reason`` is required. Same checks and errors as ``la_courses_save`` (the row must not be on the
    agreement already).
    """
    la = _locked(learning_agreement)
    if equivalence.partner_id != la.mobility.partner_id or equivalence.withdrawn:
        raise DomainError(_("This course is not offered for this partner."), code="unknown_equivalence")
    row = la_row_from_equivalence(learning_agreement=la, equivalence=equivalence)
    if la.kind == LearningAgreementKind.CHANGES:
        row.update({"change": ComponentChange.ADDED, "change_reason": reason.strip()})
    return la_courses_save(
        learning_agreement=la, actor=actor, expected_version=la.version, rows=[*_current_rows(la), row]
    )


# --- signing, rejecting, revising --------------------------------------------------------------------------


@transaction.atomic
def la_submit(*, learning_agreement: LearningAgreement, actor: Any) -> LearningAgreement:
    """The student signs and sends the agreement for approval (move ``submit``); the coordinators of both
    institutions are told. A change must add or remove at least one course.

    Raises ``PermissionDeniedError`` (only the student signs as the student), ``TransitionError`` (not a
    draft, no courses, a change without a change).
    """
    la = _locked(learning_agreement)
    if la.kind == LearningAgreementKind.CHANGES and not la.courses.exclude(change="").exists():
        raise TransitionError(_("This change neither adds nor removes a course."))
    from meridian.workflow.services import case_move

    la = case_move(case=la, actor=actor, move="submit")
    _tell(
        la_signers(la),
        la,
        lambda: _("Learning agreement %(la)s waits for your approval") % {"la": str(la)},
        actor,
    )
    return la


@transaction.atomic
def la_sign(*, learning_agreement: LearningAgreement, actor: Any) -> LearningAgreement:
    """A coordinator approves a submitted learning agreement for their institution (``permissions.la_party``:
    "sending" or "receiving"): the time and the person are recorded and the approval is written to the case
    log. When both coordinators have approved, the system move ``approve`` follows (it supersedes the previous
    version and grows the catalogue: ``la_after_approval``). The two may approve in either order, after the
    student has signed.

    Raises ``PermissionDeniedError`` (not a coordinator of either institution; the student signs by sending
    it), ``TransitionError`` (not waiting for approval; this institution has approved already).
    """
    from meridian.workflow.services import case_move, log_write

    la = _locked(learning_agreement)
    party = permissions.la_party(actor, la)
    if party == "student":
        raise PermissionDeniedError(_("The student signs by sending the agreement for approval."))
    if party not in {"sending", "receiving"}:
        raise PermissionDeniedError(
            _("Only a coordinator of the sending or the receiving institution approves this agreement.")
        )
    if la.state != L.SUBMITTED:
        if la.state == L.DRAFT:
            raise TransitionError(_("The student has not signed the agreement yet."))
        raise TransitionError(
            _("The agreement is “%(state)s”: there is nothing to approve.")
            % {"state": la.get_state_display()}
        )
    at_field, by_field = f"{party}_signed_at", f"{party}_signed_by"
    if getattr(la, at_field) is not None:
        who = getattr(la, by_field)
        raise TransitionError(
            _("The %(party)s institution approved already (%(who)s, %(when)s).")
            % {
                "party": party_label(party),
                "who": _who(who) if who else "—",
                "when": timezone.localtime(getattr(la, at_field)).strftime("%Y-%m-%d %H:%M"),
            }
        )
    setattr(la, at_field, timezone.now())
    setattr(la, by_field, actor)
    _save(la, actor, [at_field, by_field])
    case_type = _case_type()
    log_write(
        case=la,
        case_type=case_type,
        action=f"sign_{party}",
        from_state=la.state,
        to_state=la.state,
        actor=actor,
    )
    activity_record(
        target=la,
        verb=f"sign_{party}",
        actor=actor,
        message=lambda: (
            _("%(la)s approved for the %(party)s institution") % {"la": str(la), "party": party_label(party)}
        ),
    )
    if la.sending_signed_at is not None and la.receiving_signed_at is not None:
        la = case_move(case=la, actor=None, move="approve")
        _tell(
            _student(la) + la_signers(la),
            la,
            lambda: _("Learning agreement %(la)s is approved by all three parties") % {"la": str(la)},
            actor,
        )
    else:
        _tell(
            _student(la),
            la,
            lambda: (
                _("%(la)s: approved for the %(party)s institution")
                % {"la": str(la), "party": party_label(party)}
            ),
            actor,
        )
    return la


def party_label(party: str) -> str:
    """ "sending" → "sending", translated (for messages naming an institution's side)."""
    return {"sending": _("sending"), "receiving": _("receiving"), "student": _("student")}.get(party, party)


@transaction.atomic
def la_reject(*, learning_agreement: LearningAgreement, actor: Any, reason: str) -> LearningAgreement:
    """A coordinator of either institution rejects a submitted agreement with ``reason`` (move ``reject``);
    the student revises it (``la_reopen``). Raises ``PermissionDeniedError``, ``TransitionError``,
    ``ValidationError`` (no reason)."""
    from meridian.workflow.services import case_move

    la = case_move(case=_locked(learning_agreement), actor=actor, move="reject", comment=reason.strip())
    _tell(
        _student(la) + la_signers(la),
        la,
        lambda: _("Learning agreement %(la)s was rejected") % {"la": str(la)},
        actor,
    )
    return la


@transaction.atomic
def la_reopen(*, learning_agreement: LearningAgreement, actor: Any) -> LearningAgreement:
    """The student or our side takes a rejected agreement back to draft to revise it (move ``reopen``)."""
    from meridian.workflow.services import case_move

    return case_move(case=_locked(learning_agreement), actor=actor, move="reopen")


# --- after approval: supersede and grow the catalogue ------------------------------------------------------


def la_after_approval(*, learning_agreement: LearningAgreement) -> list[CourseEquivalence]:
    """What approving ``learning_agreement`` does (the side effect of the move ``approve``; runs inside it):

    1. every other approved version of the mobility (the previous one) takes the system move ``supersede``;
    2. the course-equivalence catalogue of the mobility's partner grows: for each course row (not removed)
       with a course on both sides, the entry (partner's code and title, our code and title) is created or
       updated — for an outgoing mobility the partner's course is the receiving side, for an incoming one the
       sending side; ``times_approved`` counts the mobilities that used it (a change that keeps a row of an
       approved version does not count it twice), ``first_approved_on``/``last_approved_on`` are dates
       (the evaluation date of ``casework``); the row links to its entry. A withdrawn entry stays withdrawn.

    Returns the catalogue entries used.
    """
    from meridian.workflow.services import case_move

    la = learning_agreement
    mobility = la.mobility
    counted = set(
        LearningAgreementCourse.objects.filter(
            learning_agreement__mobility_id=mobility.pk,
            learning_agreement__state__in=[L.APPROVED, L.SUPERSEDED],
            equivalence__isnull=False,
        )
        .exclude(learning_agreement_id=la.pk)
        .values_list("equivalence_id", flat=True)
    )
    older = LearningAgreement.objects.filter(mobility_id=mobility.pk, state=L.APPROVED).exclude(pk=la.pk)
    for version in older:
        case_move(case=version, actor=None, move="supersede")
    day = today()
    used = []
    for course in la.courses.exclude(change=ComponentChange.REMOVED).order_by("order", "id"):
        entry = _catalogue_entry(course, mobility, day, counted)
        if entry is None:
            continue
        counted.add(entry.pk)
        used.append(entry)
        if course.equivalence_id != entry.pk:
            course.equivalence = entry
            course.save(update_fields=["equivalence"])
    return used


def _catalogue_entry(
    course: LearningAgreementCourse, mobility: Mobility, day: Any, counted: set[int]
) -> CourseEquivalence | None:
    partner: tuple[str, str, Decimal | None]
    home: tuple[str, str, Decimal | None]
    if mobility.is_outgoing:
        partner = (course.receiving_code, course.receiving_title, course.receiving_credits)
        partner_system = course.receiving_credit_system
        home = (course.sending_code, course.sending_title, course.sending_credits)
    else:
        partner = (course.sending_code, course.sending_title, course.sending_credits)
        partner_system = course.sending_credit_system
        home = (course.receiving_code, course.receiving_title, course.receiving_credits)
    partner_code, partner_title = partner[0].strip(), partner[1].strip()
    home_code, home_title = home[0].strip(), home[1].strip()
    if not partner_title or not home_title:
        return None
    identity = {
        "partner_id": mobility.partner_id,
        "partner_code": partner_code,
        "partner_title": partner_title,
        "home_code": home_code,
        "home_title": home_title,
    }
    entry = CourseEquivalence.objects.select_for_update().filter(**identity).first()
    if entry is None:
        try:
            with transaction.atomic():
                return CourseEquivalence.objects.create(
                    **identity,
                    partner_credits=partner[2],
                    partner_credit_system=partner_system,
                    home_credits=home[2],
                    home_unit_id=mobility.home_unit_id,
                    times_approved=1,
                    first_approved_on=day,
                    last_approved_on=day,
                )
        except IntegrityError:  # made by a concurrent approval a moment ago
            entry = CourseEquivalence.objects.select_for_update().get(**identity)
    if entry.pk not in counted:
        entry.times_approved += 1
    entry.first_approved_on = entry.first_approved_on or day
    entry.last_approved_on = day
    entry.partner_credits = partner[2] if partner[2] is not None else entry.partner_credits
    entry.partner_credit_system = partner_system
    entry.home_credits = home[2] if home[2] is not None else entry.home_credits
    entry.home_unit_id = entry.home_unit_id or mobility.home_unit_id
    entry.save()
    return entry


# --- the catalogue ----------------------------------------------------------------------------------------


def can_withdraw_equivalence(user: Any, equivalence: CourseEquivalence) -> bool:
    """Withdraw (or offer again) a catalogue entry (``permissions.can_withdraw_equivalence``)."""
    return permissions.can_withdraw_equivalence(user, equivalence)


@transaction.atomic
def equivalence_withdraw(
    *, equivalence: CourseEquivalence, actor: Any, withdrawn: bool = True
) -> CourseEquivalence:
    """Stop offering a catalogue entry to students (``withdrawn`` True), or offer it again (False). Agreements
    that used it keep their rows. Raises ``PermissionDeniedError`` (``can_withdraw_equivalence``)."""
    entry = CourseEquivalence.objects.select_for_update().get(pk=equivalence.pk)
    if not can_withdraw_equivalence(actor, entry):
        raise PermissionDeniedError(
            _("Only the International Office and the school's coordinators withdraw catalogue entries.")
        )
    if entry.withdrawn != withdrawn:
        entry.withdrawn = withdrawn
        entry.save(update_fields=["withdrawn"])
        activity_record(
            target=entry,
            verb="withdrawn" if withdrawn else "offered",
            actor=actor,
            message=lambda: (
                (
                    _("Course equivalence %(entry)s withdrawn")
                    if withdrawn
                    else _("Course equivalence %(entry)s offered again")
                )
                % {"entry": str(entry)}
            ),
        )
    return entry
