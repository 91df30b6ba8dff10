"""Foreign experts' hiring cases as cases of the workflow engine (case type ``expert_hiring``).

The lifecycle (外国专家 as universities run it; design note, "Foreign experts"):

    need → candidate (the person chosen) → qualified (the office: required documents present and valid,
      the category criteria met or justified) → permit applied → permit issued (number, date, valid until)
      → visa notification → arrived (entry date) → residence permit (date, valid until) → employed
    employed → change filed (a reported change) → employed once the authorities accepted it
    employed → renewal → employed (new end dates)
    arrived … renewal → left; need … visa notification → cancelled (with a reason)

Every dated step takes its date with the move (``inputs``) and needs it (``required_fields``); dates may not
lie in the future and must follow the earlier steps. The qualification is the office's decision, taken
without an approval chain (the chain would need a review state the lifecycle does not have). Each move brings
the case's deadlines up to date after commit (``deadlines_experts``); recording the entry also tells the
people on the case that leaving China before the residence permit is issued voids the visa.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.visitors.choices import REQUIRED_EXPERT_DOCUMENTS, ExpertDocumentKind, ExpertState
from meridian.workflow.declaration import CaseField, CaseType, EvaluationDate, Guard, MoveContext, Transition
from meridian.workflow.registry import case_types
from meridian.workflow.rulepack import Joined

E = ExpertState
EXPERT_HIRING = "expert_hiring"

# The day date guards compare with; background jobs, the demo and tests set another with evaluation_date(day).
_dates = EvaluationDate("experts")
evaluation_date = _dates.at
today = _dates.today

BEFORE_ARRIVAL = (E.NEED, E.CANDIDATE, E.QUALIFIED, E.PERMIT_APPLIED, E.PERMIT_ISSUED, E.VISA_NOTICE)
IN_CHINA = (E.ARRIVED, E.RESIDENCE_PERMIT, E.EMPLOYED, E.CHANGE_FILED, E.RENEWAL)


# --- who may act ---------------------------------------------------------------------------------------


def handler(user: Any, hiring: Any) -> bool:
    """The responsible member of staff (while staff of the university), the host unit's secretaries, or the
    office (``permissions.expert_handler``)."""
    from meridian.visitors.permissions import expert_handler

    return expert_handler(user, hiring)


def office(user: Any, hiring: Any) -> bool:
    """International Office officers and administrators: they decide the qualification."""
    from meridian.visitors.permissions import is_office

    return is_office(user)


# --- documents -----------------------------------------------------------------------------------------


def document_status(hiring: Any, day: date | None = None) -> list[dict[str, Any]]:
    """The checklist of required documents: ``[{kind, label, document, present, expired}]`` in the order of
    ``REQUIRED_EXPERT_DOCUMENTS``. A document is present when an entry of its kind has a file or a date of
    receipt; the newest such entry counts, and it is expired when its ``expires_on`` lies before ``day``
    (default: the evaluation date)."""
    day = day or today()
    newest: dict[str, Any] = {}
    for document in sorted(hiring.documents.all(), key=lambda d: (d.uploaded_at, d.pk), reverse=True):
        if document.kind not in newest and (document.file or document.received_on):
            newest[document.kind] = document
    rows = []
    for kind in REQUIRED_EXPERT_DOCUMENTS:
        document = newest.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": ExpertDocumentKind(kind).label,
                "document": document,
                "present": document is not None,
                "expired": bool(document and document.expires_on and document.expires_on < day),
            }
        )
    return rows


def _documents_ready(hiring: Any) -> bool:
    return all(row["present"] and not row["expired"] for row in document_status(hiring))


def _documents_reason(hiring: Any) -> str:
    rows = document_status(hiring)
    missing = [str(r["label"]) for r in rows if not r["present"]]
    expired = [str(r["label"]) for r in rows if r["expired"]]
    parts = []
    if missing:
        parts.append(_("Missing documents: %(list)s.") % {"list": Joined(missing)})
    if expired:
        parts.append(_("Expired documents: %(list)s.") % {"list": Joined(expired)})
    return " ".join(parts)


# --- guards --------------------------------------------------------------------------------------------


def _has_person(hiring: Any) -> bool:
    return hiring.person_id is not None


def criteria_failures(hiring: Any) -> list[str]:
    """Messages of the experts rules that stop the qualification now (``rules_experts``)."""
    from meridian.visitors.rules_experts import blocking_messages

    return blocking_messages(hiring)


def _criteria_pass(hiring: Any) -> bool:
    return not criteria_failures(hiring)


def _criteria_reason(hiring: Any) -> str:
    return " ".join(criteria_failures(hiring))


# Dates of a step that may lie ahead (validity and contract ends); every other dated input of a move records
# something that happened and is checked against the evaluation date (``today()``).
FUTURE_ALLOWED = frozenset({"permit_expires_on", "residence_permit_expires_on", "contract_ends_on"})

# What each date is, in words, for the messages of the date checks.
_FUTURE_MESSAGES = {
    "permit_applied_on": gettext_lazy("The date of the work permit application cannot be in the future."),
    "permit_issued_on": gettext_lazy("The date of the work permit notice cannot be in the future."),
    "visa_notice_on": gettext_lazy("The date of the visa notification cannot be in the future."),
    "entered_on": gettext_lazy("The entry date cannot be in the future."),
    "residence_permit_on": gettext_lazy("The date the residence permit was issued cannot be in the future."),
    "employed_on": gettext_lazy("The start of employment cannot be in the future."),
    "left_on": gettext_lazy("The departure date cannot be in the future."),
}
_ORDER_MESSAGES = {
    ("permit_applied_on", "permit_issued_on"): gettext_lazy(
        "The work permit cannot be issued before it was applied for (%(date)s)."
    ),
    ("permit_issued_on", "permit_expires_on"): gettext_lazy(
        "The work permit must expire after the day it was issued (%(date)s)."
    ),
    ("permit_issued_on", "visa_notice_on"): gettext_lazy(
        "The visa notification cannot be before the work permit notice (%(date)s)."
    ),
    ("visa_notice_on", "entered_on"): gettext_lazy(
        "The entry date cannot be before the visa notification (%(date)s)."
    ),
    ("entered_on", "residence_permit_on"): gettext_lazy(
        "The residence permit cannot be issued before the entry date (%(date)s)."
    ),
    ("residence_permit_on", "residence_permit_expires_on"): gettext_lazy(
        "The residence permit must expire after the day it was issued (%(date)s)."
    ),
    ("entered_on", "employed_on"): gettext_lazy("Employment cannot start before the entry date (%(date)s)."),
    ("contract_starts_on", "contract_ends_on"): gettext_lazy(
        "The contract must end after it starts (%(date)s)."
    ),
    ("entered_on", "left_on"): gettext_lazy("The departure date cannot be before the entry date (%(date)s)."),
}


def _not_future(name: str) -> Guard:
    """The date in ``name`` (when entered) is not after the evaluation date."""

    def test(hiring: Any) -> bool:
        value = getattr(hiring, name)
        return value is None or value <= today()

    def reason(hiring: Any) -> str:
        message = _FUTURE_MESSAGES.get(name)
        if message is not None:
            return str(message)
        label = hiring._meta.get_field(name).verbose_name
        return _("The date “%(field)s” cannot be in the future.") % {"field": str(label)}

    return Guard(test, reason)


def _in_order(earlier: str, later: str, *, strict: bool = False) -> Guard:
    """The date in ``later`` is on or after (``strict``: after) the date in ``earlier``, when both are set;
    the message is the sentence of ``_ORDER_MESSAGES`` for the pair."""

    def test(hiring: Any) -> bool:
        first, second = getattr(hiring, earlier), getattr(hiring, later)
        if first is None or second is None:
            return True
        return second > first if strict else second >= first

    def reason(hiring: Any) -> str:
        return str(_ORDER_MESSAGES[(earlier, later)]) % {"date": getattr(hiring, earlier).isoformat()}

    if (earlier, later) not in _ORDER_MESSAGES:
        raise KeyError(f"No message for the date order {earlier} → {later}")
    return Guard(test, reason)


def _unreported_changes(hiring: Any) -> bool:
    return hiring.changes.filter(reported_on__isnull=True).exists()


def _renewed_beyond_window(hiring: Any) -> bool:
    from meridian.visitors.deadlines_experts import renewal_due

    due = renewal_due(hiring)
    return due is not None and due > today()


def _renewal_extends(hiring: Any) -> bool:
    """The renewal moves the contract's or the work permit's end later than stored before the move."""
    stored = type(hiring).objects.filter(pk=hiring.pk).values("contract_ends_on", "permit_expires_on").first()
    if stored is None:
        return True

    def later(name: str) -> bool:
        new, old = getattr(hiring, name), stored[name]
        return new is not None and (old is None or new > old)

    return later("contract_ends_on") or later("permit_expires_on")


def _renewal_reason(hiring: Any) -> str:
    from meridian.visitors.rules_experts import parameter

    return _(
        "Enter the new end dates: the contract and the work permit must run more than %(days)s days beyond "
        "today, or the renewal is still due."
    ) % {"days": parameter("deadlines", "renewal_days")}


# --- side effects --------------------------------------------------------------------------------------


def _sync_clocks(ctx: MoveContext) -> None:
    """Bring the expert clocks in line once the move is committed."""
    from meridian.visitors.deadlines_experts import expert_clocks_sync

    transaction.on_commit(lambda: expert_clocks_sync())


def _store_criteria(ctx: MoveContext) -> None:
    """Keep, on the case, the criteria results it was qualified with (and their rule-set version)."""
    from meridian.visitors.rules_experts import criteria_check

    criteria_check(ctx.case, save=True)


def _mark_changes_reported(ctx: MoveContext) -> None:
    """Filing the change with the authorities reports every change not yet reported, as of today."""
    ctx.case.changes.filter(reported_on__isnull=True).update(reported_on=today())


def arrival_people(hiring: Any) -> list[Any]:
    """Who hears about the entry: the member of staff, whoever filed the case, and the expert's account."""
    found = [hiring.supervisor, hiring.created_by]
    if hiring.person_id and hiring.person.user_id:
        found.append(hiring.person.user)
    return [u for u in found if u is not None]


def _warn_about_leaving(ctx: MoveContext) -> None:
    """Tell the people on the case, when the entry is recorded, that the residence permit is now due and that
    leaving China before it is issued voids the visa."""
    from meridian.core.notifications import notify
    from meridian.visitors.deadlines_experts import VISA_WARNING, residence_due

    hiring = ctx.case
    due = residence_due(hiring)
    number = hiring.number
    due_text = due.isoformat() if due else ""
    notify(
        recipients=arrival_people(hiring),
        subject=lambda: (
            _("%(number)s: the residence permit is due by %(date)s")
            % {
                "number": number,
                "date": due_text,
            }
        ),
        body=lambda: str(VISA_WARNING),
        url=hiring.get_absolute_url(),
        verb="visitors.expert_arrived",
        target=hiring,
    )


def _move(**kwargs: Any) -> Transition:
    """A transition whose effects end with the clock sync, and whose dated inputs that record something done
    (every ``*_on`` input but ``FUTURE_ALLOWED``) may not lie after the evaluation date."""
    effects: list[Callable[[MoveContext], None]] = [*kwargs.pop("effects", ()), _sync_clocks]
    dated = [n for n in kwargs.get("inputs", ()) if n.endswith("_on") and n not in FUTURE_ALLOWED]
    guards = [*(_not_future(name) for name in dated), *kwargs.pop("guards", ())]
    return Transition(effects=effects, guards=guards, **kwargs)


EXPERT_TRANSITIONS = [
    _move(
        name="choose_candidate",
        label=gettext_lazy("Record the chosen candidate"),
        sources={E.NEED},
        target=E.CANDIDATE,
        allowed=handler,
        guards=[Guard(_has_person, gettext_lazy("Choose the candidate (a foreign expert's record) first."))],
        style="primary",
    ),
    _move(
        name="qualify",
        label=gettext_lazy("Confirm the qualifications"),
        sources={E.CANDIDATE},
        target=E.QUALIFIED,
        allowed=office,
        guards=[Guard(_documents_ready, _documents_reason), Guard(_criteria_pass, _criteria_reason)],
        effects=[_store_criteria],
        style="primary",
    ),
    _move(
        name="apply_permit",
        label=gettext_lazy("Record the work permit application"),
        sources={E.QUALIFIED},
        target=E.PERMIT_APPLIED,
        allowed=handler,
        inputs=("permit_applied_on",),
        required_fields=("permit_applied_on",),
        style="primary",
    ),
    _move(
        name="issue_permit",
        label=gettext_lazy("Record the work permit notice"),
        sources={E.PERMIT_APPLIED},
        target=E.PERMIT_ISSUED,
        allowed=handler,
        inputs=("permit_number", "permit_issued_on", "permit_expires_on"),
        required_fields=("permit_number", "permit_issued_on", "permit_expires_on"),
        guards=[
            _in_order("permit_applied_on", "permit_issued_on"),
            _in_order("permit_issued_on", "permit_expires_on", strict=True),
        ],
        style="primary",
    ),
    _move(
        name="visa_notice",
        label=gettext_lazy("Record the visa notification"),
        sources={E.PERMIT_ISSUED},
        target=E.VISA_NOTICE,
        allowed=handler,
        inputs=("visa_notice_on",),
        required_fields=("visa_notice_on",),
        guards=[_in_order("permit_issued_on", "visa_notice_on")],
        style="primary",
    ),
    _move(
        name="arrive",
        label=gettext_lazy("Record the entry into China"),
        sources={E.VISA_NOTICE},
        target=E.ARRIVED,
        allowed=handler,
        inputs=("entered_on",),
        required_fields=("entered_on",),
        guards=[_in_order("visa_notice_on", "entered_on")],
        effects=[_warn_about_leaving],
        style="primary",
    ),
    _move(
        name="residence_permit",
        label=gettext_lazy("Record the residence permit"),
        sources={E.ARRIVED},
        target=E.RESIDENCE_PERMIT,
        allowed=handler,
        inputs=("residence_permit_on", "residence_permit_expires_on"),
        required_fields=("residence_permit_on", "residence_permit_expires_on"),
        guards=[
            _in_order("entered_on", "residence_permit_on"),
            _in_order("residence_permit_on", "residence_permit_expires_on", strict=True),
        ],
        style="primary",
    ),
    _move(
        name="employ",
        label=gettext_lazy("Record the start of employment"),
        sources={E.RESIDENCE_PERMIT},
        target=E.EMPLOYED,
        allowed=handler,
        inputs=("employed_on",),
        required_fields=("employed_on",),
        guards=[_in_order("entered_on", "employed_on")],
        style="primary",
    ),
    _move(
        name="file_change",
        label=gettext_lazy("File the reported changes with the authorities"),
        sources={E.EMPLOYED},
        target=E.CHANGE_FILED,
        allowed=handler,
        guards=[Guard(_unreported_changes, gettext_lazy("Report the change on this page first."))],
        effects=[_mark_changes_reported],
        style="primary",
    ),
    _move(
        name="accept_change",
        label=gettext_lazy("Record that the change was accepted"),
        sources={E.CHANGE_FILED},
        target=E.EMPLOYED,
        allowed=handler,
        style="primary",
    ),
    _move(
        name="start_renewal",
        label=gettext_lazy("Start the renewal"),
        sources={E.EMPLOYED},
        target=E.RENEWAL,
        allowed=handler,
    ),
    _move(
        name="complete_renewal",
        label=gettext_lazy("Complete the renewal"),
        sources={E.RENEWAL},
        target=E.EMPLOYED,
        allowed=handler,
        inputs=("contract_ends_on", "permit_expires_on", "residence_permit_expires_on"),
        required_fields=("contract_ends_on", "permit_expires_on"),
        guards=[
            _in_order("contract_starts_on", "contract_ends_on", strict=True),
            Guard(
                _renewal_extends,
                gettext_lazy(
                    "A renewal must extend the contract or the work permit: enter the new, later end dates."
                ),
            ),
            Guard(_renewed_beyond_window, _renewal_reason),
        ],
        style="primary",
    ),
    _move(
        name="leave",
        label=gettext_lazy("Record the departure for good"),
        sources=set(IN_CHINA),
        target=E.LEFT,
        allowed=handler,
        inputs=("left_on",),
        required_fields=("left_on",),
        guards=[_in_order("entered_on", "left_on")],
        style="danger",
    ),
    _move(
        name="cancel",
        label=gettext_lazy("Cancel the hiring"),
        sources=set(BEFORE_ARRIVAL),
        target=E.CANCELLED,
        allowed=handler,
        comment_required=True,
        style="danger",
    ),
]


# --- documented fields ---------------------------------------------------------------------------------


def _contract_days(hiring: Any) -> int | None:
    from meridian.visitors.rules_experts import contract_days

    return contract_days(hiring.contract_starts_on, hiring.contract_ends_on)


def _visible(user: Any, queryset: Any) -> Any:
    return queryset.visible_to(user)


def _watchers(hiring: Any) -> list[Any]:
    return [u for u in (hiring.created_by,) if u is not None]


def _title(hiring: Any) -> str:
    return f"{hiring.number} {hiring.person}" if hiring.person_id else f"{hiring.number} {hiring.position}"


def residence_permit_pending(hiring: Any) -> bool:
    """The expert is (or is about to be) in China without a residence permit: the visa warning applies."""
    return hiring.state in (E.VISA_NOTICE, E.ARRIVED)


def days_left(day: date | None) -> int | None:
    """Calendar days from the evaluation date to ``day`` (negative when past)."""
    return (day - today()).days if day else None


EXPERT_HIRING_TYPE = CaseType(
    code=EXPERT_HIRING,
    model="visitors.ExpertHiring",
    label=gettext_lazy("Foreign expert hiring"),
    label_plural=gettext_lazy("Foreign expert hirings"),
    states=ExpertState,
    initial=E.NEED,
    state_field="state",
    state_changed_field="state_changed_at",
    terminal={E.LEFT, E.CANCELLED},
    transitions=EXPERT_TRANSITIONS,
    fields=[
        CaseField("permit_category", gettext_lazy("Work permit category (A, B, C)"), kind="str"),
        CaseField("kind", gettext_lazy("Kind (expert, teacher, postdoc)"), kind="str"),
        CaseField("annual_salary", gettext_lazy("Annual salary in CNY"), kind="decimal"),
        CaseField("contract_days", gettext_lazy("Contract length in days"), kind="int", get=_contract_days),
        CaseField("contract_starts_on", gettext_lazy("Contract start"), kind="date"),
    ],
    unit=lambda hiring: hiring.host_unit,
    applicant_field="supervisor",
    unit_field="host_unit",
    visible=_visible,
    title=_title,
    watchers=_watchers,
    date_field="contract_starts_on",
)
case_types.register(EXPERT_HIRING_TYPE)
