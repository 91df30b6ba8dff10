"""Helpers of the foreign-experts tests: a hiring case of the Department of Computing with its staff member,
the documents of the checklist, and publishing a changed experts rule set."""

from __future__ import annotations

import datetime
from typing import Any

from meridian.visitors.choices import REQUIRED_EXPERT_DOCUMENTS
from meridian.visitors.models import ExpertDocument, ExpertHiring
from meridian.visitors.tests.factories import make_hiring
from meridian.workflow.rulepack import ruleset_publish


def hiring_for(org, people, **fields: Any) -> ExpertHiring:
    """A category-B hiring case of Computing (a doctorate, 5 years, 400,000 CNY, born 1985) whose member of
    staff is ``people.staff``, filed by ``people.coordinator``."""
    values: dict[str, Any] = {"supervisor": people.staff, "created_by": people.coordinator}
    values.update(fields)
    return make_hiring(host_unit=org.computing, **values)


def add_documents(
    hiring: ExpertHiring, *, kinds=REQUIRED_EXPERT_DOCUMENTS, expires_on: datetime.date | None = None
) -> None:
    """Paper originals of ``kinds`` received today (no file), valid until ``expires_on``."""
    for kind in kinds:
        ExpertDocument.objects.create(
            hiring=hiring, kind=kind, received_on=datetime.date.today(), expires_on=expires_on
        )


def publish(admin, code: str, **parameters: Any) -> None:
    """Publish a new experts rule set with ``parameters`` of rule ``code`` changed."""
    ruleset_publish(
        context="experts", actor=admin, settings={code: {"parameters": parameters}}, note="Test change"
    )
