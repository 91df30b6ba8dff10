"""What partner contacts do in the partner portal: decide on our nominations (accept, reject with a reason,
request documents) and nominate their own students to us within the places and deadlines of an incoming
cooperation condition.

Only coordinators of the partner act (``permissions.acts_for_partner``); viewers read. The moves are the
declared mobility moves (``casework.py``), taken through ``workflow.services.case_move``.

Deadlines: a condition's nomination deadlines are yearly days written ``--MM-DD`` (EWP factsheet
``gMonthDay``). Both the autumn and the spring nomination deadline fall in the calendar year the academic year
starts in: for 2026/2027 the autumn deadline ``--05-15`` is 15 May 2026 and the spring deadline ``--10-15`` is
15 October 2026. A full-year stay follows the autumn deadline, a summer stay the spring one. The deadline day
itself is still open. 29 February is 28 February in a common year.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.agreements.choices import AgreementState
from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError
from meridian.core.notifications import notify
from meridian.mobility import permissions
from meridian.mobility.casework import today
from meridian.mobility.choices import (
    CEFR_ORDER,
    STUDENT_MOBILITY_TYPES,
    Direction,
    MobilityState,
    Semester,
)
from meridian.mobility.models import CooperationCondition, Mobility, academic_year_label
from meridian.mobility.services.nominations import mobility_save_numbered
from meridian.workflow.services import case_move

# The partner's decisions on our nominations (declared in casework.py, allowed to the partner's coordinators).
PARTNER_MOVES = ("accept", "reject", "request_documents")
# Mobilities that no longer hold a place.
RELEASED_STATES = (MobilityState.REJECTED, MobilityState.CANCELLED)
EXCHANGE_PURPOSE = "exchange"


class PartnerNominationError(DomainError):
    code = "partner_nomination"


# --- deciding on our nominations ------------------------------------------------------------------------


def partner_decide(*, mobility: Mobility, actor: Any, move: str, comment: str = "") -> Mobility:
    """The partner's decision on one of our nominations: ``move`` "accept", "reject" (``comment`` = the
    reason, required) or "request_documents" (``comment`` = which documents, required).

    Raises ``PermissionDeniedError`` unless ``actor`` is a coordinator of the mobility's partner and the
    mobility is outgoing (their own nominations to us are decided by our side), ``TransitionError`` for a move
    that is not possible in the mobility's state, ``ValidationError`` for a missing reason. The office and
    whoever nominated the student are told (in the app and by e-mail) after commit.
    """
    if move not in PARTNER_MOVES:
        raise DomainError(_("Unknown decision."))
    if not permissions.acts_for_partner(actor, mobility.partner_id) or not mobility.is_outgoing:
        raise PermissionDeniedError(_("Only the partner's coordinators decide on this nomination."))
    with transaction.atomic():
        moved = case_move(case=mobility, actor=actor, move=move, comment=comment.strip())
        recipients = [*office_users(), moved.nominated_by]
        notify(
            recipients=[user for user in recipients if user is not None and user.pk != actor.pk],
            subject=lambda: (
                _("%(partner)s: %(number)s is now “%(state)s”")
                % {"partner": moved.partner, "number": moved.number, "state": moved.get_state_display()}
            ),
            body=lambda: comment.strip(),
            url=_url("mobility:mobility_detail", moved.pk),
            verb=f"mobility.partner_{move}",
            target=moved,
        )
    return moved


def office_users() -> list:
    """The International Office's officers (who hear of partners' decisions and nominations)."""
    from meridian.accounts.choices import Role
    from meridian.accounts.models import User

    return list(User.objects.filter(is_active=True, memberships__role=Role.OFFICER).distinct()[:50])


def _url(url_name: str, *args: Any) -> str:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


# --- places and deadlines -------------------------------------------------------------------------------


def _deadline_day(value: str, year: int) -> datetime.date | None:
    if not value:
        return None
    month, day = int(value[2:4]), int(value[5:7])
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, month, day - 1)


def nomination_deadline(
    *, condition: CooperationCondition, academic_year: int, semester: str
) -> datetime.date | None:
    """The last day the partner may nominate for ``semester`` of ``academic_year`` under ``condition`` (None:
    no deadline). Autumn and full year use the autumn deadline, spring and summer the spring one; both in the
    calendar year ``academic_year`` starts in (see the module docstring)."""
    if semester in (Semester.AUTUMN, Semester.FULL_YEAR):
        value = condition.autumn_nomination_deadline
    else:
        value = condition.spring_nomination_deadline
    return _deadline_day(value, academic_year)


def places_used(*, condition: CooperationCondition, academic_year: int) -> int:
    """Incoming mobilities holding a place of ``condition`` in ``academic_year`` (all but rejected and
    cancelled ones)."""
    return (
        Mobility.objects.filter(
            condition=condition, direction=Direction.INCOMING, academic_year=academic_year
        )
        .exclude(state__in=RELEASED_STATES)
        .count()
    )


def condition_year(condition: CooperationCondition, academic_year: int | None) -> int:
    """The academic year a nomination under ``condition`` is for: the condition's own year (checked against
    the agreement's period when the condition was written), or for a condition of the whole agreement period
    the year asked for, which must lie within the academic years the agreement's period touches
    (``selectors.conditions.agreement_academic_years``). A year that is over (its 31 August before
    ``casework.today()``) takes no nominations. Raises ``ValidationError`` on ``academic_year``."""
    from meridian.mobility.selectors.calls import academic_year_bounds
    from meridian.mobility.selectors.conditions import agreement_academic_years

    if condition.academic_year is not None:
        if academic_year not in (None, condition.academic_year):
            raise ValidationError(
                {
                    "academic_year": _("These places are for %(year)s.")
                    % {"year": academic_year_label(condition.academic_year)}
                }
            )
        year = condition.academic_year
    elif academic_year is None:
        raise ValidationError({"academic_year": _("Say which academic year the student comes in.")})
    else:
        year = academic_year
        first, last = agreement_academic_years(condition.agreement)
        if (first is not None and year < first) or (last is not None and year > last):
            raise ValidationError(
                {
                    "academic_year": _(
                        "The agreement of these places covers %(first)s to %(last)s; it does not cover "
                        "%(year)s."
                    )
                    % {
                        "first": academic_year_label(first) if first is not None else "…",
                        "last": academic_year_label(last) if last is not None else "…",
                        "year": academic_year_label(year),
                    }
                }
            )
    if academic_year_bounds(year)[1] < today():
        raise ValidationError(
            {"academic_year": _("The academic year %(year)s is over.") % {"year": academic_year_label(year)}}
        )
    return year


def _check_fit(condition: CooperationCondition, fields: dict[str, Any]) -> None:
    """The student fits the condition: its mobility type, study levels (EQF), subject areas (ISCED-F, a
    narrower field of a listed one counts) and language requirements (language and at least the CEFR level).
    Raises ``ValidationError`` naming every field that does not fit."""
    errors: dict[str, list[str]] = {}
    if fields["mobility_type"] != condition.mobility_type:
        errors["mobility_type"] = [
            _("These places are for “%(type)s”.") % {"type": condition.get_mobility_type_display()}
        ]
    levels = [int(level) for level in condition.eqf_levels or []]
    if levels and fields.get("eqf_level") not in levels:
        errors["eqf_level"] = [
            _("These places are for study levels (EQF) %(levels)s.")
            % {"levels": ", ".join(str(level) for level in sorted(levels))}
        ]
    areas = [area.code for area in condition.subject_areas.all()]
    isced = fields.get("isced_code") or ""
    if areas and not any(isced.startswith(code) for code in areas):
        errors["isced_code"] = [
            _("These places are for the subject areas %(areas)s.") % {"areas": ", ".join(sorted(areas))}
        ]
    requirements = list(condition.languages.all())
    if requirements:
        language = (fields.get("language") or "").strip().lower()
        level = fields.get("cefr_level") or ""
        met = [
            r
            for r in requirements
            if r.language.lower() == language and level and CEFR_ORDER[level] >= CEFR_ORDER[r.cefr_level]
        ]
        if not met:
            wanted = _(" or ").join(f"{r.language} {r.cefr_level}" for r in requirements)
            errors["cefr_level"] = [
                _("These places require %(languages)s (language and at least that level, CEFR).")
                % {"languages": wanted}
            ]
    if errors:
        raise ValidationError(errors)


# --- their nominations to us ------------------------------------------------------------------------------


def _person(*, family_name: str, given_name: str, birth_date: Any, nationality: Any, email: str) -> Any:
    """The incoming student's person record (kind "international student", purpose "exchange"): a new one,
    or the international student already on record with the same name, birth date and nationality."""
    from meridian.people.choices import PersonKind
    from meridian.people.models import Purpose
    from meridian.people.services import person_create

    fields = {
        "kind": PersonKind.INTERNATIONAL_STUDENT,
        "family_name": family_name,
        "given_name": given_name,
        "birth_date": birth_date,
        "nationality": nationality,
        "email": email,
    }
    purposes = list(Purpose.objects.filter(code=EXCHANGE_PURPOSE))
    try:
        # The portal's own permission check stands for the people check: the record is made by the system.
        return person_create(actor=None, purposes=purposes, **fields)
    except DuplicateError as exc:
        existing = exc.existing
        if getattr(existing, "kind", "") == PersonKind.INTERNATIONAL_STUDENT:
            return existing
        return person_create(actor=None, purposes=purposes, allow_duplicate=True, **fields)


def _nominated_already(who: Q, *, partner_id: int, year: int, semester: str) -> bool:
    """Whether the partner's incoming mobility matching ``who`` (a person or an e-mail address) holds a place
    in an overlapping period: the same academic year and semester, or a full year against either semester."""
    full_year = semester == Semester.FULL_YEAR
    overlapping = Q() if full_year else Q(semester__in=[semester, Semester.FULL_YEAR])
    return (
        Mobility.objects.filter(
            who, overlapping, partner_id=partner_id, direction=Direction.INCOMING, academic_year=year
        )
        .exclude(state__in=RELEASED_STATES)
        .exists()
    )


def partner_nomination_create(
    *,
    actor: Any,
    condition: CooperationCondition,
    academic_year: int | None,
    semester: str,
    mobility_type: str,
    family_name: str,
    given_name: str,
    email: str,
    birth_date: datetime.date,
    nationality: Any,
    home_programme: str,
    eqf_level: int,
    isced_code: str = "",
    language: str = "",
    cefr_level: str = "",
) -> Mobility:
    """A partner coordinator nominates one of their students to us under the incoming ``condition``; returns
    the new incoming ``Mobility`` (state "nominated", no account yet: the office invites the student).

    Checks, in order: the actor is a coordinator of the condition's partner; the condition is incoming and its
    agreement active; the academic year (``condition_year``); the nomination deadline for the semester
    (``nomination_deadline``, compared with ``casework.today()``); the student fits the condition
    (``_check_fit``); a place is left (``places`` persons per academic year, counted by ``places_used`` under
    a row lock on the condition); the student (same e-mail address, or same person record) is not nominated
    by the partner for an overlapping period already (``_nominated_already``). The student's person record is
    made with ``people.services.person_create`` (kind international student). Our school is the condition's
    unit, else the agreement's responsible unit. The office is notified.

    Raises ``PermissionDeniedError``, ``ValidationError`` (per field: year, type, level, subject, language,
    the person's fields) and ``PartnerNominationError`` (a ``DomainError``: deadline passed, no place left,
    already nominated, agreement not active). Nothing is stored when it raises.
    """
    if not permissions.acts_for_partner(actor, condition.partner_id):
        raise PermissionDeniedError(_("Only the partner's coordinators nominate students."))
    if condition.direction != Direction.INCOMING:
        raise PartnerNominationError(_("These are places for our students; nominate under incoming places."))
    if mobility_type not in STUDENT_MOBILITY_TYPES:
        raise ValidationError({"mobility_type": _("Choose a mobility type from the list.")})
    if semester not in Semester.values:
        raise ValidationError({"semester": _("Choose a semester from the list.")})
    with transaction.atomic():
        locked = (
            CooperationCondition.objects.select_for_update(of=("self",))
            .select_related("agreement")
            .get(pk=condition.pk)
        )
        if locked.agreement.state != AgreementState.ACTIVE:
            raise PartnerNominationError(_("The agreement of these places is not in force."))
        year = condition_year(locked, academic_year)
        deadline = nomination_deadline(condition=locked, academic_year=year, semester=semester)
        if deadline is not None and today() > deadline:
            raise PartnerNominationError(
                _("The nomination deadline for the %(semester)s of %(year)s was %(date)s.")
                % {
                    "semester": Semester(semester).label,
                    "year": academic_year_label(year),
                    "date": deadline.isoformat(),
                }
            )
        _check_fit(
            locked,
            {
                "mobility_type": mobility_type,
                "eqf_level": eqf_level,
                "isced_code": isced_code,
                "language": language,
                "cefr_level": cefr_level,
            },
        )
        used = places_used(condition=locked, academic_year=year)
        if used >= locked.places:
            raise PartnerNominationError(
                _("All %(places)s places of these conditions for %(year)s are taken.")
                % {"places": locked.places, "year": academic_year_label(year)}
            )
        address = email.strip().lower()
        if _nominated_already(
            Q(student_email__iexact=address), partner_id=locked.partner_id, year=year, semester=semester
        ):
            raise PartnerNominationError(
                _(
                    "A student with the e-mail address %(email)s is nominated for %(semester)s %(year)s "
                    "already."
                )
                % {"email": address, "semester": Semester(semester).label, "year": academic_year_label(year)}
            )
        person = _person(
            family_name=family_name,
            given_name=given_name,
            birth_date=birth_date,
            nationality=nationality,
            email=email,
        )
        if _nominated_already(Q(person=person), partner_id=locked.partner_id, year=year, semester=semester):
            raise PartnerNominationError(_("This student is nominated for this period already."))
        now = timezone.now()
        mobility = Mobility(
            direction=Direction.INCOMING,
            partner_id=locked.partner_id,
            agreement=locked.agreement,
            condition=locked,
            person=person,
            home_unit_id=locked.home_unit_id or locked.agreement.responsible_unit_id,
            mobility_type=mobility_type,
            academic_year=year,
            semester=semester,
            student_email=email.strip().lower(),
            home_programme=home_programme.strip(),
            eqf_level=eqf_level,
            isced_code=isced_code,
            language=language.strip().lower(),
            cefr_level=cefr_level,
            state=MobilityState.NOMINATED,
            state_changed_at=now,
            nominated_at=now,
            nominated_by=actor,
            created_by=actor,
        )
        mobility_save_numbered(mobility)
        partner = locked.partner
        activity_record(
            target=mobility,
            verb="nominated",
            actor=actor,
            message=lambda: (
                _("%(number)s: nominated by %(partner)s") % {"number": mobility.number, "partner": partner}
            ),
        )
        notify(
            recipients=office_users(),
            subject=lambda: (
                _("%(partner)s nominated a student: %(number)s")
                % {"partner": partner, "number": mobility.number}
            ),
            body=lambda: (
                _("%(name)s, %(year)s, %(semester)s. Invite the student to complete the application.")
                % {
                    "name": person.latin_name,
                    "year": academic_year_label(year),
                    "semester": Semester(semester).label,
                }
            ),
            url=_url("mobility:mobility_detail", mobility.pk),
            verb="mobility.partner_nominated",
            target=mobility,
        )
    return mobility
