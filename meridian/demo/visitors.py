"""Demo visitors: the visits approval chain, the default hosting standards, visits in every state with guests
from the demo partners (an official delegation of five waiting at the International Office, a visit referred
to a university leader, a guest whose self-service link is not filled yet, invitation letters issued, a guest
whose accommodation registration is overdue, a closed visit whose note shows on the partner's page),
lectures on the public calendar and foreign experts' hiring cases in several states (work permits ending
within 60 days, a residence-permit clock running).

Built through the visitors services and the workflow engine with dates relative to ``today``: each step is
taken on its own day through the context's ``evaluation_date`` and its log entries are dated that day, so the
timeline of a visit reads as it happened. Where a service refuses a step, the case is set to its target state
directly and the reason is kept in ``VisitorsSummary.notes`` (and logged as a warning).

Idempotent like the rest of the demo: nothing is added when demo visits exist; ``remove_visitors`` deletes it.
The hosting standards are the context's defaults (``standards_install_defaults``); they stay on removal, like
the travel demo's spending standards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from meridian.demo.organisation import Organisation
from meridian.demo.visitors_data import EXPERTS, VISITS
from meridian.demo.visitors_experts import ExpertStory
from meridian.demo.visitors_steps import message, quiet_pdf_progress, refusals
from meridian.demo.visitors_visits import VisitStory, build_lectures

logger = logging.getLogger(__name__)

VISIT, EXPERT_HIRING = "visit", "expert_hiring"
CHAIN_NAME = "Visit approval"
CHAIN_NAME_ZH = "来访接待审批"
DUE = {"due_amount": 3, "due_unit": "working_days"}
# Host unit leader → International Office → a university leader for official delegations or visits the office
# referred (the visit's ``needs_leader`` field says "official delegation or referred" in one condition).
VISIT_CHAIN: list[dict[str, Any]] = [
    {
        "order": 1,
        "label": "Leader of the host unit",
        "label_zh": "接待单位负责人",
        "assignee_kind": "unit_leader",
    },
    {
        "order": 2,
        "label": "International Office",
        "label_zh": "国际合作与交流处",
        "assignee_kind": "international_office",
    },
    {
        "order": 3,
        "label": "University leader",
        "label_zh": "校领导",
        "assignee_kind": "university_leader",
        "conditions": "needs_leader == true",
    },
]


@dataclass
class VisitorsSummary:
    visits: int = 0
    states: dict[str, int] = field(default_factory=dict)
    lectures: int = 0
    experts: int = 0
    notes: list[str] = field(default_factory=list)


# --- chain and standards ----------------------------------------------------------------------------------


def configure_chain(*, org: Organisation) -> None:
    """The visits approval chain for every unit: created when none is active, brought up to date (a new
    version) when the demo's own chain has other names or steps; an administrator's chain is left alone."""
    from meridian.workflow.services import chain_ensure

    chain_ensure(
        actor=org.admin,
        case_type=VISIT,
        name=CHAIN_NAME,
        name_zh=CHAIN_NAME_ZH,
        steps=[{**step, **DUE} for step in VISIT_CHAIN],
        note="Host unit leader, International Office, a university leader for official delegations and "
        "visits the office refers",
    )


def install_standards() -> int:
    """The default hosting-standards table when the table is empty; returns the rows added."""
    from meridian.visitors.services.standards import standards_install_defaults

    return standards_install_defaults(actor=None)


# --- the whole ------------------------------------------------------------------------------------------


def _demo_partners() -> dict[str, Any]:
    """The demo partners by English name (marked ``is_demo`` once the demo is built; matched by the names
    of ``partners_data`` while it is being built)."""
    from django.db.models import Q

    from meridian.demo.partners_data import PARTNERS
    from meridian.partners.models import Partner

    names = {s.partner for s in VISITS}
    known = {fact.name_en for fact in PARTNERS} & names
    rows = Partner.objects.filter(Q(is_demo=True) | Q(name_en__in=known), name_en__in=names).order_by("pk")
    found: dict[str, Any] = {}
    for partner in rows:
        found.setdefault(partner.name_en, partner)
    return found


def _sync_clocks(today: date) -> None:
    """Open the visitors' deadline clocks now (the daily job would): registrations, experts, lectures."""
    from meridian.clocks.services import clocks_sync
    from meridian.visitors import deadlines, deadlines_experts, deadlines_lectures

    for rule in (
        *deadlines.RULES,
        *deadlines_experts.RULES,
        deadlines_lectures.OUTLINE_RULE,
        deadlines_lectures.REVIEW_RULE,
    ):
        clocks_sync(today=today, rule=rule)


def build_visitors(*, org: Organisation, today: date) -> VisitorsSummary:
    """Build the demo's visitors (see the module docstring); does nothing when demo visits exist."""
    from meridian.visitors.models import Visit

    if Visit.objects.filter(is_demo=True).exists():
        return VisitorsSummary()
    with quiet_pdf_progress():
        return _build(org=org, today=today)


def _build(*, org: Organisation, today: date) -> VisitorsSummary:
    from meridian.documents.services import document_templates_install_defaults
    from meridian.visitors.models import ExpertHiring, Lecture, Visit

    summary = VisitorsSummary()
    notes = summary.notes
    configure_chain(org=org)
    install_standards()
    document_templates_install_defaults()  # the invitation letters' templates (a flushed test database)
    story = VisitStory(org=org, today=today, partners=_demo_partners(), notes=notes)
    visits: dict[str, Any] = {}
    for spec in VISITS:
        try:
            with transaction.atomic():
                visits[spec.title] = story.run(spec)
        except refusals() as exc:
            notes.append(f"Visit “{spec.title}” not filed — {message(exc)}")
    visit_ids = [v.pk for v in visits.values()]
    Visit.objects.filter(pk__in=visit_ids).update(is_demo=True)
    lecture_ids = build_lectures(org=org, visits=visits, notes=notes)
    Lecture.objects.filter(pk__in=lecture_ids).update(is_demo=True)
    experts = ExpertStory(org=org, today=today, notes=notes)
    hiring_ids: list[int] = []
    for expert in EXPERTS:
        try:
            with transaction.atomic():
                hiring_ids.append(experts.run(expert).pk)
        except refusals() as exc:
            notes.append(f"Hiring “{expert.position}” not filed — {message(exc)}")
    ExpertHiring.objects.filter(pk__in=hiring_ids).update(is_demo=True)
    _sync_clocks(today)
    summary.visits, summary.lectures, summary.experts = len(visit_ids), len(lecture_ids), len(hiring_ids)
    for state in Visit.objects.filter(pk__in=visit_ids).values_list("state", flat=True):
        summary.states[state] = summary.states.get(state, 0) + 1
    for note in notes:
        logger.warning("Demo visitors: %s", note)
    return summary


@transaction.atomic
def remove_visitors() -> None:
    """Delete the demo's visits (with their guests' records, registrations, letters and clocks), lectures,
    hiring cases (with the experts' records) and the visits chain (before the demo partners and users go:
    visits protect the partners their guests came from and the users who host them)."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.clocks.models import Obligation
    from meridian.core.models import Activity, Notification
    from meridian.documents.models import GeneratedDocument
    from meridian.people.models import Person
    from meridian.visitors.models import (
        AccommodationRegistration,
        ExpertDocument,
        ExpertHiring,
        GuestFile,
        Lecture,
        Visit,
        VisitFile,
        VisitGuest,
    )
    from meridian.workflow.models import ApprovalChain, CaseApproval

    visits = Visit.objects.filter(is_demo=True)
    hirings = ExpertHiring.objects.filter(is_demo=True)
    visit_ids = list(visits.values_list("pk", flat=True))
    hiring_ids = list(hirings.values_list("pk", flat=True))
    lectures = Lecture.objects.filter(is_demo=True) | Lecture.objects.filter(visit_id__in=visit_ids)
    lecture_ids = list(lectures.values_list("pk", flat=True))
    registration_ids = list(
        AccommodationRegistration.objects.filter(guest__visit_id__in=visit_ids).values_list("pk", flat=True)
    )
    person_ids = set(VisitGuest.objects.filter(visit_id__in=visit_ids).values_list("person_id", flat=True))
    person_ids |= set(hirings.exclude(person=None).values_list("person_id", flat=True))
    subjects = (
        (Visit, visit_ids),
        (ExpertHiring, hiring_ids),
        (Lecture, lecture_ids),
        (AccommodationRegistration, registration_ids),
    )
    for model, ids in subjects:
        ref = {"content_type": ContentType.objects.get_for_model(model), "object_id__in": ids}
        CaseApproval.objects.filter(**ref).delete()
        Obligation.objects.filter(**ref).delete()
        Activity.objects.filter(**ref).delete()
        Notification.objects.filter(**ref).delete()
        for document in GeneratedDocument.objects.filter(**ref):
            document.file.delete(save=False)
            document.delete()
    stored: list[Any] = [
        *VisitFile.objects.filter(visit_id__in=visit_ids),
        *GuestFile.objects.filter(guest__visit_id__in=visit_ids),
        *ExpertDocument.objects.filter(hiring_id__in=hiring_ids).exclude(file=""),
    ]
    for record in stored:
        record.file.delete(save=False)
    lectures.delete()
    visits.delete()
    hirings.delete()
    # Guests and experts of the demo, unless a visit or a case outside the demo has taken them up since.
    used = set(VisitGuest.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
    used |= set(ExpertHiring.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
    Person.objects.filter(pk__in=person_ids - used).delete()
    for chain in ApprovalChain.objects.filter(case_type=VISIT, name=CHAIN_NAME):
        if not CaseApproval.objects.filter(chain_version__chain=chain).exists():
            chain.delete()
