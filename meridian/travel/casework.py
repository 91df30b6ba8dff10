"""Official trips, their change requests and long stays as cases of the workflow engine.

The trip lifecycle (因公临时出国(境) procedure as universities apply it; design note, "Official travel"):

    draft → publicity (公示, N working days) → under approval (chain) → approved → externally approved (批件)
      → travelling → returned → closed
    the chain may return a trip to draft or reject it; a trip may be cancelled until it departs.

- ``start_publicity`` needs the rule pack passed (no blocking rule failing; a written justification for every
  rule that asks for one) and the documents the rules want (the invitation letter);
- ``submit`` needs the before-trip notice to have run its working days with no objection upheld, and a trip
  that has not begun (approval after the fact is refused);
- ``approve`` freezes what was approved (``Trip.approved_snapshot``); later changes go through a change
  request (``TripChange``), whose own short lifecycle routes only the difference for re-approval;
- ``close`` needs the trip report accepted, every passport or permit issued for the trip back in custody, and
  the after-return notice run.

Stays over 90 days (``LongStay``) follow their own track: selected → agreement signed → departed → registered
with the embassy → returned → summary accepted.

Side effects that belong to other modules (publishing notices, opening clocks) are looked up lazily from
``services`` so this module stays the single declaration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.accounts.permissions import can_write_university
from meridian.travel.choices import (
    ChangeState,
    FundingSource,
    LongStayState,
    NoticePhase,
    NoticeState,
    ReportState,
    TripFileKind,
    TripState,
)
from meridian.workflow.declaration import (
    ApprovalHooks,
    CaseField,
    CaseType,
    EvaluationDate,
    Guard,
    MoveContext,
    RequiredDocument,
    Transition,
)
from meridian.workflow.registry import case_types

if TYPE_CHECKING:
    from meridian.travel.models import LongStayQuerySet

S = TripState
TRIP = "trip"
TRIP_CHANGE = "trip_change"
LONG_STAY = "long_stay"

# The day date guards compare with; background jobs, the demo and tests set another with evaluation_date(day).
_dates = EvaluationDate("travel")
evaluation_date = _dates.at
today = _dates.today


# --- who may act -----------------------------------------------------------------------------------------


def office(user: Any, case: Any) -> bool:
    """International Office officers and administrators."""
    return can_write_university(user)


def applicant_or_unit(user: Any, case: Any) -> bool:
    """The applicant, a coordinator (foreign-affairs secretary) of the case's unit, or the office."""
    from meridian.travel.permissions import acts_for_unit

    if getattr(user, "is_authenticated", False) and getattr(case, "applicant_id", None) == user.pk:
        return True
    return acts_for_unit(user, case.unit_id)


def traveller_or_unit(user: Any, stay: Any) -> bool:
    """The scholar on a long stay, their unit's coordinators, or the office."""
    from meridian.travel.permissions import acts_for_unit

    if getattr(user, "is_authenticated", False) and stay.user_id == user.pk:
        return True
    return acts_for_unit(user, stay.unit_id)


# --- trip guards -----------------------------------------------------------------------------------------


def _has_one_leader(trip: Any) -> bool:
    from meridian.travel.choices import MemberRole

    return trip.members.filter(role=MemberRole.LEADER).count() == 1


def _has_itinerary(trip: Any) -> bool:
    return trip.itinerary.exists()


def _has_budget(trip: Any) -> bool:
    return trip.budget_lines.exists()


def _has_file(kind: str):
    def present(trip: Any) -> bool:
        return trip.files.filter(kind=kind).exists()

    return present


def _rules_pass(trip: Any) -> bool:
    return not rule_failures(trip)


def rule_failures(trip: Any) -> list[str]:
    """Messages of the rules that stop the trip now: blocking failures, and failures that need a written
    justification which is still missing. Evaluated against the current rule set (``travel.rules``)."""
    from meridian.travel.rules import blocking_messages

    return blocking_messages(trip)


def _rules_reason(trip: Any) -> str:
    return " ".join(rule_failures(trip))


def _not_begun(trip: Any) -> bool:
    return trip.depart_on > today()


def _begun_reason(trip: Any) -> str:
    return _("The trip begins on %(date)s: approval after the trip has begun is not possible.") % {
        "date": trip.depart_on.isoformat()
    }


def _notice_done(trip: Any) -> bool:
    return _completed_notice(trip, NoticePhase.BEFORE) and not _changed_since_notice(trip)


def _completed_notice(trip: Any, phase: str) -> bool:
    notices = trip.notices.filter(phase=phase, state=NoticeState.COMPLETED)
    return notices.exclude(objections__upheld=True).exists()


def _changed_since_notice(trip: Any) -> bool:
    """The trip as it stands no longer reads as its latest completed before-trip notice said (people, units,
    destinations, dates, task, inviter, itinerary or budget changed after a return for correction): the
    publicity must run again on what is actually submitted."""
    from meridian.travel.services.publicity import notice_texts

    notice = (
        trip.notices.filter(phase=NoticePhase.BEFORE, state=NoticeState.COMPLETED)
        .exclude(objections__upheld=True)
        .order_by("-starts_on", "-id")
        .first()
    )
    if notice is None:
        return False
    english, _chinese = notice_texts(
        trip, notice.phase, notice.starts_on, notice.ends_on, notice.working_days
    )
    return english != notice.text


def _notice_reason(trip: Any) -> str:
    if _completed_notice(trip, NoticePhase.BEFORE) and _changed_since_notice(trip):
        return _(
            "The trip was changed after its publicity notice ran: publish a new notice on what is submitted."
        )
    upheld = trip.notices.filter(
        phase=NoticePhase.BEFORE, state=NoticeState.COMPLETED, objections__upheld=True
    ).exists()
    if upheld:
        return _(
            "An objection to the publicity notice was upheld: correct the trip and publish a new notice."
        )
    running = trip.notices.filter(phase=NoticePhase.BEFORE, state=NoticeState.RUNNING).first()
    if running is not None:
        return _("The publicity notice runs until %(date)s; the trip can be submitted after it has run.") % {
            "date": running.ends_on.isoformat()
        }
    return _(
        "Publish the publicity notice first; the trip can be submitted once it has run without objection."
    )


def _has_departed_date(trip: Any) -> bool:
    return trip.depart_on <= today()


def _departs_reason(trip: Any) -> str:
    return _("The trip departs on %(date)s.") % {"date": trip.depart_on.isoformat()}


def _report_accepted(trip: Any) -> bool:
    report = getattr(trip, "report", None)
    try:
        return report is not None and report.state == ReportState.ACCEPTED
    except Exception:  # noqa: BLE001 - a missing one-to-one raises
        return False


def _passports_back(trip: Any) -> bool:
    from meridian.travel.choices import CustodyState

    return not trip.custody_items.filter(state=CustodyState.ISSUED).exists()


def _after_notice_done(trip: Any) -> bool:
    return _completed_notice(trip, NoticePhase.AFTER)


# --- trip side effects -----------------------------------------------------------------------------------


def _store_rule_check(ctx: MoveContext) -> None:
    """Keep, on the trip, the rule results it was published or submitted with (and their rule-set version)."""
    from meridian.travel.rules import trip_check

    trip_check(trip=ctx.case, save=True)


def _publish_before(ctx: MoveContext) -> None:
    from meridian.travel.services.publicity import notice_publish

    notice_publish(trip=ctx.case, phase=NoticePhase.BEFORE, actor=ctx.actor)


def _withdraw_notice(ctx: MoveContext) -> None:
    from meridian.travel.services.publicity import notice_withdraw_running

    notice_withdraw_running(trip=ctx.case, actor=ctx.actor)


def _freeze_approved(ctx: MoveContext) -> None:
    from meridian.travel.services.trips import trip_snapshot

    ctx.case.approved_snapshot = trip_snapshot(ctx.case)
    ctx.case.save(update_fields=["approved_snapshot"])


def _note_departure(ctx: MoveContext) -> None:
    if ctx.case.departed_on is None:
        ctx.case.departed_on = today()
        ctx.case.save(update_fields=["departed_on"])


def _note_return(ctx: MoveContext) -> None:
    """Record the return date and open what follows a return: the report (pre-filled) and the after-return
    publicity; passport and report clocks follow from the data (``deadlines``)."""
    from meridian.travel.services.reports import report_prepare

    if ctx.case.returned_on is None:
        ctx.case.returned_on = today()
        ctx.case.save(update_fields=["returned_on"])
    report_prepare(trip=ctx.case, actor=ctx.actor)


# --- documented fields (chain conditions, rule conditions) ------------------------------------------------


def _members(trip: Any) -> int:
    return trip.members.count()


def _countries(trip: Any) -> int:
    return trip.itinerary.values("country").distinct().count()


def _research_funds(trip: Any) -> bool:
    return trip.funding_source == FundingSource.RESEARCH_FUNDS


def _any_student(trip: Any) -> bool:
    from meridian.people.choices import PersonKind

    return trip.members.filter(person__kind=PersonKind.STUDENT).exists()


def _budget_total(trip: Any) -> Decimal:
    total = Decimal(0)
    for line in trip.budget_lines.all():
        if line.currency == "CNY":
            total += line.amount
    return total


def _in_plan(trip: Any) -> bool:
    return trip.plan_line_id is not None


def _visible_trips(user: Any, queryset: Any) -> Any:
    return queryset.visible_to(user)


def _trip_watchers(trip: Any) -> list[Any]:
    return [trip.created_by] if trip.created_by_id and trip.created_by_id != trip.applicant_id else []


TRIP_TRANSITIONS = [
    Transition(
        name="start_publicity",
        label=gettext_lazy("Publish the publicity notice"),
        sources={S.DRAFT},
        target=S.PUBLICITY,
        allowed=applicant_or_unit,
        guards=[
            Guard(_has_one_leader, gettext_lazy("Name exactly one leader of the delegation.")),
            Guard(_has_itinerary, gettext_lazy("Add the day-by-day itinerary.")),
            Guard(_has_budget, gettext_lazy("Add the budget.")),
            Guard(_not_begun, _begun_reason),
            Guard(_rules_pass, _rules_reason),
        ],
        required_documents=[
            RequiredDocument(gettext_lazy("Invitation letter"), _has_file(TripFileKind.INVITATION)),
        ],
        effects=[_store_rule_check, _publish_before],
        style="primary",
    ),
    Transition(
        name="withdraw_publicity",
        label=gettext_lazy("Withdraw the notice and edit"),
        sources={S.PUBLICITY},
        target=S.DRAFT,
        allowed=applicant_or_unit,
        effects=[_withdraw_notice],
    ),
    Transition(
        name="submit",
        label=gettext_lazy("Submit for approval"),
        sources={S.PUBLICITY, S.DRAFT},
        target=S.UNDER_REVIEW,
        allowed=applicant_or_unit,
        guards=[
            Guard(_notice_done, _notice_reason),
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
        guards=[Guard(_not_begun, _begun_reason)],
        effects=[_freeze_approved],
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
        name="authorise",
        label=gettext_lazy("Record the external approval"),
        sources={S.APPROVED},
        target=S.AUTHORISED,
        allowed=office,
        guards=[
            Guard(
                lambda trip: hasattr(trip, "external_approval"),
                gettext_lazy("Record the approval document's number, date and scan first."),
            )
        ],
        style="primary",
    ),
    Transition(
        name="depart",
        label=gettext_lazy("Mark as departed"),
        sources={S.AUTHORISED},
        target=S.ABROAD,
        allowed=applicant_or_unit,
        guards=[Guard(_has_departed_date, _departs_reason)],
        effects=[_note_departure],
    ),
    Transition(
        name="come_back",
        label=gettext_lazy("Mark as returned"),
        sources={S.ABROAD},
        target=S.RETURNED,
        allowed=applicant_or_unit,
        effects=[_note_return],
        style="primary",
    ),
    Transition(
        name="close",
        label=gettext_lazy("Close the trip"),
        sources={S.RETURNED},
        target=S.CLOSED,
        allowed=office,
        guards=[
            Guard(_report_accepted, gettext_lazy("The trip report has not been accepted yet.")),
            Guard(_passports_back, gettext_lazy("A passport or permit issued for the trip is not back yet.")),
            Guard(_after_notice_done, gettext_lazy("The after-return publicity notice has not run yet.")),
        ],
        style="primary",
    ),
    Transition(
        name="cancel",
        label=gettext_lazy("Cancel the trip"),
        sources={S.DRAFT, S.PUBLICITY, S.UNDER_REVIEW, S.APPROVED, S.AUTHORISED},
        target=S.CANCELLED,
        allowed=applicant_or_unit,
        comment_required=True,
        effects=[_withdraw_notice],
        style="danger",
    ),
]

TRIP_TYPE = CaseType(
    code=TRIP,
    model="travel.Trip",
    label=gettext_lazy("Official trip"),
    label_plural=gettext_lazy("Official trips"),
    states=TripState,
    initial=S.DRAFT,
    state_field="state",
    state_changed_field="state_changed_at",
    terminal={S.CLOSED, S.REJECTED, S.CANCELLED},
    transitions=TRIP_TRANSITIONS,
    approval=ApprovalHooks(
        review_state=S.UNDER_REVIEW, approved="approve", returned="return", rejected="reject"
    ),
    fields=[
        CaseField("days", gettext_lazy("Days away (departure and arrival days counted)"), kind="int"),
        CaseField("members", gettext_lazy("Number of travellers"), kind="int", get=_members),
        CaseField(
            "countries", gettext_lazy("Number of countries (transits count)"), kind="int", get=_countries
        ),
        CaseField("region", gettext_lazy("Region"), kind="str", hint="abroad, hk_macao, taiwan"),
        CaseField(
            "delegation_kind", gettext_lazy("Kind of delegation"), kind="str", hint="administrative, academic"
        ),
        CaseField(
            "purpose",
            gettext_lazy("Purpose"),
            kind="str",
            hint=(
                "academic_exchange, conference, lecture, research, training, negotiation, "
                "administrative_visit, student_programme"
            ),
        ),
        CaseField(
            "funding_source",
            gettext_lazy("Funding source"),
            kind="str",
            hint="unit_budget, research_funds, university, inviter, government_scholarship, other",
        ),
        CaseField(
            "research_funds", gettext_lazy("Paid from research funds"), kind="bool", get=_research_funds
        ),
        CaseField("any_student", gettext_lazy("A student travels"), kind="bool", get=_any_student),
        CaseField("budget_total", gettext_lazy("Budget in CNY"), kind="decimal", get=_budget_total),
        CaseField("in_plan", gettext_lazy("Matched to a plan line"), kind="bool", get=_in_plan),
        CaseField("depart_on", gettext_lazy("Departure date"), kind="date"),
        CaseField("return_on", gettext_lazy("Return date"), kind="date"),
    ],
    unit=lambda trip: trip.unit,
    applicant_field="applicant",
    unit_field="unit",
    partner_field="partners",
    visible=_visible_trips,
    title=lambda trip: f"{trip.number} {trip.title}",
    watchers=_trip_watchers,
    date_field="depart_on",
)
case_types.register(TRIP_TYPE)


# --- change requests -------------------------------------------------------------------------------------

C = ChangeState


def _change_applicant_or_unit(user: Any, change: Any) -> bool:
    from meridian.travel.permissions import acts_for_unit

    if getattr(user, "is_authenticated", False) and change.applicant_id == user.pk:
        return True
    return acts_for_unit(user, change.trip.unit_id)


def _change_not_begun(change: Any) -> bool:
    from meridian.travel.services.changes import change_start_date

    return change_start_date(change) > today()


def _change_begun_reason(change: Any) -> str:
    return _("The changed trip would already have begun: approval after the fact is not possible.")


def _change_has_difference(change: Any) -> bool:
    from meridian.travel.services.changes import change_difference

    return bool(change_difference(change))


def _apply_change(ctx: MoveContext) -> None:
    from meridian.travel.services.changes import change_apply

    change_apply(change=ctx.case, actor=ctx.actor)


def _change_days(change: Any) -> int:
    from meridian.travel.services.changes import change_days

    return change_days(change)


CHANGE_TYPE = CaseType(
    code=TRIP_CHANGE,
    model="travel.TripChange",
    label=gettext_lazy("Trip change request"),
    label_plural=gettext_lazy("Trip change requests"),
    states=ChangeState,
    initial=C.DRAFT,
    state_changed_field="state_changed_at",
    terminal={C.APPROVED, C.REJECTED, C.WITHDRAWN},
    transitions=[
        Transition(
            name="submit",
            label=gettext_lazy("Submit the change for approval"),
            sources={C.DRAFT},
            target=C.UNDER_REVIEW,
            allowed=_change_applicant_or_unit,
            guards=[
                Guard(_change_has_difference, gettext_lazy("The request changes nothing.")),
                Guard(_change_not_begun, _change_begun_reason),
            ],
            starts_approval=True,
            style="primary",
        ),
        Transition(
            name="return",
            label=gettext_lazy("Return for correction"),
            sources={C.UNDER_REVIEW},
            target=C.DRAFT,
            allowed=office,
            comment_required=True,
        ),
        Transition(
            name="approve",
            label=gettext_lazy("Approve the change"),
            sources={C.UNDER_REVIEW},
            target=C.APPROVED,
            allowed=office,
            guards=[Guard(_change_not_begun, _change_begun_reason)],
            effects=[_apply_change],
            style="primary",
        ),
        Transition(
            name="reject",
            label=gettext_lazy("Reject the change"),
            sources={C.UNDER_REVIEW},
            target=C.REJECTED,
            allowed=office,
            comment_required=True,
            style="danger",
        ),
        Transition(
            name="withdraw",
            label=gettext_lazy("Withdraw the request"),
            sources={C.DRAFT, C.UNDER_REVIEW},
            target=C.WITHDRAWN,
            allowed=_change_applicant_or_unit,
        ),
    ],
    approval=ApprovalHooks(
        review_state=C.UNDER_REVIEW, approved="approve", returned="return", rejected="reject"
    ),
    fields=[CaseField("days", gettext_lazy("Days away after the change"), kind="int", get=_change_days)],
    unit=lambda change: change.trip.unit,
    applicant_field="applicant",
    unit_field="trip__unit",
    partner_field="trip__partners",
    visible=lambda user, qs: qs.filter(trip__in=_visible_trips(user, _trip_model().objects.all())),
    title=lambda change: f"{change.number} ({change.trip.number})",
    date_field="created_at",
)
case_types.register(CHANGE_TYPE)


def _trip_model():
    from meridian.travel.models import Trip

    return Trip


# --- long stays ------------------------------------------------------------------------------------------

L = LongStayState

LONG_STAY_TYPE = CaseType(
    code=LONG_STAY,
    model="travel.LongStay",
    label=gettext_lazy("Long stay abroad"),
    label_plural=gettext_lazy("Long stays abroad"),
    states=LongStayState,
    initial=L.SELECTED,
    state_changed_field="state_changed_at",
    terminal={L.CLOSED, L.CANCELLED},
    transitions=[
        Transition(
            name="sign_agreement",
            label=gettext_lazy("Record the signed agreement"),
            sources={L.SELECTED},
            target=L.AGREEMENT_SIGNED,
            allowed=traveller_or_unit,
            inputs=("agreement_signed_on",),
            required_fields=("agreement_signed_on",),
            style="primary",
        ),
        Transition(
            name="depart",
            label=gettext_lazy("Record the departure"),
            sources={L.AGREEMENT_SIGNED},
            target=L.DEPARTED,
            allowed=traveller_or_unit,
            inputs=("departed_on",),
            required_fields=("departed_on",),
            style="primary",
        ),
        Transition(
            name="register",
            label=gettext_lazy("Record the embassy registration"),
            sources={L.DEPARTED},
            target=L.REGISTERED,
            allowed=traveller_or_unit,
            inputs=("embassy_registered_on",),
            required_fields=("embassy_registered_on",),
            style="primary",
        ),
        Transition(
            name="come_back",
            label=gettext_lazy("Record the return home"),
            sources={L.DEPARTED, L.REGISTERED},
            target=L.RETURNED,
            allowed=traveller_or_unit,
            inputs=("returned_on",),
            required_fields=("returned_on",),
            style="primary",
        ),
        Transition(
            name="accept_summary",
            label=gettext_lazy("Accept the summary"),
            sources={L.RETURNED},
            target=L.CLOSED,
            allowed=office,
            required_fields=("summary",),
            style="primary",
        ),
        Transition(
            name="cancel",
            label=gettext_lazy("Cancel"),
            sources={L.SELECTED, L.AGREEMENT_SIGNED},
            target=L.CANCELLED,
            allowed=traveller_or_unit,
            comment_required=True,
            style="danger",
        ),
    ],
    fields=[
        CaseField(
            "programme",
            gettext_lazy("Kind of programme"),
            kind="str",
            hint="government_scholarship, unit_funded, other",
        )
    ],
    unit=lambda stay: stay.unit,
    applicant_field="user",
    unit_field="unit",
    partner_field="host_partner",
    visible=lambda user, qs: cast("LongStayQuerySet", qs).visible_to(user),
    title=lambda stay: f"{stay.number} {stay.person}",
    date_field="starts_on",
)
case_types.register(LONG_STAY_TYPE)
