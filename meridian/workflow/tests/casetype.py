"""A throw-away case type for the engine's own tests, declared over an existing model.

A registry institution stands in for a small "trip" case: its ``status`` is the state, ``established`` the
duration in days, ``types`` the languages, ``latitude`` the budget and ``eche_start`` the start date. Tests
say which unit and applicant each case has through ``TripSetup``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from meridian.accounts.choices import Role
from meridian.accounts.permissions import can_write_university, standing
from meridian.reference.models import Institution
from meridian.workflow.declaration import (
    ApprovalHooks,
    CaseField,
    CaseType,
    Guard,
    MoveContext,
    RequiredDocument,
    Transition,
)

CODE = "test_trip"

STATES = [
    ("draft", "Draft"),
    ("review", "Under review"),
    ("approved", "Approved"),
    ("active", "Active"),
    ("closed", "Closed"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]


@dataclass
class TripSetup:
    units: dict[int, Any] = field(default_factory=dict)
    applicants: dict[int, Any] = field(default_factory=dict)
    documents: set[int] = field(default_factory=set)
    effects: list[tuple[str, str, str]] = field(default_factory=list)


SETUP = TripSetup()


def _unit(case):
    return SETUP.units.get(case.pk)


def _applicant(case):
    return SETUP.applicants.get(case.pk)


def _is_applicant(user, case) -> bool:
    applicant = _applicant(case)
    return applicant is not None and applicant.pk == user.pk


def _is_officer(user, case) -> bool:
    return can_write_university(user)


def _coordinates(user, case) -> bool:
    unit = _unit(case)
    return unit is not None and unit.pk in standing(user).units(Role.COORDINATOR)


def _record(ctx: MoveContext) -> None:
    SETUP.effects.append((ctx.transition.name, ctx.from_state, ctx.to_state))


TRIP = CaseType(
    code=CODE,
    model=Institution,
    label=_("Test trip"),
    states=STATES,
    initial="draft",
    state_field="status",
    terminal={"closed", "rejected", "withdrawn"},
    transitions=[
        Transition(
            name="submit",
            label="Submit",
            sources={"draft"},
            target="review",
            allowed=lambda u, c: _is_applicant(u, c) or _coordinates(u, c) or _is_officer(u, c),
            guards=[Guard(lambda c: bool(c.name.strip()), "The trip needs a name.")],
            starts_approval=True,
            effects=[_record],
        ),
        Transition(
            name="withdraw",
            label="Withdraw",
            sources={"draft", "review"},
            target="withdrawn",
            allowed=lambda u, c: _is_applicant(u, c) or _is_officer(u, c),
            comment_required=True,
        ),
        Transition(
            name="approve", label="Approve", sources={"review"}, target="approved", allowed=_is_officer
        ),
        Transition(name="send_back", label="Return", sources={"review"}, target="draft", allowed=_is_officer),
        Transition(name="reject", label="Reject", sources={"review"}, target="rejected", allowed=_is_officer),
        Transition(
            name="activate",
            label="Activate",
            sources={"approved"},
            target="active",
            allowed=_is_officer,
            required_fields=("eche_start",),
            inputs=("eche_start",),
            required_documents=[RequiredDocument("a signed copy", lambda c: c.pk in SETUP.documents)],
            effects=[_record],
        ),
        Transition(name="close", label="Close", sources={"active"}, target="closed", allowed=_is_officer),
        Transition(name="expire", label="Expire", sources={"active"}, target="closed", system_only=True),
    ],
    approval=ApprovalHooks(
        review_state="review", approved="approve", returned="send_back", rejected="reject"
    ),
    fields=[
        CaseField("duration_days", "Duration (days)", kind="int", get=lambda c: c.established),
        CaseField("languages", "Languages", kind="str", get=lambda c: c.types, hint="en, zh, fr, de"),
        CaseField("budget_cny", "Budget (CNY)", kind="decimal", get=lambda c: c.latitude),
    ],
    unit=_unit,
    applicant=_applicant,
    mine=lambda user, qs: qs.filter(pk__in=[pk for pk, u in SETUP.applicants.items() if u.pk == user.pk]),
    visible=lambda user, qs: (
        qs
        if can_write_university(user) or standing(user).has(Role.LEADERSHIP)
        else qs.filter(
            pk__in=[pk for pk, u in SETUP.applicants.items() if u.pk == user.pk]
            + [pk for pk, unit in SETUP.units.items() if unit.pk in standing(user).units(Role.COORDINATOR)]
        )
    ),
    title=lambda c: f"Trip {c.pk}: {c.name}",
    date_field="updated_at",
)


def make_trip(*, unit, applicant, name: str = "Conference in Lyon", **fields) -> Institution:
    case = Institution.objects.create(name=name, status="draft", **fields)
    SETUP.units[case.pk] = unit
    SETUP.applicants[case.pk] = applicant
    return case
