"""Calls, applications, mobilities and learning agreements as cases of the workflow engine: the single
declaration of their states and moves (who may act, what each move needs, what it does).

Student exchange as Chinese universities run it (design note, "Student exchange"): two calls a year; school
pre-screening; places per agreement; ranking by points; allocation by ranking and preference; internal
publicity (公示); nomination to the partner; partner acceptance; learning agreement with three parties;
departure; return; transcript; grade conversion and recognition. Incoming: the partner nominates within its
places and deadline; the student completes an application; acceptance letter; visa documents; courses;
arrival and registration; transcript.

Call:        draft → open → closed → allocated → published (publicity) → finished; cancelled.
Application: draft → submitted → pre_approved | ineligible; pre_approved → offered | waitlisted (allocation);
             offered → accepted | declined; waitlisted → offered (re-allocation); accepted → nominated;
             withdrawn by the student until nominated; returned to draft by the school.
Mobility:    outgoing: nominated ⇄ documents_requested → accepted | rejected (by the partner);
             incoming: nominated → invited → applied → accepted | rejected (by the office);
             accepted → active → returned → completed; cancelled until completed.
Learning agreement: draft → submitted (the student signs) → approved (both coordinators signed) | rejected
             (→ draft); an approved one is superseded by an approved change.

Guards and side effects that belong to the services are looked up lazily, so this module stays the single
declaration. Moves marked ``system_only`` are taken by the services themselves (allocation, expiry jobs,
signatures), never offered as buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.mobility.choices import (
    ApplicationState,
    CallState,
    Direction,
    LearningAgreementState,
    MobilityState,
)
from meridian.workflow.declaration import CaseField, CaseType, EvaluationDate, Guard, MoveContext, Transition
from meridian.workflow.registry import case_types

if TYPE_CHECKING:
    from meridian.mobility.models.applications import ApplicationQuerySet
    from meridian.mobility.models.calls import CallQuerySet
    from meridian.mobility.models.mobilities import MobilityQuerySet

CALL = "exchange_call"
APPLICATION = "exchange_application"
MOBILITY = "mobility"
LEARNING_AGREEMENT = "learning_agreement"

# The day date guards compare with; background jobs, the demo and tests set another with evaluation_date(day).
_dates = EvaluationDate("mobility")
evaluation_date = _dates.at
today = _dates.today


# --- who may act ---------------------------------------------------------------------------------------


def _call_manager(user: Any, call: Any) -> bool:
    from meridian.mobility.permissions import can_manage_call

    return can_manage_call(user, call)


def _applicant(user: Any, application: Any) -> bool:
    from meridian.mobility.permissions import is_applicant

    return is_applicant(user, application)


def _school(user: Any, application: Any) -> bool:
    from meridian.mobility.permissions import can_pre_approve

    return can_pre_approve(user, application)


def _office(user: Any, case: Any) -> bool:
    from meridian.mobility.permissions import is_office

    return is_office(user)


def _our_side(user: Any, mobility: Any) -> bool:
    from meridian.mobility.permissions import can_handle_mobility

    return can_handle_mobility(user, mobility)


def _partner(user: Any, mobility: Any) -> bool:
    from meridian.mobility.permissions import can_decide_for_partner

    return can_decide_for_partner(user, mobility)


def _decider(user: Any, mobility: Any) -> bool:
    """Who decides on a nomination: the partner for ours (outgoing), our side for theirs (incoming)."""
    return _partner(user, mobility) if mobility.is_outgoing else _our_side(user, mobility)


def _mobility_student(user: Any, mobility: Any) -> bool:
    return getattr(user, "is_authenticated", False) and mobility.student_id == user.pk


def _la_student(user: Any, la: Any) -> bool:
    return _mobility_student(user, la.mobility)


def _la_coordinator(user: Any, la: Any) -> bool:
    from meridian.mobility.permissions import la_party

    return la_party(user, la) in {"sending", "receiving"}


def _la_reopen(user: Any, la: Any) -> bool:
    return _la_student(user, la) or _our_side(user, la.mobility)


# --- call guards ---------------------------------------------------------------------------------------


def call_problems(call: Any) -> list[str]:
    """What stops ``call`` from opening (``services.calls.call_problems``)."""
    from meridian.mobility.services.calls import call_problems as problems

    return problems(call)


def _call_ready(call: Any) -> bool:
    return not call_problems(call)


def _call_ready_reason(call: Any) -> str:
    return " ".join(call_problems(call))


def _publicity_over(call: Any) -> bool:
    return call.publicity_ends_on is not None and call.publicity_ends_on < today()


def _publicity_reason(call: Any) -> str:
    if call.publicity_ends_on is None:
        return _("Publish the results first.")
    return _("The publicity period ends on %(date)s.") % {"date": call.publicity_ends_on.isoformat()}


def _record_opening(ctx: MoveContext) -> None:
    if ctx.case.published_at is None:
        ctx.case.published_at = timezone.now()
        ctx.case.save(update_fields=["published_at"])


def _record_publication(ctx: MoveContext) -> None:
    from meridian.mobility.services.allocation import results_publish

    results_publish(call=ctx.case, actor=ctx.actor)


# --- application guards ----------------------------------------------------------------------------------


def application_missing(application: Any) -> list[str]:
    """The student's to-do list: what the application still lacks (``services.applications``)."""
    from meridian.mobility.services.applications import application_missing as missing

    return missing(application)


def _complete(application: Any) -> bool:
    return not application_missing(application)


def _complete_reason(application: Any) -> str:
    return " ".join(application_missing(application))


def _call_open(application: Any) -> bool:
    call = application.call
    now = timezone.now()
    return call.state == CallState.OPEN and call.opens_at <= now <= call.closes_at


def _call_open_reason(application: Any) -> str:
    return _("Applications to this call closed on %(date)s.") % {
        "date": timezone.localtime(application.call.closes_at).strftime("%Y-%m-%d %H:%M")
    }


def _no_place_elsewhere(application: Any) -> bool:
    """The student holds no place for the same period through another call (``services.place_held``)."""
    from meridian.mobility.services.applications import place_held

    return place_held(student=application.student, call=application.call) is None


def _place_elsewhere_reason(application: Any) -> str:
    from meridian.mobility.services.applications import place_held, place_held_reason

    held = place_held(student=application.student, call=application.call)
    return place_held_reason(held) if held is not None else ""


def _call_selecting(application: Any) -> bool:
    return application.call.state in {CallState.OPEN, CallState.CLOSED}


def _offer_open(application: Any) -> bool:
    return application.offer_expires_on is None or application.offer_expires_on >= today()


def _offer_reason(application: Any) -> str:
    return _("The offer expired on %(date)s.") % {"date": application.offer_expires_on.isoformat()}


def _results_public(application: Any) -> bool:
    """Students answer offers once the results are published (or the publicity is over)."""
    return application.call.state in {CallState.PUBLISHED, CallState.FINISHED}


def _check_eligibility(ctx: MoveContext) -> None:
    from meridian.mobility.services.selection import eligibility_check

    eligibility_check(application=ctx.case, save=True)


def _record_submission(ctx: MoveContext) -> None:
    ctx.case.submitted_at = timezone.now()
    ctx.case.save(update_fields=["submitted_at"])


def _record_answer(ctx: MoveContext) -> None:
    ctx.case.decided_at = timezone.now()
    ctx.case.save(update_fields=["decided_at"])


def _release_place(ctx: MoveContext) -> None:
    """A declined or withdrawn place goes to the waiting list (``services.allocation``)."""
    from meridian.mobility.services.allocation import place_released

    place_released(application=ctx.case, actor=ctx.actor)


# --- mobility guards -------------------------------------------------------------------------------------


def _outgoing(mobility: Any) -> bool:
    return mobility.direction == Direction.OUTGOING


def _incoming(mobility: Any) -> bool:
    return mobility.direction == Direction.INCOMING


def _has_approved_la(mobility: Any) -> bool:
    return mobility.learning_agreements.filter(state=LearningAgreementState.APPROVED).exists()


def _has_transcript(mobility: Any) -> bool:
    return mobility.results.exists()


def _recognition_done(mobility: Any) -> bool:
    from meridian.mobility.choices import RecognitionDecision

    if _incoming(mobility):
        return _has_transcript(mobility)
    return (
        _has_transcript(mobility)
        and not mobility.results.filter(decision=RecognitionDecision.PENDING).exists()
    )


def _record_decision(ctx: MoveContext) -> None:
    ctx.case.decided_at = timezone.now()
    ctx.case.decided_by = ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None
    if ctx.comment:
        ctx.case.decision_reason = ctx.comment
    ctx.case.save(update_fields=["decided_at", "decided_by", "decision_reason"])


def _record_documents_request(ctx: MoveContext) -> None:
    ctx.case.documents_requested = ctx.comment
    ctx.case.save(update_fields=["documents_requested"])


def _send_invitation(ctx: MoveContext) -> None:
    from meridian.mobility.services.incoming import invitation_send

    invitation_send(mobility=ctx.case, actor=ctx.actor)


def _record_application(ctx: MoveContext) -> None:
    ctx.case.applied_at = timezone.now()
    ctx.case.save(update_fields=["applied_at"])


def _issue_acceptance(ctx: MoveContext) -> None:
    from meridian.mobility.services.incoming import acceptance_issue

    acceptance_issue(mobility=ctx.case, actor=ctx.actor)


def _record_start(ctx: MoveContext) -> None:
    if ctx.case.actual_start is None:
        ctx.case.actual_start = today()
        ctx.case.save(update_fields=["actual_start"])


def _record_end(ctx: MoveContext) -> None:
    if ctx.case.actual_end is None:
        ctx.case.actual_end = today()
        ctx.case.save(update_fields=["actual_end"])


def _applicant_nominated(ctx: MoveContext) -> None:
    """Nothing to do here: ``services.nominations`` moves the application itself."""


# --- learning agreement guards -----------------------------------------------------------------------


def _la_changes_something(la: Any) -> bool:
    from meridian.mobility.choices import LearningAgreementKind

    return la.kind != LearningAgreementKind.CHANGES or la.courses.exclude(change="").exists()


def _incoming_missing(mobility: Any) -> list[str]:
    """What an incoming student's application still lacks (``services.incoming``)."""
    from meridian.mobility.services.incoming import incoming_missing

    return incoming_missing(mobility)


def _has_email(mobility: Any) -> bool:
    return bool(mobility.student_email or mobility.person.email)


def _la_has_courses(la: Any) -> bool:
    from meridian.mobility.choices import ComponentChange

    return la.courses.exclude(change=ComponentChange.REMOVED).exists()


def _la_record_student(ctx: MoveContext) -> None:
    ctx.case.student_signed_at = timezone.now()
    ctx.case.sending_signed_at = ctx.case.receiving_signed_at = None
    ctx.case.sending_signed_by = ctx.case.receiving_signed_by = None
    ctx.case.rejected_reason = ""
    ctx.case.save(
        update_fields=[
            "student_signed_at",
            "sending_signed_at",
            "receiving_signed_at",
            "sending_signed_by",
            "receiving_signed_by",
            "rejected_reason",
        ]
    )


def _la_both_signed(la: Any) -> bool:
    return la.sending_signed_at is not None and la.receiving_signed_at is not None


def _la_approved(ctx: MoveContext) -> None:
    """Supersede the previous approved version and grow the course-equivalence catalogue."""
    from meridian.mobility.services.learning import la_after_approval

    la_after_approval(learning_agreement=ctx.case)


def _la_record_rejection(ctx: MoveContext) -> None:
    ctx.case.rejected_reason = ctx.comment
    ctx.case.save(update_fields=["rejected_reason"])


# --- declarations --------------------------------------------------------------------------------------

C = CallState
CALL_TRANSITIONS = [
    Transition(
        name="open",
        label=gettext_lazy("Open the call"),
        sources={C.DRAFT},
        target=C.OPEN,
        allowed=_call_manager,
        guards=[Guard(_call_ready, _call_ready_reason)],
        effects=[_record_opening],
        style="primary",
    ),
    Transition(
        name="close",
        label=gettext_lazy("Close applications"),
        sources={C.OPEN},
        target=C.CLOSED,
        allowed=_call_manager,
        style="primary",
    ),
    Transition(
        name="allocated",
        label=gettext_lazy("Places allocated"),
        sources={C.CLOSED, C.ALLOCATED, C.PUBLISHED},
        target=C.ALLOCATED,
        system_only=True,
    ),
    Transition(
        name="publish_results",
        label=gettext_lazy("Publish the results (publicity)"),
        sources={C.ALLOCATED},
        target=C.PUBLISHED,
        allowed=_call_manager,
        effects=[_record_publication],
        style="primary",
    ),
    Transition(
        name="finish",
        label=gettext_lazy("Finish the call"),
        sources={C.PUBLISHED},
        target=C.FINISHED,
        allowed=_call_manager,
        guards=[Guard(_publicity_over, _publicity_reason)],
    ),
    Transition(
        name="cancel",
        label=gettext_lazy("Cancel the call"),
        sources={C.DRAFT, C.OPEN, C.CLOSED},
        target=C.CANCELLED,
        allowed=_call_manager,
        comment_required=True,
        style="danger",
    ),
]

CALL_TYPE = CaseType(
    code=CALL,
    model="mobility.Call",
    label=gettext_lazy("Exchange call"),
    label_plural=gettext_lazy("Exchange calls"),
    states=CallState,
    initial=C.DRAFT,
    state_changed_field="state_changed_at",
    terminal={C.FINISHED, C.CANCELLED},
    transitions=CALL_TRANSITIONS,
    fields=[CaseField("academic_year", gettext_lazy("Academic year"), kind="int")],
    unit=lambda call: call.unit,
    unit_field="unit",
    visible=lambda user, queryset: cast("CallQuerySet", queryset).visible_to(user),
    title=lambda call: f"{call.number} {call.title}",
    date_field="opens_at",
)
case_types.register(CALL_TYPE)


A = ApplicationState
WITHDRAWABLE = {A.DRAFT, A.SUBMITTED, A.PRE_APPROVED, A.OFFERED, A.WAITLISTED, A.ACCEPTED}
APPLICATION_TRANSITIONS = [
    Transition(
        name="submit",
        label=gettext_lazy("Submit the application"),
        sources={A.DRAFT},
        target=A.SUBMITTED,
        allowed=_applicant,
        guards=[
            Guard(_call_open, _call_open_reason),
            Guard(_complete, _complete_reason),
            Guard(_no_place_elsewhere, _place_elsewhere_reason),
        ],
        effects=[_record_submission, _check_eligibility],
        style="primary",
    ),
    Transition(
        name="return",
        label=gettext_lazy("Return to the student for correction"),
        sources={A.SUBMITTED},
        target=A.DRAFT,
        allowed=_school,
        guards=[Guard(_call_open, _call_open_reason)],
        comment_required=True,
    ),
    Transition(
        name="pre_approve",
        label=gettext_lazy("Approve (school pre-screening)"),
        sources={A.SUBMITTED, A.INELIGIBLE},
        target=A.PRE_APPROVED,
        allowed=_school,
        guards=[Guard(_call_selecting, gettext_lazy("The selection of this call is over."))],
        style="primary",
    ),
    Transition(
        name="reject",
        label=gettext_lazy("Not eligible"),
        sources={A.SUBMITTED, A.PRE_APPROVED},
        target=A.INELIGIBLE,
        allowed=_school,
        guards=[Guard(_call_selecting, gettext_lazy("The selection of this call is over."))],
        comment_required=True,
        style="danger",
    ),
    Transition(
        name="offer",
        label=gettext_lazy("Offer a place"),
        sources={A.PRE_APPROVED, A.WAITLISTED, A.OFFERED},
        target=A.OFFERED,
        system_only=True,
        notify=False,
    ),
    Transition(
        name="waitlist",
        label=gettext_lazy("Put on the waiting list"),
        sources={A.PRE_APPROVED, A.OFFERED, A.WAITLISTED},
        target=A.WAITLISTED,
        system_only=True,
        notify=False,
    ),
    Transition(
        name="reset",
        label=gettext_lazy("Undo the allocation"),
        sources={A.OFFERED, A.WAITLISTED},
        target=A.PRE_APPROVED,
        system_only=True,
        notify=False,
    ),
    Transition(
        name="accept_offer",
        label=gettext_lazy("Accept the place"),
        sources={A.OFFERED},
        target=A.ACCEPTED,
        allowed=_applicant,
        guards=[
            Guard(_results_public, gettext_lazy("The results are not published yet.")),
            Guard(_offer_open, _offer_reason),
            Guard(_no_place_elsewhere, _place_elsewhere_reason),
        ],
        effects=[_record_answer],
        style="primary",
    ),
    Transition(
        name="decline_offer",
        label=gettext_lazy("Decline the place"),
        sources={A.OFFERED},
        target=A.DECLINED,
        allowed=_applicant,
        effects=[_record_answer, _release_place],
        style="danger",
    ),
    Transition(
        name="expire_offer",
        label=gettext_lazy("Offer expired"),
        sources={A.OFFERED},
        target=A.DECLINED,
        system_only=True,
        effects=[_release_place],
    ),
    Transition(
        name="nominate",
        label=gettext_lazy("Nominate to the partner"),
        sources={A.ACCEPTED},
        target=A.NOMINATED,
        system_only=True,
    ),
    Transition(
        name="withdraw",
        label=gettext_lazy("Withdraw the application"),
        sources=WITHDRAWABLE,
        target=A.WITHDRAWN,
        allowed=_applicant,
        effects=[_release_place],
        style="danger",
    ),
]

APPLICATION_TYPE = CaseType(
    code=APPLICATION,
    model="mobility.Application",
    label=gettext_lazy("Exchange application"),
    label_plural=gettext_lazy("Exchange applications"),
    states=ApplicationState,
    initial=A.DRAFT,
    state_changed_field="state_changed_at",
    terminal={A.INELIGIBLE, A.DECLINED, A.NOMINATED, A.WITHDRAWN},
    transitions=APPLICATION_TRANSITIONS,
    fields=[
        CaseField("year_of_study", gettext_lazy("Year of study"), kind="int"),
        CaseField("grade_average", gettext_lazy("Grade average"), kind="decimal"),
    ],
    unit=lambda application: application.unit,
    applicant_field="student",
    unit_field="unit",
    visible=lambda user, queryset: cast("ApplicationQuerySet", queryset).visible_to(user),
    title=lambda application: f"{application.number} {application.person}",
    date_field="created_at",
)
case_types.register(APPLICATION_TYPE)


M = MobilityState
MOBILITY_TRANSITIONS = [
    Transition(
        name="request_documents",
        label=gettext_lazy("Request documents"),
        sources={M.NOMINATED},
        target=M.DOCUMENTS_REQUESTED,
        allowed=_partner,
        guards=[
            Guard(_outgoing, gettext_lazy("Only a nomination of ours waits for the partner's documents."))
        ],
        comment_required=True,
        effects=[_record_documents_request],
    ),
    Transition(
        name="documents_sent",
        label=gettext_lazy("Documents sent"),
        sources={M.DOCUMENTS_REQUESTED},
        target=M.NOMINATED,
        allowed=lambda user, mobility: _our_side(user, mobility) or _mobility_student(user, mobility),
        style="primary",
    ),
    Transition(
        name="invite",
        label=gettext_lazy("Invite the student to apply"),
        sources={M.NOMINATED, M.INVITED},
        target=M.INVITED,
        allowed=_our_side,
        guards=[
            Guard(_incoming, gettext_lazy("Only incoming students are invited to apply.")),
            Guard(
                _has_email,
                gettext_lazy("Enter the student's e-mail address first: the invitation is sent there."),
            ),
        ],
        effects=[_send_invitation],
        style="primary",
    ),
    Transition(
        name="complete_application",
        label=gettext_lazy("Send the application"),
        sources={M.INVITED},
        target=M.APPLIED,
        allowed=_mobility_student,
        guards=[
            Guard(lambda m: not _incoming_missing(m), lambda m: " ".join(_incoming_missing(m))),
        ],
        effects=[_record_application],
        style="primary",
    ),
    Transition(
        name="accept",
        label=gettext_lazy("Accept the student"),
        sources={M.NOMINATED, M.APPLIED},
        target=M.ACCEPTED,
        allowed=_decider,
        guards=[
            Guard(
                lambda m: _outgoing(m) or m.state == M.APPLIED,
                gettext_lazy("The student has not completed the application yet."),
            )
        ],
        effects=[_record_decision, lambda ctx: _issue_acceptance(ctx) if _incoming(ctx.case) else None],
        style="primary",
    ),
    Transition(
        name="reject",
        label=gettext_lazy("Reject"),
        sources={M.NOMINATED, M.DOCUMENTS_REQUESTED, M.INVITED, M.APPLIED},
        target=M.REJECTED,
        allowed=_decider,
        comment_required=True,
        effects=[_record_decision],
        style="danger",
    ),
    Transition(
        name="start",
        label=gettext_lazy("Record the departure or arrival"),
        sources={M.ACCEPTED},
        target=M.ACTIVE,
        allowed=_our_side,
        inputs=["actual_start"],
        effects=[_record_start],
        style="primary",
    ),
    Transition(
        name="end",
        label=gettext_lazy("Record the end of the stay"),
        sources={M.ACTIVE},
        target=M.RETURNED,
        allowed=_our_side,
        inputs=["actual_end"],
        effects=[_record_end],
        style="primary",
    ),
    Transition(
        name="complete",
        label=gettext_lazy("Complete (transcript and recognition done)"),
        sources={M.RETURNED},
        target=M.COMPLETED,
        allowed=_our_side,
        guards=[
            Guard(
                _recognition_done,
                gettext_lazy("Enter the transcript and decide the recognition of every course first."),
            )
        ],
        style="primary",
    ),
    Transition(
        name="cancel",
        label=gettext_lazy("Cancel the mobility"),
        sources={M.NOMINATED, M.DOCUMENTS_REQUESTED, M.INVITED, M.APPLIED, M.ACCEPTED, M.ACTIVE},
        target=M.CANCELLED,
        allowed=_our_side,
        comment_required=True,
        style="danger",
    ),
]

MOBILITY_TYPE = CaseType(
    code=MOBILITY,
    model="mobility.Mobility",
    label=gettext_lazy("Mobility"),
    label_plural=gettext_lazy("Mobilities"),
    states=MobilityState,
    initial=M.NOMINATED,
    state_changed_field="state_changed_at",
    terminal={M.REJECTED, M.COMPLETED, M.CANCELLED},
    transitions=MOBILITY_TRANSITIONS,
    fields=[
        CaseField("direction", gettext_lazy("Direction"), kind="str", hint="outgoing, incoming"),
        CaseField("months", gettext_lazy("Months"), kind="decimal"),
        CaseField("academic_year", gettext_lazy("Academic year"), kind="int"),
    ],
    unit=lambda mobility: mobility.home_unit,
    applicant_field="student",
    unit_field="home_unit",
    partner_field="partner",
    visible=lambda user, queryset: cast("MobilityQuerySet", queryset).visible_to(user),
    title=lambda mobility: f"{mobility.number} {mobility.person}",
    date_field="created_at",
)
case_types.register(MOBILITY_TYPE)


L = LearningAgreementState
LA_TRANSITIONS = [
    Transition(
        name="submit",
        label=gettext_lazy("Sign and send for approval"),
        sources={L.DRAFT},
        target=L.SUBMITTED,
        allowed=_la_student,
        guards=[
            Guard(_la_has_courses, gettext_lazy("Add the courses first.")),
            Guard(_la_changes_something, gettext_lazy("This change neither adds nor removes a course.")),
        ],
        effects=[_la_record_student],
        style="primary",
    ),
    Transition(
        name="approve",
        label=gettext_lazy("Approved by both coordinators"),
        sources={L.SUBMITTED},
        target=L.APPROVED,
        system_only=True,
        guards=[Guard(_la_both_signed, gettext_lazy("Both coordinators must approve."))],
        effects=[_la_approved],
    ),
    Transition(
        name="reject",
        label=gettext_lazy("Reject"),
        sources={L.SUBMITTED},
        target=L.REJECTED,
        allowed=_la_coordinator,
        comment_required=True,
        effects=[_la_record_rejection],
        style="danger",
    ),
    Transition(
        name="reopen",
        label=gettext_lazy("Revise"),
        sources={L.REJECTED},
        target=L.DRAFT,
        allowed=_la_reopen,
    ),
    Transition(
        name="supersede",
        label=gettext_lazy("Superseded by a change"),
        sources={L.APPROVED},
        target=L.SUPERSEDED,
        system_only=True,
    ),
]

LA_TYPE = CaseType(
    code=LEARNING_AGREEMENT,
    model="mobility.LearningAgreement",
    label=gettext_lazy("Learning agreement"),
    label_plural=gettext_lazy("Learning agreements"),
    states=LearningAgreementState,
    initial=L.DRAFT,
    state_changed_field="state_changed_at",
    terminal={L.SUPERSEDED},
    transitions=LA_TRANSITIONS,
    unit=lambda la: la.mobility.home_unit,
    visible=lambda user, queryset: queryset.filter(mobility__in=_visible_mobilities(user)),
    title=lambda la: str(la),
    date_field="created_at",
)
case_types.register(LA_TYPE)


def _visible_mobilities(user: Any) -> Any:
    from meridian.mobility.models import Mobility

    return Mobility.objects.visible_to(user).values("pk")
