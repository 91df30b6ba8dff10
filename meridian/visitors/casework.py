"""Visits as cases of the workflow engine.

The visit lifecycle (外宾接待 as universities run it; design note, "Visitors and invitations"):

    draft → under approval (chain: host unit → International Office → a university leader for official
      delegations or escalated visits) → approved → invitation issued → visa confirmed → arrived → hosted
      → closed
    the chain may return a visit to draft or reject it; a visit may be cancelled until the guests arrive.

- ``submit`` needs a guest (and one head for a delegation), the programme, the budget and the rule pack passed
  (no blocking rule failing; a written justification for every rule that asks for one);
- visits without a visa invitation go from approved straight to arrived;
- ``issue_invitation`` needs the guests' data entered and locked by the office (the invitation package checks
  passport validity, itinerary and CV against the rules);
- ``arrive`` opens the accommodation-registration obligations of the guests (``services.arrivals``);
- ``close`` needs the visit note (outcomes, follow-up) submitted.

Side effects that belong to other modules are looked up lazily from ``services`` so this module stays the
single declaration.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.visitors.choices import InvitationKind, VisitCategory, VisitState
from meridian.workflow.declaration import (
    ApprovalHooks,
    CaseField,
    CaseType,
    EvaluationDate,
    Guard,
    MoveContext,
    Transition,
)
from meridian.workflow.registry import case_types

S = VisitState
VISIT = "visit"

# The day date guards compare with; background jobs, the demo and tests set another with evaluation_date(day).
_dates = EvaluationDate("visitors")
evaluation_date = _dates.at
today = _dates.today


# --- who may act ---------------------------------------------------------------------------------------


def office(user: Any, case: Any) -> bool:
    """International Office officers and administrators."""
    from meridian.visitors.permissions import is_office

    return is_office(user)


def host_or_unit(user: Any, visit: Any) -> bool:
    """The host, whoever filed the visit, a secretary of the host unit, or the office."""
    from meridian.visitors.permissions import acts_for_unit, is_host

    if is_host(user, visit):
        return True
    if getattr(user, "is_authenticated", False) and visit.created_by_id == user.pk:
        return True
    return acts_for_unit(user, visit.host_unit_id)


# --- guards --------------------------------------------------------------------------------------------


def _has_guests(visit: Any) -> bool:
    return visit.guests.exists()


def _head_if_delegation(visit: Any) -> bool:
    heads = visit.guests.filter(is_head=True).count()
    return heads == 1 if visit.guests.count() > 1 else heads <= 1


def _has_programme(visit: Any) -> bool:
    return visit.programme.exists()


def _has_budget(visit: Any) -> bool:
    return visit.budget_lines.exists()


def _not_begun(visit: Any) -> bool:
    """The visit's first day has not passed (approval on the day the guests arrive is still possible)."""
    return visit.arrive_on >= today()


def _begun_reason(visit: Any) -> str:
    return _("The visit began on %(date)s: approval after the guests have arrived is not possible.") % {
        "date": visit.arrive_on.isoformat()
    }


def rule_failures(visit: Any) -> list[str]:
    """Messages of the rules that stop the visit now: blocking failures, and failures that need a written
    justification which is still missing. Evaluated against the current rule set (``visitors.rules``)."""
    from meridian.visitors.rules import blocking_messages

    return blocking_messages(visit)


def _rules_pass(visit: Any) -> bool:
    return not rule_failures(visit)


def _rules_reason(visit: Any) -> str:
    return " ".join(rule_failures(visit))


def _needs_invitation(visit: Any) -> bool:
    return visit.invitation_kind != InvitationKind.NONE


def _no_invitation(visit: Any) -> bool:
    return visit.invitation_kind == InvitationKind.NONE


def _guest_data_locked(visit: Any) -> bool:
    return not visit.guests.filter(locked_at__isnull=True).exists()


# Guests sometimes come a little early: their arrival may be recorded this many days before the planned date.
EARLY_ARRIVAL_DAYS = 3


def _has_arrival_date(visit: Any) -> bool:
    return visit.arrive_on <= today() + timedelta(days=EARLY_ARRIVAL_DAYS)


def _arrival_reason(visit: Any) -> str:
    return _(
        "The guests are expected on %(date)s: an arrival can be recorded at most %(days)s days earlier."
    ) % {"date": visit.arrive_on.isoformat(), "days": EARLY_ARRIVAL_DAYS}


def _registrations_done(visit: Any) -> bool:
    """No guest's accommodation registration with the police is still open."""
    from meridian.visitors.choices import RegistrationState
    from meridian.visitors.models import AccommodationRegistration

    return not AccommodationRegistration.objects.filter(
        guest__visit=visit, state=RegistrationState.OPEN
    ).exists()


def _note_submitted(visit: Any) -> bool:
    return visit.note_submitted_at is not None


def _arrive_guard_for_invitation(visit: Any) -> bool:
    """A visit that needs a visa invitation arrives only after the visas are confirmed (``arrive`` from
    ``approved`` is for visits without one)."""
    return visit.state != S.APPROVED or _no_invitation(visit)


# --- side effects --------------------------------------------------------------------------------------


def _store_rule_check(ctx: MoveContext) -> None:
    """Keep, on the visit, the rule results it was submitted with (and their rule-set version)."""
    from meridian.visitors.rules import visit_check

    visit_check(visit=ctx.case, save=True)


def _record_invitation(ctx: MoveContext) -> None:
    from meridian.visitors.services.invitations import invitation_record_issue

    invitation_record_issue(visit=ctx.case, actor=ctx.actor)


def _record_visa(ctx: MoveContext) -> None:
    if ctx.case.visa_confirmed_on is None:
        ctx.case.visa_confirmed_on = today()
        ctx.case.save(update_fields=["visa_confirmed_on"])


def _record_arrival(ctx: MoveContext) -> None:
    """Record the arrival (today unless already recorded per guest) and open the guests' accommodation
    registrations."""
    from meridian.visitors.services.arrivals import visit_arrival_record

    visit_arrival_record(visit=ctx.case, actor=ctx.actor)


def _record_departure(ctx: MoveContext) -> None:
    if ctx.case.left_on is None:
        ctx.case.left_on = today()
        ctx.case.save(update_fields=["left_on"])


# --- documented fields (chain conditions, rule conditions) ---------------------------------------------


def _guests(visit: Any) -> int:
    return visit.guests.count()


def _budget_total(visit: Any) -> Decimal:
    return sum((line.amount for line in visit.budget_lines.all()), Decimal(0))


def _official(visit: Any) -> bool:
    return visit.category == VisitCategory.OFFICIAL_DELEGATION


def _needs_leader(visit: Any) -> bool:
    return _official(visit) or bool(visit.escalated)


def _visible_visits(user: Any, queryset: Any) -> Any:
    return queryset.visible_to(user)


def _visit_watchers(visit: Any) -> list[Any]:
    watchers = []
    if visit.created_by_id and visit.created_by_id != visit.host_id:
        watchers.append(visit.created_by)
    return watchers


VISIT_TRANSITIONS = [
    Transition(
        name="submit",
        label=gettext_lazy("Submit for approval"),
        sources={S.DRAFT},
        target=S.UNDER_REVIEW,
        allowed=host_or_unit,
        guards=[
            Guard(_has_guests, gettext_lazy("Add the guests.")),
            Guard(_head_if_delegation, gettext_lazy("Name exactly one head of the delegation.")),
            Guard(_has_programme, gettext_lazy("Add the day-by-day programme.")),
            Guard(_has_budget, gettext_lazy("Add the budget.")),
            Guard(_not_begun, _begun_reason),
            Guard(_rules_pass, _rules_reason),
        ],
        starts_approval=True,
        effects=[_store_rule_check],
        style="primary",
    ),
    Transition(
        name="return",
        label=gettext_lazy("Return for correction"),
        sources={S.UNDER_REVIEW},
        target=S.DRAFT,
        allowed=office,
        comment_required=True,
        style="danger",
    ),
    Transition(
        name="approve",
        label=gettext_lazy("Approve"),
        sources={S.UNDER_REVIEW},
        target=S.APPROVED,
        allowed=office,
        style="primary",
    ),
    Transition(
        name="reject",
        label=gettext_lazy("Reject"),
        sources={S.UNDER_REVIEW},
        target=S.REJECTED,
        allowed=office,
        comment_required=True,
        style="danger",
    ),
    Transition(
        name="issue_invitation",
        label=gettext_lazy("Issue the invitation"),
        sources={S.APPROVED},
        target=S.INVITATION_ISSUED,
        allowed=office,
        guards=[
            Guard(_needs_invitation, gettext_lazy("This visit needs no visa invitation.")),
            Guard(
                _guest_data_locked,
                gettext_lazy("Every guest's data must be entered and locked by the office first."),
            ),
            Guard(_rules_pass, _rules_reason),
        ],
        effects=[_record_invitation],
        style="primary",
    ),
    Transition(
        name="confirm_visa",
        label=gettext_lazy("Record that the visas are granted"),
        sources={S.INVITATION_ISSUED},
        target=S.VISA_CONFIRMED,
        allowed=host_or_unit,
        effects=[_record_visa],
        style="primary",
    ),
    Transition(
        name="arrive",
        label=gettext_lazy("Record the arrival"),
        sources={S.APPROVED, S.VISA_CONFIRMED},
        target=S.ARRIVED,
        allowed=host_or_unit,
        guards=[
            Guard(_has_arrival_date, _arrival_reason),
            Guard(
                _arrive_guard_for_invitation,
                gettext_lazy("Issue the invitation and record the visas first."),
            ),
        ],
        effects=[_record_arrival],
        style="primary",
    ),
    Transition(
        name="finish",
        label=gettext_lazy("Record the guests' departure"),
        sources={S.ARRIVED},
        target=S.HOSTED,
        allowed=host_or_unit,
        effects=[_record_departure],
        style="primary",
    ),
    Transition(
        name="close",
        label=gettext_lazy("Close the visit"),
        sources={S.HOSTED},
        target=S.CLOSED,
        allowed=host_or_unit,
        guards=[
            Guard(_note_submitted, gettext_lazy("Write the visit note (outcomes and follow-up) first.")),
            Guard(
                _registrations_done,
                gettext_lazy(
                    "A guest's accommodation registration with the police is still open: record it (or "
                    "waive it with a reason) first."
                ),
            ),
        ],
        style="primary",
    ),
    Transition(
        name="cancel",
        label=gettext_lazy("Cancel the visit"),
        sources={S.DRAFT, S.UNDER_REVIEW, S.APPROVED, S.INVITATION_ISSUED, S.VISA_CONFIRMED},
        target=S.CANCELLED,
        allowed=host_or_unit,
        comment_required=True,
        style="danger",
    ),
]


VISIT_TYPE = CaseType(
    code=VISIT,
    model="visitors.Visit",
    label=gettext_lazy("Visit"),
    label_plural=gettext_lazy("Visits"),
    states=VisitState,
    initial=S.DRAFT,
    state_field="state",
    state_changed_field="state_changed_at",
    terminal={S.CLOSED, S.REJECTED, S.CANCELLED},
    transitions=VISIT_TRANSITIONS,
    approval=ApprovalHooks(
        review_state=S.UNDER_REVIEW, approved="approve", returned="return", rejected="reject"
    ),
    fields=[
        CaseField("days", gettext_lazy("Days hosted (arrival and departure days counted)"), kind="int"),
        CaseField("guests", gettext_lazy("Number of guests"), kind="int", get=_guests),
        CaseField(
            "category",
            gettext_lazy("Category"),
            kind="str",
            hint=(
                "general, returning_expert, official_delegation, visiting_scholar, negotiation, "
                "conference_guest"
            ),
        ),
        CaseField("official", gettext_lazy("Official or government delegation"), kind="bool", get=_official),
        CaseField("escalated", gettext_lazy("Referred to a university leader"), kind="bool"),
        CaseField(
            "needs_leader",
            gettext_lazy("Needs a university leader's approval (official delegation or referred)"),
            kind="bool",
            get=_needs_leader,
        ),
        CaseField(
            "invitation_kind",
            gettext_lazy("Visa invitation"),
            kind="str",
            hint="none, letter, authorised, verification",
        ),
        CaseField("budget_total", gettext_lazy("Budget in CNY"), kind="decimal", get=_budget_total),
        CaseField("arrive_on", gettext_lazy("Arrival date"), kind="date"),
        CaseField("depart_on", gettext_lazy("Departure date"), kind="date"),
    ],
    unit=lambda visit: visit.host_unit,
    applicant_field="host",
    unit_field="host_unit",
    partner_field="guest_partner",
    visible=_visible_visits,
    title=lambda visit: f"{visit.number} {visit.title}",
    watchers=_visit_watchers,
    date_field="arrive_on",
)
case_types.register(VISIT_TYPE)
