"""Reads for agreements, restricted to what the user may see and shaped for a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from meridian.agreements import permissions
from meridian.agreements.choices import AgreementState
from meridian.agreements.models import Agreement, AgreementPartner
from meridian.core.activity import activity_for
from meridian.core.history import HistoryEntry, history_entries


def agreement_list(*, user) -> QuerySet[Agreement]:
    """Visible agreements with their unit, parties (partner and country) and channels loaded in bulk."""
    parties = AgreementPartner.objects.select_related("partner__country").order_by("partner__name")
    return (
        Agreement.objects.visible_to(user)
        .select_related("responsible_unit")
        .prefetch_related(Prefetch("parties", queryset=parties), "channels")
    )


def agreement_get(*, user, pk: int) -> Agreement:
    """One visible agreement (Agreement.DoesNotExist for missing and invisible alike)."""
    return (
        Agreement.objects.visible_to(user)
        .select_related("responsible_unit", "home_coordinator", "created_by")
        .get(pk=pk)
    )


def allowed_actions(*, user, agreement: Agreement) -> list[str]:
    """The lifecycle actions (renew included) the user may take now, in lifecycle order."""
    return [a for a in permissions.TRANSITIONS if permissions.can_transition(user, agreement, a)]


@dataclass
class AgreementDetail:
    agreement: Agreement
    parties: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    signatories: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    transitions: list = field(default_factory=list)
    addenda: list = field(default_factory=list)
    successor: Agreement | None = None
    umbrella: Agreement | None = None
    renews: Agreement | None = None
    actions: list[str] = field(default_factory=list)
    activity: list = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    can_edit: bool = False
    can_upload: bool = False


def agreement_detail(*, user, agreement: Agreement) -> AgreementDetail:
    """Everything the detail page and API detail show; related agreements only when the user may see them."""
    visible = Agreement.objects.visible_to(user)
    return AgreementDetail(
        agreement=agreement,
        parties=list(
            agreement.parties.select_related("partner__country", "partner_unit", "coordinator").order_by(
                "partner__name"
            )
        ),
        channels=list(agreement.channels.all()),
        signatories=list(agreement.signatories.select_related("partner")),
        documents=list(agreement.documents.select_related("uploaded_by")),
        transitions=list(agreement.transitions.select_related("actor")),
        addenda=list(visible.filter(umbrella=agreement).order_by("number")),
        successor=visible.filter(renews=agreement).first(),
        umbrella=visible.filter(pk=agreement.umbrella_id).first() if agreement.umbrella_id else None,
        renews=visible.filter(pk=agreement.renews_id).first() if agreement.renews_id else None,
        actions=allowed_actions(user=user, agreement=agreement),
        activity=list(activity_for(targets={Agreement: [agreement.pk]})),
        history=history_entries(instance=agreement),
        can_edit=permissions.can_edit_agreement(user, agreement),
        can_upload=permissions.can_upload_document(user, agreement),
    )


def agreement_counts_by_state(*, user) -> dict[str, int]:
    """Number of visible agreements in each state (every state present, zero when none)."""
    counts = dict.fromkeys(AgreementState.values, 0)
    rows = Agreement.objects.visible_to(user).order_by().values("state").annotate(n=Count("pk"))
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts


def agreements_expiring(*, user, days: int) -> QuerySet[Agreement]:
    """Visible active agreements ending within `days`, soonest first."""
    return agreement_list(user=user).expiring_within(days).order_by("end_date", "number")
