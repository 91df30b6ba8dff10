"""Writing foreign experts' hiring cases: filing and editing, the candidate's person record, the documents of
the checklist, reported changes, justifications of category criteria, and the lifecycle moves.

The lifecycle is declared in ``casework_experts`` (case type ``expert_hiring``); moves go through
``meridian.workflow.services.case_move``. The category criteria are the ``experts`` rule pack
(``rules_experts``); after every change here the stored criteria results and the deadlines follow
(``deadlines_experts``). Money is in CNY; dates are local calendar dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.visitors import permissions
from meridian.visitors.casework_experts import IN_CHINA, today
from meridian.visitors.choices import ExpertChangeKind, ExpertDocumentKind, ExpertState
from meridian.visitors.models import ExpertChange, ExpertDocument, ExpertHiring
from meridian.workflow.choices import RuleSeverity
from meridian.workflow.files import checked_file
from meridian.workflow.services import case_move

EDITABLE_FIELDS = (
    "kind",
    "position",
    "duties",
    "host_unit",
    "supervisor",
    "person",
    "contract_starts_on",
    "contract_ends_on",
    "annual_salary",
    "permit_category",
    "degree",
    "experience_years",
    "talent_programme",
    "programme_funds",
)
# What may still change once the qualifications are checked: the rest is what the permit was applied for.
ALWAYS_EDITABLE = ("duties", "supervisor", "talent_programme", "programme_funds")
OPEN_STATES = (ExpertState.NEED, ExpertState.CANDIDATE)
CLOSED_STATES = (ExpertState.LEFT, ExpertState.CANCELLED)
PERSON_FIELDS = ("family_name", "given_name", "name_zh", "gender", "birth_date", "nationality", "email")


def editable_fields(hiring: ExpertHiring | None) -> tuple[str, ...]:
    """The fields a form may change on ``hiring`` now (all of them for a new case)."""
    if hiring is None or hiring.state in OPEN_STATES:
        return EDITABLE_FIELDS
    if hiring.state in CLOSED_STATES:
        return ()
    return ALWAYS_EDITABLE


def expert_number_next(*, year: int) -> str:
    """The next free number, ``FEX-<year>-<4-digit sequence>``."""
    prefix = f"FEX-{year}-"
    highest = 0
    for number in ExpertHiring.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def number_year(starts_on: date | None) -> int:
    """The year of a case number: the contract start's, or the evaluation date's
    (``casework_experts.today()``, which the demo and background jobs set) while there is no start yet."""
    return (starts_on or today()).year


def after_change() -> None:
    """Once the transaction commits: the expert clocks follow the data (the daily sync would too)."""
    from meridian.visitors.deadlines_experts import expert_clocks_sync

    transaction.on_commit(lambda: expert_clocks_sync())


def _recheck(hiring: ExpertHiring) -> None:
    from meridian.visitors.rules_experts import criteria_check

    criteria_check(hiring, save=True)


def _validate(hiring: ExpertHiring, *, exclude: list[str] | None = None) -> None:
    """``full_clean``, with dates in the wrong order said in words instead of as the constraint's name."""
    reversed_dates = bool(
        hiring.contract_starts_on
        and hiring.contract_ends_on
        and hiring.contract_ends_on <= hiring.contract_starts_on
    )
    errors: dict[str, Any] = {}
    try:
        hiring.full_clean(exclude=exclude, validate_constraints=not reversed_dates)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if reversed_dates:
        errors.setdefault("contract_ends_on", []).append(_("The contract must end after it starts."))
    person = hiring.person if hiring.person_id else None
    if person is not None and person.kind != "foreign_expert":
        errors.setdefault("person", []).append(_("Choose the record of a foreign expert."))
    if (
        hiring.supervisor_id
        and hiring.host_unit_id
        and not permissions.may_supervise_expert(hiring.supervisor, hiring.host_unit)
    ):
        errors.setdefault("supervisor", []).append(str(SUPERVISOR_REFUSED))
    if errors:
        raise ValidationError(errors)


SUPERVISOR_REFUSED = gettext_lazy(
    "Choose a member of staff of the host unit, of a unit above it or of one of its subunits: students, "
    "partner contacts, leadership viewers and accounts without a staff role cannot be responsible for a "
    "foreign expert."
)


def _may_use_person(actor, person) -> None:
    """A candidate on record is one ``actor`` may see (people rules) or a foreign expert of a unit they act
    for; the office uses any."""
    if actor is None or person is None or permissions.is_office(actor):
        return
    from meridian.people.models import Person

    if Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        return
    if person.unit_id is not None and person.unit_id in permissions.acted_unit_ids(actor):
        return
    raise ValidationError({"person": [_("Choose a candidate on record that you may see.")]})


def _may_file(actor, unit_id: int | None) -> None:
    if actor is not None and not (
        permissions.can_create_expert_hiring(actor) and permissions.acts_for_unit(actor, unit_id)
    ):
        raise PermissionDeniedError(
            _("Only the International Office or the host unit's secretaries file foreign expert hirings.")
        )


def _may_handle(actor, hiring: ExpertHiring) -> None:
    if actor is not None and not permissions.expert_handler(actor, hiring):
        raise PermissionDeniedError(
            _("Only the responsible member of staff, the host unit or the International Office may do this.")
        )


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


@transaction.atomic
def expert_hiring_create(*, actor, **fields: Any) -> ExpertHiring:
    """File a hiring case (state "need") from ``EDITABLE_FIELDS``: ``position``, ``host_unit``,
    ``contract_starts_on``, ``contract_ends_on`` are needed; ``person`` (a foreign expert's Person),
    ``supervisor``, ``annual_salary`` (CNY per year), ``permit_category`` (A, B, C), ``degree``,
    ``experience_years``, ``talent_programme``, ``programme_funds`` (CNY) are optional.

    The office, or a coordinator or foreign-affairs secretary of the host unit. Numbered
    ``FEX-<year>-NNNN`` (``number_year``: the contract start's year); the category
    criteria are checked and stored at once. Raises ``PermissionDeniedError``, ``ValidationError`` (missing
    or bad fields, contract ending before it starts, a person who is not a foreign expert or whom the actor
    may not see, a responsible member of staff who is not staff of the host unit — ``expert_supervisors``).
    """
    _unknown(fields, EDITABLE_FIELDS)
    hiring = ExpertHiring(**fields)
    _may_file(actor, hiring.host_unit_id)
    _may_use_person(actor, fields.get("person"))
    hiring.created_by = actor if actor is not None and actor.is_authenticated else None
    year = number_year(hiring.contract_starts_on)
    hiring.number = expert_number_next(year=year)
    _validate(hiring, exclude=["number"])
    hiring._history_user = hiring.created_by  # type: ignore[attr-defined]
    for attempt in range(5):
        try:
            with transaction.atomic():
                hiring.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
            hiring.pk = None
            hiring.number = expert_number_next(year=year)
    _recheck(hiring)
    activity_record(
        target=hiring,
        verb="created",
        actor=actor,
        message=lambda: _("Foreign expert hiring %(number)s filed") % {"number": hiring.number},
    )
    after_change()
    return hiring


@transaction.atomic
def expert_hiring_update(
    *, hiring: ExpertHiring, actor, expected_version: int | None = None, **fields: Any
) -> ExpertHiring:
    """Change a hiring case. Before the qualification (need, candidate) every field of ``EDITABLE_FIELDS``;
    afterwards only ``ALWAYS_EDITABLE`` (duties, member of staff, talent programme and its funds): the rest is
    what the permit was applied for (new end dates come with the renewal). Nothing after it is closed.

    Those who handle the case (``permissions.expert_handler``); moving it to another unit needs the right to
    file for that unit. Raises ``PermissionDeniedError``, ``StaleEditError`` (changed since
    ``expected_version``), ``ValidationError`` (bad values, a field that may not change now, named; a
    responsible member of staff who is not staff of the host unit; a candidate the actor may not see).
    """
    current = ExpertHiring.objects.select_for_update().get(pk=hiring.pk)
    _may_handle(actor, current)
    ensure_fresh(instance=current, expected_version=expected_version, fields=list(EDITABLE_FIELDS))
    _unknown(fields, EDITABLE_FIELDS)
    allowed = editable_fields(current)
    locked = sorted(
        name
        for name, value in fields.items()
        if name not in allowed and getattr(current, _attname(name)) != _id(value)
    )
    if locked:
        message = (
            _("A closed case cannot be changed.")
            if current.state in CLOSED_STATES
            else _("This can be changed only before the qualifications are checked.")
        )
        raise ValidationError({name: [message] for name in locked})
    old_unit = current.host_unit_id
    if "person" in fields and _id(fields["person"]) not in (None, current.person_id):
        _may_use_person(actor, fields["person"])
    for name, value in fields.items():
        setattr(current, name, value)
    if current.host_unit_id != old_unit:
        _may_file(actor, current.host_unit_id)
    _validate(current)
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    _recheck(current)
    activity_record(
        target=current,
        verb="updated",
        actor=actor,
        message=lambda: _("Foreign expert hiring %(number)s updated") % {"number": current.number},
    )
    after_change()
    return current


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


def _attname(name: str) -> str:
    return cast(Field, ExpertHiring._meta.get_field(name)).attname


@transaction.atomic
def expert_person_create(
    *, actor, host_unit, hiring: ExpertHiring | None = None, allow_duplicate: bool = False, **fields: Any
):
    """Record a new candidate as a foreign expert's ``people.Person`` of ``host_unit`` through the people
    services (``PERSON_FIELDS``: names in Latin and Chinese script, gender, birth date, nationality, e-mail).

    Whoever may file a case for ``host_unit`` (the office, the unit's coordinators and foreign-affairs
    secretaries) or, for an existing ``hiring``, whoever handles it. When the people rules would not let the
    actor record people of that unit themselves (a secretary holds a staff role only), the case's own check
    stands for the people check and the record is made by the system, like guests of a visit.

    Raises ``PermissionDeniedError`` (neither files nor handles), ``ValidationError`` and ``DuplicateError``
    as ``person_create``.
    """
    from meridian.people.choices import PersonKind
    from meridian.people.permissions import can_assign_unit, can_create_person
    from meridian.people.services import person_create

    if hiring is None:
        _may_file(actor, getattr(host_unit, "pk", None))
    else:
        _may_handle(actor, hiring)
    _unknown(fields, PERSON_FIELDS)
    unit_id = getattr(host_unit, "pk", None)
    as_actor = actor is not None and can_create_person(actor) and can_assign_unit(actor, unit_id)
    return person_create(
        actor=actor if as_actor else None,
        allow_duplicate=allow_duplicate,
        kind=PersonKind.FOREIGN_EXPERT,
        unit=host_unit,
        **{k: v for k, v in fields.items() if v not in (None, "")},
    )


# --- documents -------------------------------------------------------------------------------------------


@transaction.atomic
def expert_document_add(
    *,
    hiring: ExpertHiring,
    actor,
    kind: str,
    uploaded: UploadedFile | None = None,
    received_on: date | None = None,
    expires_on: date | None = None,
    note: str = "",
) -> ExpertDocument:
    """Add a document to the checklist: a file (type read from its bytes: PDF, Word, Excel, PNG, JPEG; at
    most ``MAX_UPLOAD_MB``), a date of receipt (a paper original), or both; ``expires_on`` where the document
    has a validity (a criminal record or a health check is accepted for a limited time).

    Those who handle the case, while it is open. The newest entry of a kind is the one the checklist counts.
    Raises ``PermissionDeniedError``, ``TransitionError`` (closed case), ``ValidationError`` (unknown kind,
    neither file nor date, validity ending before receipt), ``DomainError`` (a file refused by its content).
    """
    _may_handle(actor, hiring)
    if hiring.state in CLOSED_STATES:
        raise TransitionError(_("Documents cannot be added to a closed case."))
    errors: dict[str, list[str]] = {}
    if kind not in ExpertDocumentKind.values:
        errors["kind"] = [_("Unknown kind of document.")]
    if uploaded is None and received_on is None:
        errors["file"] = [_("Upload the file or enter the date the original was received.")]
    if received_on and expires_on and expires_on < received_on:
        errors["expires_on"] = [_("The document cannot expire before it was received.")]
    if errors:
        raise ValidationError(errors)
    document = ExpertDocument(
        hiring=hiring,
        kind=kind,
        received_on=received_on,
        expires_on=expires_on,
        note=(note or "").strip()[:300],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if uploaded is not None:
        content, name, content_type, size, digest = checked_file(uploaded)
        document.original_name, document.content_type = name, content_type
        document.size, document.sha256 = size, digest  # the storage path is built from the digest
        document.file.save(name, content, save=False)
    try:
        document.save()
    except Exception:
        if document.file:
            document.file.delete(save=False)
        raise
    activity_record(
        target=hiring,
        verb="document",
        actor=actor,
        message=lambda: _("Document added: %(kind)s") % {"kind": document.get_kind_display()},
    )
    return document


def expert_document_open(*, document: ExpertDocument, actor, ip: str | None = None) -> ExpertDocument:
    """Check that ``actor`` may have the file of ``document`` (``can_see_expert_documents``) and log the
    access to the candidate's personal data (people access log). Raises ``PermissionDeniedError``."""
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record

    hiring = document.hiring
    if not permissions.can_see_expert_documents(actor, hiring):
        raise PermissionDeniedError(_("You may not open the documents of this hiring case."))
    if hiring.person_id:
        access_log_record(
            actor=actor,
            action=AccessAction.DOWNLOAD,
            person=hiring.person,
            purpose=f"{hiring.number}: {document.get_kind_display()}",
            ip=ip,
        )
    return document


# --- changes ---------------------------------------------------------------------------------------------


@transaction.atomic
def expert_change_report(
    *, hiring: ExpertHiring, actor, kind: str, description: str, happened_on: date
) -> ExpertChange:
    """Record a change in an expert's situation (position, host unit, passport, address, personal data…)
    that happened on ``happened_on``; it is due with the authorities within ``change_working_days`` (10)
    working days (``ExpertChange.due_on``), and its clock opens.

    While the expert is in China (arrived to renewal); those who handle the case. Raises
    ``PermissionDeniedError``, ``TransitionError`` (not in China), ``ValidationError`` (unknown kind, empty
    description, a date in the future or before the entry).
    """
    from meridian.visitors.deadlines_experts import change_due

    _may_handle(actor, hiring)
    if hiring.state not in IN_CHINA:
        raise TransitionError(_("Changes are reported while the expert works in China."))
    errors: dict[str, list[str]] = {}
    if kind not in ExpertChangeKind.values:
        errors["kind"] = [_("Unknown kind of change.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Say what changed.")]
    if happened_on is None:
        errors["happened_on"] = [_("Enter the date of the change.")]
    elif happened_on > today():
        errors["happened_on"] = [_("The date of the change cannot be in the future.")]
    elif hiring.entered_on and happened_on < hiring.entered_on:
        errors["happened_on"] = [_("The date of the change cannot be before the entry date.")]
    if errors:
        raise ValidationError(errors)
    change = ExpertChange.objects.create(
        hiring=hiring,
        kind=kind,
        description=description[:500],
        happened_on=happened_on,
        due_on=change_due(happened_on),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    activity_record(
        target=hiring,
        verb="change",
        actor=actor,
        message=lambda: _("Change recorded, to report by %(date)s") % {"date": change.due_on.isoformat()},
    )
    after_change()
    return change


@transaction.atomic
def expert_change_mark_reported(*, change: ExpertChange, actor, reported_on: date) -> ExpertChange:
    """Record the day a change was reported to the authorities; its clock is met. Those who handle the case.
    Raises ``PermissionDeniedError``, ``ValidationError`` (no date, a date in the future or before the
    change, reported already)."""
    current = ExpertChange.objects.select_for_update().select_related("hiring").get(pk=change.pk)
    _may_handle(actor, current.hiring)
    if current.reported_on is not None:
        raise ValidationError({"reported_on": [_("This change was reported already.")]})
    if reported_on is None:
        raise ValidationError({"reported_on": [_("Enter the date of the report.")]})
    if reported_on > today():
        raise ValidationError({"reported_on": [_("The date of the report cannot be in the future.")]})
    if reported_on < current.happened_on:
        raise ValidationError(
            {"reported_on": [_("The date of the report cannot be before the date of the change.")]}
        )
    current.reported_on = reported_on
    current.save(update_fields=["reported_on"])
    activity_record(
        target=current.hiring,
        verb="change_reported",
        actor=actor,
        message=lambda: _("Change reported on %(date)s") % {"date": reported_on.isoformat()},
    )
    after_change()
    return current


# --- criteria justifications and moves ---------------------------------------------------------------------


@transaction.atomic
def expert_criteria_justify(*, hiring: ExpertHiring, actor, code: str, justification: str) -> list[dict]:
    """Give (or, with an empty text, withdraw) the written justification of a category criterion that is not
    met, e.g. an exception the authorities granted or a points score; the check runs again and is stored.

    The office, before the qualification (need, candidate). Raises ``PermissionDeniedError``,
    ``TransitionError`` (later state), ``ValidationError`` (a rule that takes no justification now).
    """
    from meridian.visitors.rules_experts import criteria_check

    if actor is not None and not permissions.is_office(actor):
        raise PermissionDeniedError(_("Only the International Office justifies unmet criteria."))
    current = ExpertHiring.objects.select_for_update().get(pk=hiring.pk)
    if current.state not in OPEN_STATES:
        raise TransitionError(_("Criteria are justified before the qualifications are confirmed."))
    results = {r["code"]: r for r in criteria_check(current)}
    result = results.get(code)
    if result is None or result["severity"] != RuleSeverity.JUSTIFY or result["outcome"] != "fail":
        raise ValidationError({"code": [_("This criterion needs no justification.")]})
    text = (justification or "").strip()
    stored = criteria_check(current, save=True, extra={code: text})
    activity_record(
        target=current,
        verb="justified",
        actor=actor,
        message=lambda: _("Justification recorded: %(rule)s") % {"rule": result["label"]},
        comment=text,
    )
    return stored


def expert_move(
    *, hiring: ExpertHiring, actor, move: str, comment: str = "", data: dict | None = None
) -> ExpertHiring:
    """Take a declared move of the case (``casework_experts.EXPERT_TRANSITIONS``) with the dates it records
    in ``data``; the clocks follow after commit. Raises ``TransitionError``, ``PermissionDeniedError``,
    ``ValidationError`` as ``case_move``."""
    return case_move(case=hiring, actor=actor, move=move, comment=comment, data=data)
