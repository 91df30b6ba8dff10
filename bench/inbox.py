"""Inbox pages on a large case load: 50,000 cases under review (5,000 with ``--quick``), each with a running
approval whose current step is open, beside the deadlines scenario's open obligations.

Cases are the data set's agreements, topped up with bench agreements when the data set has fewer. Each
case's approval has two steps (unit coordinator, then the International Office); about a third wait at the
office step, so the officer's "my tasks" tab and the office view hold many thousands of open tasks, and the
coordinator sees the first step of their units' cases. The scenarios read the inbox tabs with the filters
people use.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

CASES = {"full": 50_000, "quick": 5_000}
BATCH = 5000
CHAIN_NAME = "Bench review chain"


def ensure_cases(size_name: str, *, say: Callable[[str], None]) -> int:
    """Make sure the bench database holds the wanted number of running bench approvals; returns it."""
    from meridian.workflow.models import ApprovalChain, CaseApproval

    wanted = CASES[size_name]
    chain = ApprovalChain.objects.filter(name=CHAIN_NAME).first()
    present = CaseApproval.objects.filter(chain_version__chain=chain).count() if chain else 0
    if present == wanted:
        say(f"Inbox: {wanted:,} cases under review are ready (built earlier).")
        return wanted
    say(f"Inbox: building {wanted:,} cases under review ...")
    _build(wanted)
    return wanted


def _top_up_agreements(n: int, rng: random.Random) -> list[tuple[int, int]]:
    from meridian.accounts.models import OrgUnit
    from meridian.agreements.models import Agreement

    have = list(Agreement.objects.order_by("pk").values_list("pk", "responsible_unit_id")[:n])
    missing = n - len(have)
    if missing > 0:
        units = list(OrgUnit.objects.values_list("pk", flat=True))
        today = timezone.localdate()
        for start in range(0, missing, BATCH):
            Agreement.objects.bulk_create(
                [
                    Agreement(
                        number=f"CASE-{i:06d}",
                        title_en=f"Agreement under review {i}",
                        title_zh=f"审核中的协议{i}",
                        kind="mou",
                        responsible_unit_id=rng.choice(units),
                        start_date=today,
                        state="under_review",
                        languages="en,zh",
                    )
                    for i in range(start, min(missing, start + BATCH))
                ],
                batch_size=BATCH,
            )
        have = list(Agreement.objects.order_by("pk").values_list("pk", "responsible_unit_id")[:n])
    return have


@transaction.atomic
def _build(n: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from meridian.accounts.choices import Role
    from meridian.accounts.models import Membership, User
    from meridian.agreements.models import Agreement
    from meridian.workflow.models import (
        ApprovalChain,
        ApprovalChainVersion,
        ApprovalStep,
        CaseApproval,
        StepTask,
    )

    old = ApprovalChain.objects.filter(name=CHAIN_NAME).first()
    if old is not None:
        runs = CaseApproval.objects.filter(chain_version__chain=old)
        StepTask.objects.filter(approval__in=runs).delete()
        runs.delete()
        old.delete()
    rng = random.Random(2026)
    cases = _top_up_agreements(n, rng)
    officer = User.objects.get(username="demo-officer")
    coordinators: dict[int, list[int]] = {}
    for unit_id, user_id in Membership.objects.filter(role=Role.COORDINATOR).values_list(
        "unit_id", "user_id"
    ):
        coordinators.setdefault(unit_id, []).append(user_id)
    fallback = [officer.pk]
    chain = ApprovalChain.objects.create(case_type="agreement", name=CHAIN_NAME)
    version = ApprovalChainVersion.objects.create(chain=chain, number=1, note="bench")
    first = ApprovalStep.objects.create(
        version=version, order=1, label="Unit coordinator", assignee_kind="unit_coordinator"
    )
    second = ApprovalStep.objects.create(
        version=version, order=2, label="International Office", assignee_kind="international_office"
    )
    content_type = ContentType.objects.get_for_model(Agreement)
    now = timezone.now()
    through = StepTask.assignees.through
    for start in range(0, n, BATCH):
        chunk = cases[start : start + BATCH]
        approvals = CaseApproval.objects.bulk_create(
            [
                CaseApproval(
                    content_type=content_type,
                    object_id=pk,
                    case_type="agreement",
                    chain_version=version,
                    started_at=now - timedelta(hours=rng.randint(1, 24 * 60)),
                )
                for pk, _unit in chunk
            ],
            batch_size=BATCH,
        )
        tasks, who = [], []
        for approval, (_pk, unit_id) in zip(approvals, chunk, strict=True):
            at_office = rng.random() < 0.35
            due = now + timedelta(hours=rng.randint(-24 * 10, 24 * 20))
            tasks.append(
                StepTask(
                    approval=approval,
                    step=first,
                    order=1,
                    label=first.label,
                    assignee_kind=first.assignee_kind,
                    state="approved" if at_office else "open",
                    opened_at=approval.started_at,
                    due_at=due,
                    acted_at=now if at_office else None,
                )
            )
            who.append(coordinators.get(unit_id, fallback))
            tasks.append(
                StepTask(
                    approval=approval,
                    step=second,
                    order=2,
                    label=second.label,
                    assignee_kind=second.assignee_kind,
                    state="open" if at_office else "waiting",
                    opened_at=now if at_office else None,
                    due_at=due + timedelta(days=5) if at_office else None,
                )
            )
            who.append([officer.pk])
        made = StepTask.objects.bulk_create(tasks, batch_size=BATCH)
        through.objects.bulk_create(
            [
                through(steptask_id=task.pk, user_id=user_id)
                for task, users in zip(made, who, strict=True)
                for user_id in users
            ],
            batch_size=BATCH,
        )


def inbox_scenarios(officer_client, coordinator_client, *, scenario, error, target_ms: float) -> list:
    """The inbox as an officer and a coordinator, and the office view, cycling through tabs and filters."""
    from django.urls import reverse

    def get(who, path: str, params: dict) -> None:
        response = who.get(path, params)
        if response.status_code != 200:
            raise error(f"GET {path} {params or ''} answered {response.status_code}")

    inbox, office = reverse("workflow:inbox"), reverse("workflow:office")
    officer_params = itertools.cycle(
        [{}, {"overdue": "1"}, {"page": "20"}, {"tab": "mine"}, {"tab": "watched"}]
    )
    coordinator_params = itertools.cycle([{}, {"overdue": "1"}, {"page": "3"}])
    office_params = itertools.cycle([{}, {"page": "10"}, {"overdue": "1"}])
    return [
        scenario("inbox (officer)", target_ms, lambda: get(officer_client, inbox, next(officer_params))),
        scenario(
            "inbox (coordinator)", target_ms, lambda: get(coordinator_client, inbox, next(coordinator_params))
        ),
        scenario("inbox office view", target_ms, lambda: get(officer_client, office, next(office_params))),
    ]
