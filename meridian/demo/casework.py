"""Demo casework: who leads which unit, which offices review cases, the agreement review chains, and
agreements waiting at each step of their review.

Everything goes through the workflow services with the demo administrator (or the person deciding a step) as
actor, so the demo shows the same history a real review leaves: each step approved or returned, by whom, on
whose behalf and with what comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from meridian.accounts.models import User
from meridian.agreements.models import Agreement
from meridian.demo.organisation import DEANS, FUNCTIONS, OFFICE_CODE, POSTS, Organisation
from meridian.workflow.models import ApprovalChain, CaseApproval, Deputy

AGREEMENT = "agreement"

# The review chain every unit uses (a school's dean first), and the International Office's own chain
# (no dean). Steps with the same order run in parallel; conditions use the agreement's documented fields.
LEGAL_STEP = {
    "order": 3,
    "label": "Legal office (text in English only)",
    "assignee_kind": "function",
    "function": "legal",
    "conditions": [{"field": "english_only", "op": "==", "value": "true"}],
    "due_amount": 5,
    "due_unit": "working_days",
}
RESEARCH_STEP = {
    "order": 3,
    "label": "Research office (research cooperation)",
    "assignee_kind": "function",
    "function": "research",
    "conditions": [{"field": "research_cooperation", "op": "==", "value": "true"}],
    "due_amount": 5,
    "due_unit": "working_days",
}
LEADER_STEP = {
    "order": 4,
    "label": "University leader",
    "assignee_kind": "university_leader",
    "due_amount": 3,
    "due_unit": "working_days",
}
UNIVERSITY_CHAIN = [
    {
        "order": 1,
        "label": "Dean of the school",
        "assignee_kind": "unit_leader",
        "due_amount": 5,
        "due_unit": "working_days",
    },
    {
        "order": 2,
        "label": "International Office review",
        "assignee_kind": "international_office",
        "due_amount": 5,
        "due_unit": "working_days",
    },
    LEGAL_STEP,
    RESEARCH_STEP,
    LEADER_STEP,
]
OFFICE_CHAIN = [
    {
        "order": 2,
        "label": "International Office review",
        "assignee_kind": "international_office",
        "due_amount": 5,
        "due_unit": "working_days",
    },
    LEGAL_STEP,
    RESEARCH_STEP,
    LEADER_STEP,
]
CHAIN_NAMES = ["Agreement review", "Agreement review (International Office agreements)"]
# Who decides when several may: the person named first in this list, else the first by user name.
PREFERRED_DECIDERS = ["demo-officer", "demo-leader", "demo-dean"]


def configure_casework(*, org: Organisation, today: date) -> None:
    """Unit functions and posts, the dean's deputy this month, and the two agreement review chains."""
    from meridian.workflow.services import chain_create, deputy_create, unit_function_set, unit_post_add

    actor = org.admin
    for code, unit_code in FUNCTIONS.items():
        unit_function_set(actor=actor, code=code, unit=org.units[unit_code])
    for username, unit_code, post in POSTS:
        unit_post_add(actor=actor, unit=org.units[unit_code], user=org.users[username], post=post)
    for username, *_names, school in DEANS:
        unit_post_add(actor=actor, unit=org.units[school], user=org.users[username], post="leader")
    dean, deputy = org.users["demo-dean"], org.users["demo-deputy"]
    if not Deputy.objects.filter(principal=dean, deputy=deputy).exists():
        deputy_create(
            actor=actor,
            principal=dean,
            deputy=deputy,
            starts_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=11),
            note="Dean abroad for a conference",
        )
    for name, steps, unit, note in (
        (
            CHAIN_NAMES[0],
            UNIVERSITY_CHAIN,
            None,
            "Dean, International Office, legal office for English-only texts, research office for "
            "research cooperation, university leader",
        ),
        (
            CHAIN_NAMES[1],
            OFFICE_CHAIN,
            org.units[OFFICE_CODE],
            "University-wide agreements the International Office looks after: no dean step",
        ),
    ):
        if not ApprovalChain.objects.filter(case_type=AGREEMENT, unit=unit, is_active=True).exists():
            chain_create(actor=actor, case_type=AGREEMENT, name=name, steps=steps, unit=unit, note=note)


def remove_casework(*, agreement_ids: list[int]) -> None:
    """Remove the review runs of the demo agreements and the demo chains no other case ran on."""
    from django.contrib.contenttypes.models import ContentType

    CaseApproval.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id__in=agreement_ids
    ).delete()
    for chain in ApprovalChain.objects.filter(case_type=AGREEMENT, name__in=CHAIN_NAMES):
        if not CaseApproval.objects.filter(chain_version__chain=chain).exists():
            chain.delete()


def _open_tasks(agreement: Agreement) -> list:
    from meridian.workflow.choices import TaskState
    from meridian.workflow.selectors import approval_for

    approval = approval_for(case=agreement)
    if approval is None or approval.state != "running":
        return []
    return [t for t in approval.tasks.all() if t.state == TaskState.OPEN]


def _decider(task, users: dict[str, User]) -> User:
    assignees = sorted(task.assignees.all(), key=lambda u: u.username)
    for name in PREFERRED_DECIDERS:
        for user in assignees:
            if user.username == name:
                return user
    return assignees[0]


def approve_group(agreement: Agreement, *, users: dict[str, User], comment: str = "") -> list[str]:
    """Approve every open step of the agreement's running review; returns the labels approved."""
    from meridian.workflow.services import step_approve

    labels = []
    for task in _open_tasks(Agreement.objects.get(pk=agreement.pk)):
        step_approve(task=task, actor=_decider(task, users), comment=comment)
        labels.append(task.label)
    return labels


def approve_all(agreement: Agreement, *, users: dict[str, User]) -> None:
    """Take the agreement through every step of its review (each decided by one of its assignees)."""
    for _round in range(10):
        if not approve_group(agreement, users=users):
            return


def open_step_labels(agreement: Agreement) -> list[str]:
    return [t.label for t in _open_tasks(Agreement.objects.get(pk=agreement.pk))]


@dataclass
class Scenario:
    """An agreement under review left waiting at `wait_for`, or returned for correction."""

    wait_for: str
    english_only: bool = False
    returned: bool = False
    deputy: bool = False


SCENARIOS = [
    Scenario(wait_for="Dean of the school"),
    Scenario(wait_for="International Office review", deputy=True),
    Scenario(wait_for="Legal office (text in English only)", english_only=True),
    Scenario(wait_for="University leader"),
    Scenario(wait_for="", returned=True),
]
RETURN_COMMENT = "Please attach the partner's draft and state how many students are exchanged each year."


def build_waiting_agreements(
    *, org: Organisation, agreements: list[Agreement], drafts: list[Agreement]
) -> None:
    """Submit the schools' agreements planned as under review and leave them at each step of the review (see
    SCENARIOS); the rest wait for their first step. Drafts of the schools stand in when too few are planned
    or when fewer than two belong to the School of Engineering."""
    from meridian.agreements.services import agreement_submit, agreement_update
    from meridian.workflow.services import step_approve, step_return

    users = org.users
    agreements = list(agreements)
    spare = list(drafts)
    # The first two scenarios take agreements of the School of Engineering, whose dean (demo-dean) is away:
    # one waits for the dean (and the deputy sees it too), the deputy has approved the other.
    engineering = [a for a in agreements if _in_engineering(org, a)]
    for extra in [a for a in spare if _in_engineering(org, a)][: max(0, 2 - len(engineering))]:
        spare.remove(extra)
        engineering.append(extra)
    others = [a for a in agreements if not _in_engineering(org, a)]
    agreements = engineering[:2] + others + engineering[2:]
    while len(agreements) < len(SCENARIOS) and spare:
        agreements.append(spare.pop())
    for index, agreement in enumerate(agreements):
        scenario = SCENARIOS[index] if index < len(SCENARIOS) else Scenario(wait_for="")
        submitter = org.users["demo-coordinator"] if _in_engineering(org, agreement) else org.admin
        if scenario.english_only and agreement.languages != "en":
            agreement = agreement_update(agreement=agreement, actor=org.admin, languages="en")
        agreement_submit(agreement=agreement, actor=submitter)
        if scenario.returned:
            approve_group(agreement, users=users)
            task = _open_tasks(Agreement.objects.get(pk=agreement.pk))[0]
            step_return(
                task=task,
                actor=_decider(task, users),
                comment=RETURN_COMMENT,
                field_comments={"description": "Say how many students go each way."},
            )
            continue
        if scenario.deputy:
            task = _open_tasks(Agreement.objects.get(pk=agreement.pk))[0]
            if any(u.username == "demo-dean" for u in task.assignees.all()):
                step_approve(
                    task=task, actor=users["demo-deputy"], comment="Approved while the dean is away."
                )
        for _round in range(6):
            labels = open_step_labels(agreement)
            if not scenario.wait_for or scenario.wait_for in labels or not labels:
                break
            approve_group(agreement, users=users)


def _in_engineering(org: Organisation, agreement: Agreement) -> bool:
    engineering = org.schools["engineering"]
    return agreement.responsible_unit.path.startswith(engineering.path)
