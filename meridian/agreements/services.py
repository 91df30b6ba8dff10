"""Every change to agreements: creation, edits, lifecycle moves (through the workflow engine), renewal,
documents and reminders."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.agreements import casework, permissions
from meridian.agreements.casework import AGREEMENT
from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.agreements.models import (
    Agreement,
    AgreementChannel,
    AgreementDocument,
    AgreementPartner,
    Signatory,
)
from meridian.agreements.search_text import refresh_agreement_search_text
from meridian.core.activity import activity_record
from meridian.core.archives import UnsafeArchiveError, check_zip_archive
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.core.text import code_key
from meridian.core.versioning import bump_version, ensure_fresh

KIND_CODES: dict[str, str] = {
    AgreementType.MOU: "MOU",
    AgreementType.STUDENT_EXCHANGE: "SE",
    AgreementType.STAFF_EXCHANGE: "ST",
    AgreementType.JOINT_EDUCATION: "JE",
    AgreementType.RESEARCH: "RC",
    AgreementType.JOINT_LAB: "JL",
    AgreementType.ADVANCED_TRAINING: "AT",
    AgreementType.CONFERENCE: "CF",
    AgreementType.GOVERNMENT: "GV",
    AgreementType.ERASMUS_IIA: "EIIA",
    AgreementType.OTHER: "OT",
}

# Fields a person edits in the form; the stale-edit check compares exactly these.
EDITABLE_FIELDS = [
    "number",
    "title_en",
    "title_zh",
    "kind",
    "responsible_unit",
    "home_coordinator",
    "start_date",
    "end_date",
    "auto_renew",
    "renewal_notice_days",
    "languages",
    "umbrella",
    "renews",
    "description",
]

ACTION_LABELS = {
    "submit": gettext_lazy("submit for review"),
    "return": gettext_lazy("return to draft"),
    "approve": gettext_lazy("approve"),
    "activate": gettext_lazy("activate"),
    "expire": gettext_lazy("mark as expired"),
    "terminate": gettext_lazy("terminate"),
    "renew": gettext_lazy("renew"),
}


def _state_label(state: str) -> str:
    return str(AgreementState(state).label) if state in AgreementState.values else state


def _set_history_user(agreement: Agreement, actor) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        agreement._history_user = actor  # type: ignore[attr-defined]


# Stored numbers that are not plain ASCII (a character outside space..tilde, or spaces that ``code_key`` would
# collapse): only these can share a ``code_key`` with a number without equalling it case-insensitively.
_NOT_PLAIN = r"[^ -~]|  |^ | $"


def _numbers_like(*, number: str = "", prefix: str = ""):
    """Stored agreements that may have the same ``code_key`` as ``number`` (or begin with ``prefix``).

    A narrowing query (case-insensitive equality or prefix, plus every number that is not plain ASCII); the
    caller compares ``code_key`` in Python.
    """
    condition = Q(number__regex=_NOT_PLAIN)
    if number:
        condition |= Q(number=number) | Q(number__iexact=code_key(number))
    if prefix:
        condition |= Q(number__istartswith=code_key(prefix))
    return Agreement.objects.filter(condition)


def agreement_number_next(*, kind: str, year: int) -> str:
    """The next free number "<year>-<kind code>-<4-digit sequence>".

    Numbers are compared by ``code_key``: a stored "2024-se-0007" or "２０２４－SE－0007" counts as
    "2024-SE-0007", so the generated number never clashes with one that differs only in case, width or dashes.
    """
    prefix = f"{year}-{KIND_CODES.get(kind, 'OT')}-"
    key = code_key(prefix)
    highest = 0
    for number in _numbers_like(prefix=prefix).values_list("number", flat=True):
        folded = code_key(number)
        tail = folded[len(key) :]
        if folded.startswith(key) and tail.isascii() and tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def agreement_number_taken(*, number: str, exclude_pk: int | None = None) -> Agreement | None:
    """The stored agreement (oldest first) whose number is ``number`` under ``code_key`` (case, full-width
    letters and digits, dash variants and spacing ignored), other than ``exclude_pk``; None when free or
    blank.

    The database's unique constraint on the number is case-sensitive; this is the rule the services apply.
    """
    key = code_key(number)
    if not key:
        return None
    candidates = _numbers_like(number=number).order_by("pk")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    for other in candidates.only("pk", "number"):
        if code_key(other.number) == key:
            return other
    return None


def number_taken_message(number: str) -> str:
    """The error shown on the number field when ``number`` (the stored agreement's) already has it."""
    return _(
        "Agreement %(number)s already has this number; numbers that differ only in upper or lower case, "
        "full-width characters or dashes are the same number."
    ) % {"number": number}


def _full_clean(agreement: Agreement, *, check_number: bool) -> None:
    """The model's validation, with the number refused when another agreement has it under ``code_key``
    (that message replaces the database's case-sensitive "already exists"). Raises ValidationError."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        agreement.full_clean()
    except ValidationError as exc:
        errors = {name: list(found) for name, found in exc.error_dict.items()}
    taken = agreement_number_taken(number=agreement.number, exclude_pk=agreement.pk) if check_number else None
    if taken is not None:
        others = [error for error in errors.get("number", []) if error.code != "unique"]
        message = number_taken_message(taken.number)
        errors["number"] = [*others, ValidationError(message, code="number_taken")]
    if errors:
        raise ValidationError(errors)


def _validate(agreement: Agreement, partners: list | None) -> None:
    """Rules that span several fields; raised as one ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    if partners is not None and not partners:
        errors.setdefault("partners", []).append(_("Choose at least one partner."))
    if agreement.start_date and agreement.end_date and agreement.end_date <= agreement.start_date:
        errors.setdefault("end_date", []).append(_("The end date must be after the start date."))
    if agreement.renewal_notice_days is not None and not (agreement.auto_renew or agreement.end_date):
        errors.setdefault("renewal_notice_days", []).append(
            _("A notice period applies only to an agreement that renews automatically or has an end date.")
        )
    if agreement.pk and agreement.umbrella_id == agreement.pk:
        errors.setdefault("umbrella", []).append(_("An agreement cannot be an addendum to itself."))
    if agreement.pk and agreement.renews_id == agreement.pk:
        errors.setdefault("renews", []).append(_("An agreement cannot renew itself."))
    if not agreement.responsible_unit_id:
        errors.setdefault("responsible_unit", []).append(_("Choose the responsible unit."))
    if errors:
        raise ValidationError(errors)


def _check_channels(channels: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(channels))
    unknown = [c for c in unique if c not in Channel.values]
    if unknown:
        raise ValidationError({"channels": [_("Unknown channel: %(value)s") % {"value": ", ".join(unknown)}]})
    return unique


def _set_partners(agreement: Agreement, partners: list) -> None:
    wanted = list(dict.fromkeys(p.pk for p in partners))
    AgreementPartner.objects.filter(agreement=agreement).exclude(partner_id__in=wanted).delete()
    existing = set(AgreementPartner.objects.filter(agreement=agreement).values_list("partner_id", flat=True))
    AgreementPartner.objects.bulk_create(
        [AgreementPartner(agreement=agreement, partner_id=pk) for pk in wanted if pk not in existing]
    )
    # bulk_create bypasses save() and signals: the agreement's search text follows its parties here.
    refresh_agreement_search_text(ids=[agreement.pk])


def _set_channels(agreement: Agreement, channels: list[str]) -> None:
    AgreementChannel.objects.filter(agreement=agreement).exclude(channel__in=channels).delete()
    existing = set(AgreementChannel.objects.filter(agreement=agreement).values_list("channel", flat=True))
    AgreementChannel.objects.bulk_create(
        [AgreementChannel(agreement=agreement, channel=c) for c in channels if c not in existing]
    )


def _set_signatories(agreement: Agreement, signatories: list[dict]) -> None:
    Signatory.objects.filter(agreement=agreement).delete()
    parties = set(AgreementPartner.objects.filter(agreement=agreement).values_list("partner_id", flat=True))
    for data in signatories:
        data = dict(data)
        partner = data.pop("partner", None)
        signatory = Signatory(agreement=agreement, **data)
        if partner is not None:
            signatory.partner_id = getattr(partner, "pk", partner)
            if signatory.partner_id not in parties:
                raise ValidationError(
                    {
                        "signatories": [
                            _("%(name)s signs for a partner that is not a party.") % {"name": signatory.name}
                        ]
                    }
                )
        try:
            signatory.full_clean(exclude=["agreement"])
        except ValidationError as exc:
            raise ValidationError({"signatories": exc.messages}) from exc
        signatory.save()


def _apply_fields(agreement: Agreement, fields: dict) -> None:
    for name, value in fields.items():
        if name not in {f.name for f in Agreement._meta.get_fields()} and not name.endswith("_id"):
            raise ValidationError({name: [_("Unknown field.")]})
        setattr(agreement, name, value)


def _save_new(
    *, actor, partners: list, channels: list[str], signatories: list[dict] | None, fields: dict
) -> Agreement:
    agreement = Agreement(**fields)
    if actor is not None:
        agreement.created_by = actor
    _validate(agreement, partners)
    channels = _check_channels(channels)
    generated = not agreement.number
    if generated:
        year = (agreement.start_date or timezone.localdate()).year
        agreement.number = agreement_number_next(kind=agreement.kind, year=year)
    _full_clean(agreement, check_number=True)
    _set_history_user(agreement, actor)
    for attempt in range(5):
        try:
            with transaction.atomic():
                agreement.save()
            break
        except IntegrityError:
            # Two people created an agreement of the same kind at once; take the next number.
            if not generated or attempt == 4:
                raise
            agreement.pk = None
            agreement.number = agreement_number_next(kind=agreement.kind, year=year)
    _set_partners(agreement, partners)
    _set_channels(agreement, channels)
    if signatories:
        _set_signatories(agreement, signatories)
    return agreement


@transaction.atomic
def agreement_create(
    *, actor, partners: list, channels: list[str], signatories: list[dict] | None = None, **fields
) -> Agreement:
    """Create a draft agreement; the number is generated when blank. `actor` None means the system.

    Raises ValidationError keyed by field, among them "number" when another agreement has the number under
    ``code_key`` (see ``agreement_number_taken``), and PermissionDeniedError.
    """
    if actor is not None:
        probe = Agreement(
            **{k: v for k, v in fields.items() if k in ("responsible_unit", "responsible_unit_id")}
        )
        if not permissions.can_create_agreement(actor) or (
            probe.responsible_unit_id and not permissions.can_edit_agreement(actor, probe)
        ):
            raise PermissionDeniedError(_("You may not create agreements for this unit."))
    agreement = _save_new(
        actor=actor, partners=partners, channels=channels, signatories=signatories, fields=fields
    )
    activity_record(
        target=agreement,
        verb="created",
        actor=actor,
        message=lambda: _("Agreement %(number)s created") % {"number": agreement.number},
    )
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor,
    expected_version: int | None = None,
    partners: list | None = None,
    channels: list[str] | None = None,
    signatories: list[dict] | None = None,
    **fields,
) -> Agreement:
    """Change an agreement; a save based on an older version is refused with what changed meanwhile.

    A changed number is refused (ValidationError on "number") when another agreement has it under
    ``code_key``. Raises StaleEditError, PermissionDeniedError and ValidationError keyed by field.
    """
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if actor is not None and not permissions.can_edit_agreement(actor, current):
        raise PermissionDeniedError(_("You may not edit this agreement in its current state."))
    ensure_fresh(instance=current, expected_version=expected_version, fields=EDITABLE_FIELDS)
    stored_number = current.number
    _apply_fields(current, fields)
    if actor is not None and not permissions.can_edit_agreement(actor, current):
        raise PermissionDeniedError(_("You may not move this agreement to a unit outside your reach."))
    _validate(current, partners)
    if channels is not None:
        channels = _check_channels(channels)
    # An unchanged number is not checked again: two numbers stored before this rule stay editable.
    _full_clean(current, check_number=current.number != stored_number)
    bump_version(current)
    _set_history_user(current, actor)
    current.save()
    if partners is not None:
        _set_partners(current, partners)
    if channels is not None:
        _set_channels(current, channels)
    if signatories is not None:
        _set_signatories(current, signatories)
    activity_record(
        target=current,
        verb="updated",
        actor=actor,
        message=lambda: _("Agreement %(number)s updated") % {"number": current.number},
    )
    return current


def _check_move(agreement: Agreement, actor, action: str) -> None:
    """Refuse an unknown move, a move from the wrong state, or a move the actor may not take, with a message
    that names the agreement, its state and the states the move starts from."""
    if action not in permissions.TRANSITIONS:
        raise TransitionError(_("“%(action)s” is not a lifecycle action.") % {"action": action})
    move = AGREEMENT.transition(action)
    if agreement.state not in move.sources:
        allowed = _("” or “").join(_state_label(s) for s in sorted(move.sources))
        raise TransitionError(
            _(
                "Cannot %(action)s: agreement %(number)s is “%(state)s”, and this is possible only "
                "when it is “%(allowed)s”."
            )
            % {
                "action": ACTION_LABELS[action],
                "number": agreement.number,
                "state": _state_label(agreement.state),
                "allowed": allowed,
            }
        )
    if actor is not None and not move.allowed(actor, agreement):
        raise PermissionDeniedError(
            _("You may not %(action)s agreement %(number)s.")
            % {"action": ACTION_LABELS[action], "number": agreement.number}
        )


@transaction.atomic
def agreement_transition(
    *,
    agreement: Agreement,
    actor,
    action: str,
    comment: str = "",
    start_date: date | None = None,
    today: date | None = None,
    on_behalf_of=None,
    files: Sequence[UploadedFile] = (),
    review: bool = True,
) -> Agreement:
    """Move an agreement along its lifecycle (declared in casework.py) through the workflow engine.

    `actor` None means the system (background jobs, commands). `start_date` is recorded with "activate";
    `today` is the day date rules are checked against (default: the local date); `on_behalf_of` is the person
    the actor acts for; `files` are attached to the move's log entry. `review` False records a decision
    taken before (spreadsheet imports of existing agreements): submitting then opens no approval chain, and
    approving or returning is not held back by one. Returns the moved agreement.
    Raises `TransitionError` (unknown or illegal move, a guard such as "needs a start date" failing, or the
    approval chain still running), `PermissionDeniedError` (the actor may not take the move) and
    `ValidationError` (a bad input or file). Nothing is changed when it raises.
    """
    from meridian.workflow.services import case_move

    if action == "renew":
        raise TransitionError(_("Renewing creates a successor agreement; use the renewal form."))
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if on_behalf_of is None:
        _check_move(current, actor, action)
    elif action not in permissions.TRANSITIONS:
        raise TransitionError(_("“%(action)s” is not a lifecycle action.") % {"action": action})
    data = {"start_date": start_date} if action == "activate" and start_date is not None else None
    _set_history_user(current, actor)
    with casework.evaluation_date(today):
        return case_move(
            case=current,
            actor=actor,
            move=action,
            comment=comment,
            on_behalf_of=on_behalf_of,
            data=data,
            files=files,
            start_approval=review,
        )


def agreement_submit(*, agreement: Agreement, actor, comment: str = "") -> Agreement:
    """Submit a draft for review; the configured approval chain (if any) starts. See agreement_transition."""
    return agreement_transition(agreement=agreement, actor=actor, action="submit", comment=comment)


def agreement_return(*, agreement: Agreement, actor, comment: str = "") -> Agreement:
    """Return an agreement under review to draft (without a running chain). See agreement_transition."""
    return agreement_transition(agreement=agreement, actor=actor, action="return", comment=comment)


def agreement_approve(*, agreement: Agreement, actor, comment: str = "") -> Agreement:
    """Approve an agreement under review (without a running chain). See agreement_transition."""
    return agreement_transition(agreement=agreement, actor=actor, action="approve", comment=comment)


def agreement_activate(
    *, agreement: Agreement, actor, comment: str = "", start_date: date | None = None
) -> Agreement:
    """Mark an approved agreement signed and in force; it needs a start date (given here or stored)."""
    return agreement_transition(
        agreement=agreement, actor=actor, action="activate", comment=comment, start_date=start_date
    )


def agreement_expire(
    *, agreement: Agreement, actor, comment: str = "", today: date | None = None
) -> Agreement:
    """Mark an active agreement expired; only after its end date (as of `today`), never an open-ended one."""
    return agreement_transition(
        agreement=agreement, actor=actor, action="expire", comment=comment, today=today
    )


def agreement_terminate(*, agreement: Agreement, actor, comment: str = "") -> Agreement:
    """End an approved or active agreement before its time. See agreement_transition."""
    return agreement_transition(agreement=agreement, actor=actor, action="terminate", comment=comment)


def successor_create(
    *, agreement: Agreement, actor, start_date: date | None = None, end_date: date | None = None
) -> Agreement:
    """Create the draft that renews `agreement`: same type, titles, unit, partners (with their coordinators
    and units), channels and terms. `start_date` defaults to the day after the old end date (or today);
    `end_date` to the same length as the old agreement (open-ended when it was). Called by the renewal move's
    side effect, inside its transaction; raises `ValidationError` for dates in the wrong order."""
    if start_date is None:
        start_date = agreement.end_date + timedelta(days=1) if agreement.end_date else timezone.localdate()
    if end_date is None and agreement.end_date and agreement.start_date:
        end_date = start_date + (agreement.end_date - agreement.start_date)
    parties = list(agreement.parties.select_related("partner"))
    successor = _save_new(
        actor=actor,
        partners=[p.partner for p in parties],
        channels=list(agreement.channels.values_list("channel", flat=True)),
        signatories=None,
        fields={
            "kind": agreement.kind,
            "title_en": agreement.title_en,
            "title_zh": agreement.title_zh,
            "responsible_unit_id": agreement.responsible_unit_id,
            "home_coordinator_id": agreement.home_coordinator_id,
            "languages": agreement.languages,
            "umbrella_id": agreement.umbrella_id,
            "renews": agreement,
            "auto_renew": agreement.auto_renew,
            "renewal_notice_days": agreement.renewal_notice_days,
            "description": agreement.description,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    # Partner-side coordinators and units carry over with their parties.
    for party in parties:
        AgreementPartner.objects.filter(agreement=successor, partner_id=party.partner_id).update(
            partner_unit_id=party.partner_unit_id, coordinator_id=party.coordinator_id
        )
    activity_record(
        target=successor,
        verb="created",
        actor=actor,
        message=lambda: (
            _("Agreement %(number)s created as the renewal of %(old)s")
            % {"number": successor.number, "old": agreement.number}
        ),
    )
    return successor


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    actor,
    comment: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Agreement:
    """Create the successor as a draft and mark this agreement renewed, in one transaction.

    Returns the successor. Dates as in `successor_create`. Raises `TransitionError` (not active or expired, or
    renewed already), `PermissionDeniedError` (only officers, administrators and coordinators of the
    responsible unit renew) and `ValidationError` (dates in the wrong order); nothing changes when it raises.
    """
    from meridian.workflow.services import case_move

    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _check_move(current, actor, "renew")
    if Agreement.objects.filter(renews=current).exists():
        raise TransitionError(
            _("Agreement %(number)s has already been renewed.") % {"number": current.number}
        )
    _set_history_user(current, actor)
    with casework.renewal_terms(start_date=start_date, end_date=end_date):
        case_move(case=current, actor=actor, move="renew", comment=comment)
    return Agreement.objects.get(renews=current)


# --- documents ---

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", DOC: ".doc"}
OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1")


def detect_document_type(uploaded_file) -> str | None:
    """The content type read from the bytes (PDF, DOCX or legacy DOC); None for anything else."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(OLE_HEADER):
        return DOC
    if head.startswith(b"PK\x03\x04"):
        try:
            names = check_zip_archive(uploaded_file)  # a zip bomb raises UnsafeArchiveError (a DomainError)
        except UnsafeArchiveError as exc:
            if exc.code == "damaged_archive":
                return None
            raise
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    return None


def sanitise_filename(name: str, content_type: str) -> str:
    """A safe download name: no folders or control characters, extension matching the detected type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f\x7f"<>:|?*;]', "", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:200] or "document"
    return stem + EXTENSIONS[content_type]


@transaction.atomic
def document_upload(
    *, agreement: Agreement, actor, uploaded_file: UploadedFile, kind: str
) -> AgreementDocument:
    """Store a checked PDF/Word file privately as the next version of its kind, with its SHA-256."""
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if actor is not None and not permissions.can_upload_document(actor, current):
        raise PermissionDeniedError(_("You may not upload documents to this agreement."))
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if uploaded_file.size is None or uploaded_file.size == 0:
        raise DomainError(_("The file is empty."), code="invalid_file")
    if uploaded_file.size > limit:
        raise DomainError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    content_type = detect_document_type(uploaded_file)
    if content_type is None:
        raise DomainError(
            _(
                "Only PDF and Word documents (.pdf, .docx, .doc) can be uploaded; this file is neither, "
                "whatever its name says."
            ),
            code="invalid_file_type",
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    previous = current.documents.filter(kind=kind).aggregate(top=Max("version"))["top"] or 0
    document = AgreementDocument(
        agreement=current,
        kind=kind,
        version=previous + 1,
        original_name=sanitise_filename(uploaded_file.name or "", content_type),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    document.full_clean(exclude=["file"])
    document.file.save(document.original_name, uploaded_file, save=False)
    document.save()
    activity_record(
        target=current,
        verb="document",
        actor=actor,
        message=lambda: (
            _("%(kind)s version %(version)s uploaded: %(name)s")
            % {
                "kind": document.get_kind_display(),
                "version": document.version,
                "name": document.original_name,
            }
        ),
    )
    return document


def reminders_send(*, today: date | None = None, report: Callable[[str], None] | None = None) -> int:
    """Send the due end-date reminders (see reminders.py); returns how many e-mails were sent."""
    from meridian.agreements.reminders import send_due_reminders

    return send_due_reminders(today=today, report=report)
