"""The agreement as a case of the workflow engine: its states, moves, guards, who may act and side effects.

This module is the one place that declares the agreement lifecycle:

    draft → under review → approved → active (signed) → expired
              ↓ return              ↓         ↘ terminated
            draft             renew: a successor draft is created, the old agreement → renewed

Review runs through the approval chain an administrator configured for agreements (for the responsible unit,
or for every unit); while a chain runs, "approve" and "return" are taken by the engine when the steps decide.
With no chain configured, officers and administrators approve and return by hand, as before.
`permissions.py` reads the table below for "who may do what"; `services.py` takes every move through
`meridian.workflow.services.case_move`, so pages, the API, imports and background jobs share one write path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.accounts.permissions import can_write_university, coordinated_unit_ids
from meridian.agreements.choices import AgreementState, AgreementType
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

S = AgreementState
CODE = "agreement"

# The date "today" for guards that compare dates (expiry). Background jobs and tests that run for another
# day set it with `evaluation_date(day)`; everyone else gets the local date.
_dates = EvaluationDate("agreement")
evaluation_date = _dates.at
today = _dates.today
# The successor's dates chosen on the renewal form, read by the renewal side effect.
_renewal_terms: ContextVar[dict[str, Any] | None] = ContextVar("agreement_renewal_terms", default=None)


@contextmanager
def renewal_terms(*, start_date: date | None, end_date: date | None) -> Iterator[None]:
    """Hand the successor's dates from the renewal form (None: the default) to the renewal side effect."""
    token = _renewal_terms.set({"start_date": start_date, "end_date": end_date})
    try:
        yield
    finally:
        _renewal_terms.reset(token)


# --- who may act -----------------------------------------------------------------------------------------


def office(user: Any, agreement: Any) -> bool:
    """International Office officers and administrators."""
    return can_write_university(user)


def office_or_unit_coordinator(user: Any, agreement: Any) -> bool:
    """Officers, administrators, and coordinators of the responsible unit (or a unit above it)."""
    return can_write_university(user) or agreement.responsible_unit_id in coordinated_unit_ids(user)


# --- guards ----------------------------------------------------------------------------------------------


def _has_partner(agreement: Any) -> bool:
    return agreement.parties.exists()


def _has_start_date(agreement: Any) -> bool:
    return agreement.start_date is not None


def _has_end_date(agreement: Any) -> bool:
    return agreement.end_date is not None


def _has_ended(agreement: Any) -> bool:
    return agreement.end_date is None or agreement.end_date < today()


def _not_renewed_yet(agreement: Any) -> bool:
    from meridian.agreements.models import Agreement

    return not Agreement.objects.filter(renews=agreement).exists()


def _needs_start_date(agreement: Any) -> str:
    return _("Agreement %(number)s needs a start date before it can be activated.") % {
        "number": agreement.number
    }


def _open_ended(agreement: Any) -> str:
    return _("Agreement %(number)s is open-ended and cannot expire; terminate it instead.") % {
        "number": agreement.number
    }


def _runs_until(agreement: Any) -> str:
    return _(
        "Agreement %(number)s runs until %(date)s and cannot expire before then; terminate it instead."
    ) % {"number": agreement.number, "date": agreement.end_date.isoformat()}


def _already_renewed(agreement: Any) -> str:
    return _("Agreement %(number)s has already been renewed.") % {"number": agreement.number}


# --- side effects ----------------------------------------------------------------------------------------


def _note_start_date(ctx: MoveContext) -> None:
    """The activation's log entry says from when the agreement is in force, unless the actor said more."""
    if not ctx.comment and ctx.case.start_date is not None:
        ctx.entry.comment = _("In force from %(date)s.") % {"date": ctx.case.start_date.isoformat()}
        ctx.entry.save(update_fields=["comment"])


def _create_successor(ctx: MoveContext) -> None:
    """Renewal: create the successor as a draft (dates from the renewal form, else the same length again)."""
    from meridian.agreements.services import successor_create

    terms = _renewal_terms.get() or {}
    successor = successor_create(
        agreement=ctx.case,
        actor=ctx.actor,
        start_date=terms.get("start_date"),
        end_date=terms.get("end_date"),
    )
    if not ctx.comment:
        ctx.entry.comment = _("Renewed by %(number)s.") % {"number": successor.number}
        ctx.entry.save(update_fields=["comment"])


# --- the declaration -------------------------------------------------------------------------------------


def _duration_days(agreement: Any) -> int | None:
    if agreement.start_date is None or agreement.end_date is None:
        return None
    return (agreement.end_date - agreement.start_date).days


def _language_codes(agreement: Any) -> list[str]:
    return [code.strip().lower() for code in agreement.languages.replace(";", ",").split(",") if code.strip()]


def english_only(agreement: Any) -> bool:
    """The text exists in English and in no other language (the legal office then reviews it)."""
    return _language_codes(agreement) == ["en"]


def research_cooperation(agreement: Any) -> bool:
    """A research cooperation or a joint laboratory / R&D centre (the research office then reviews it)."""
    return agreement.kind in (AgreementType.RESEARCH, AgreementType.JOINT_LAB)


def _parties_count(agreement: Any) -> int:
    return agreement.parties.count()


def _visible(user: Any, queryset: Any) -> Any:
    """Agreements of `queryset` that `user` may see (permissions.agreement_visibility_filter decides)."""
    return queryset.visible_to(user)


TRANSITIONS = [
    Transition(
        name="submit",
        label=gettext_lazy("Submit for review"),
        sources={S.DRAFT},
        target=S.UNDER_REVIEW,
        allowed=office_or_unit_coordinator,
        guards=[Guard(_has_partner, gettext_lazy("Add at least one partner."))],
        starts_approval=True,
        style="primary",
    ),
    Transition(
        name="return",
        label=gettext_lazy("Return to draft"),
        sources={S.UNDER_REVIEW},
        target=S.DRAFT,
        allowed=office,
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
        name="activate",
        label=gettext_lazy("Activate"),
        sources={S.APPROVED},
        target=S.ACTIVE,
        allowed=office,
        guards=[Guard(_has_start_date, _needs_start_date)],
        inputs=("start_date",),
        effects=[_note_start_date],
        style="primary",
    ),
    Transition(
        name="expire",
        label=gettext_lazy("Mark as expired"),
        sources={S.ACTIVE},
        target=S.EXPIRED,
        allowed=office,
        guards=[Guard(_has_end_date, _open_ended), Guard(_has_ended, _runs_until)],
    ),
    Transition(
        name="terminate",
        label=gettext_lazy("Terminate"),
        sources={S.APPROVED, S.ACTIVE},
        target=S.TERMINATED,
        allowed=office,
        style="danger",
    ),
    Transition(
        name="renew",
        label=gettext_lazy("Renew"),
        sources={S.ACTIVE, S.EXPIRED},
        target=S.RENEWED,
        allowed=office_or_unit_coordinator,
        guards=[Guard(_not_renewed_yet, _already_renewed)],
        effects=[_create_successor],
        style="primary",
    ),
]

AGREEMENT = CaseType(
    code=CODE,
    model="agreements.Agreement",
    label=gettext_lazy("Agreement"),
    label_plural=gettext_lazy("Agreements"),
    states=AgreementState,
    initial=S.DRAFT,
    state_field="state",
    state_changed_field="state_changed_at",
    terminal={S.EXPIRED, S.TERMINATED, S.RENEWED},
    transitions=TRANSITIONS,
    approval=ApprovalHooks(review_state=S.UNDER_REVIEW, approved="approve", returned="return", rejected=None),
    fields=[
        CaseField("title_en", gettext_lazy("English title"), kind="str"),
        CaseField("title_zh", gettext_lazy("Chinese title"), kind="str"),
        CaseField("description", gettext_lazy("Description"), kind="str"),
        CaseField("kind", gettext_lazy("Type"), kind="str"),
        CaseField("languages", gettext_lazy("Languages of the text"), kind="str"),
        CaseField("english_only", gettext_lazy("Text in English only"), kind="bool", get=english_only),
        CaseField(
            "research_cooperation",
            gettext_lazy("Research cooperation or joint laboratory"),
            kind="bool",
            get=research_cooperation,
        ),
        CaseField("duration_days", gettext_lazy("Duration (days)"), kind="int", get=_duration_days),
        CaseField("parties", gettext_lazy("Number of partners"), kind="int", get=_parties_count),
        CaseField("start_date", gettext_lazy("Start date"), kind="date"),
        CaseField("end_date", gettext_lazy("End date"), kind="date"),
        CaseField("auto_renew", gettext_lazy("Renews automatically"), kind="bool"),
    ],
    unit=lambda agreement: agreement.responsible_unit,
    applicant_field="created_by",
    unit_field="responsible_unit",
    partner_field="parties__partner",
    visible=_visible,
    title=lambda agreement: f"{agreement.number} {agreement.title}",
    watchers=lambda agreement: [agreement.home_coordinator] if agreement.home_coordinator_id else [],
    date_field="created_at",
)
case_types.register(AGREEMENT)
