"""Writes on mobilities from the staff pages: moves (through the workflow engine), planned dates, the
registration on arrival of incoming students, files, and the logged reveal of a student's passport number.

Moves are declared once in ``casework.py`` and taken through ``workflow.services.case_move`` (state, who may
act, guards, log, notifications). The student's "send the application" goes through
``services.incoming.incoming_application_send``, which first checks that the application is complete.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility.choices import MobilityFileKind
from meridian.mobility.models import Mobility, MobilityFile
from meridian.mobility.selectors.mobilities import SENSITIVE_FILE_KINDS, can_add_file, can_download_file
from meridian.mobility.selectors.mobilities import can_edit_dates as _can_edit_dates
from meridian.mobility.selectors.mobilities import can_record_registration as _can_record_registration

DATE_FIELDS = ["planned_start", "planned_end", "months"]
# What a student may upload on their mobility's page (the office adds the letters and records).
STUDENT_FILE_KINDS = (
    MobilityFileKind.PASSPORT,
    MobilityFileKind.TRANSCRIPT,
    MobilityFileKind.LANGUAGE,
    MobilityFileKind.INSURANCE,
    MobilityFileKind.OTHER,
)


def mobility_move(
    *,
    mobility: Mobility,
    actor: Any,
    move: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    files: list[UploadedFile] | tuple[()] = (),
) -> Mobility:
    """Take the declared move ``move`` (``casework.MOBILITY_TRANSITIONS``) on ``mobility`` for ``actor``.

    ``data`` fills the move's declared inputs (``actual_start`` for ``start``, ``actual_end`` for ``end``);
    ``files`` are attached to the log entry. ``complete_application`` goes through
    ``services.incoming.incoming_application_send`` (refused while the application lacks something).

    Raises ``TransitionError`` (wrong state, a guard failing — every reason listed),
    ``PermissionDeniedError``, ``ValidationError`` (bad input, a missing reason for ``reject``/``cancel``),
    ``DomainError`` (incomplete application, bad file, the acceptance letter or invitation could not be
    issued); nothing is saved when it raises.
    """
    from meridian.workflow.services import case_move

    if move == "complete_application":
        from meridian.mobility.services.incoming import incoming_application_send

        return incoming_application_send(mobility=mobility, actor=actor, comment=comment)
    return case_move(case=mobility, actor=actor, move=move, comment=comment, data=data, files=files)


@transaction.atomic
def mobility_dates_update(
    *,
    mobility: Mobility,
    actor: Any,
    expected_version: int | None,
    planned_start: date | None,
    planned_end: date | None,
    months: Decimal | None,
) -> Mobility:
    """Change the planned dates of the stay (our side: ``selectors.mobilities.can_edit_dates``).

    ``months`` is the planned length in calendar months (one decimal). Raises ``PermissionDeniedError``,
    ``ValidationError`` (end before start, months not between 0.1 and 24) and ``StaleEditError`` (saved by
    someone else since ``expected_version``); nothing is stored then.
    """
    locked = Mobility.objects.select_for_update().get(pk=mobility.pk)
    if not _can_edit_dates(actor, locked):
        raise PermissionDeniedError(_("You may not change the dates of this mobility."))
    ensure_fresh(instance=locked, expected_version=expected_version, fields=DATE_FIELDS)
    errors: dict[str, list[str]] = {}
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = [_("The end lies before the start.")]
    if months is not None and not Decimal("0.1") <= months <= Decimal(24):
        errors["months"] = [_("Enter the months of the stay, from 0.1 to 24.")]
    if errors:
        raise ValidationError(errors)
    before = [getattr(locked, name) for name in DATE_FIELDS]
    locked.planned_start, locked.planned_end, locked.months = planned_start, planned_end, months
    if before == [getattr(locked, name) for name in DATE_FIELDS]:
        return locked
    bump_version(locked)
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    activity_record(
        target=locked,
        verb="dates",
        actor=actor,
        message=lambda: (
            _("Planned dates changed: %(start)s – %(end)s")
            % {
                "start": planned_start.isoformat() if planned_start else "—",
                "end": planned_end.isoformat() if planned_end else "—",
            }
        ),
    )
    return locked


@transaction.atomic
def mobility_registration_record(*, mobility: Mobility, actor: Any, registered_on: date) -> Mobility:
    """Record the day an incoming student registered at the host school after arriving (our side, once the
    arrival is recorded: ``selectors.mobilities.can_record_registration``).

    Raises ``PermissionDeniedError`` and ``ValidationError`` (a day before the arrival or in the future).
    """
    locked = Mobility.objects.select_for_update().get(pk=mobility.pk)
    if not _can_record_registration(actor, locked):
        raise PermissionDeniedError(_("You may not record the registration of this student now."))
    if registered_on > timezone.localdate():
        raise ValidationError({"registered_on": [_("The registration day lies in the future.")]})
    if locked.actual_start and registered_on < locked.actual_start:
        raise ValidationError(
            {
                "registered_on": [
                    _("The student registered before arriving (%(day)s)?")
                    % {"day": locked.actual_start.isoformat()}
                ]
            }
        )
    locked.registered_on = registered_on
    bump_version(locked)
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    activity_record(
        target=locked,
        verb="registration",
        actor=actor,
        message=lambda: _("Registration on arrival recorded: %(day)s") % {"day": registered_on.isoformat()},
    )
    return locked


@transaction.atomic
def mobility_file_add(*, mobility: Mobility, actor: Any, kind: str, uploaded: UploadedFile) -> MobilityFile:
    """Add a file to the mobility (PDF, Word, Excel, PNG or JPEG by content, at most ``MAX_UPLOAD_MB``).

    The student adds ``STUDENT_FILE_KINDS``; our side's handlers any kind. Raises ``PermissionDeniedError``
    (``selectors.mobilities.can_add_file``) and ``DomainError`` (a refused file, a kind not theirs to add);
    nothing is stored then.
    """
    from meridian.mobility.selectors.mobilities import is_own
    from meridian.workflow.files import checked_file

    if not can_add_file(actor, mobility):
        raise PermissionDeniedError(_("You may not add files to this mobility now."))
    if kind not in MobilityFileKind.values:
        raise DomainError(_("Choose the kind of file."))
    from meridian.mobility.permissions import can_handle_mobility

    if (
        is_own(actor, mobility)
        and not can_handle_mobility(actor, mobility)
        and kind not in STUDENT_FILE_KINDS
    ):
        raise DomainError(_("The office adds this kind of file."))
    content, name, content_type, size, digest = checked_file(uploaded)
    record = MobilityFile(
        mobility=mobility,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    record.file.save(f"{secrets.token_hex(8)}-{name}", content, save=False)
    stored = record.file.name
    try:
        record.save()
    except Exception:
        if stored:
            record.file.storage.delete(stored)
        raise
    activity_record(
        target=mobility,
        verb="file",
        actor=actor,
        message=lambda: _("File added: %(kind)s") % {"kind": record.get_kind_display()},
    )
    return record


def mobility_file_open(*, record: MobilityFile, actor: Any, ip: str | None) -> MobilityFile:
    """Check that ``actor`` may download ``record`` and, for a passport copy (``SENSITIVE_FILE_KINDS``), write
    the download to the people access log. Returns the file. Raises ``PermissionDeniedError``."""
    mobility = record.mobility
    if not can_download_file(actor, mobility, record.kind):
        raise PermissionDeniedError(_("You may not download this file."))
    if record.kind in SENSITIVE_FILE_KINDS:
        from meridian.people.choices import AccessAction
        from meridian.people.services import access_log_record

        access_log_record(
            actor=actor,
            action=AccessAction.DOWNLOAD,
            person=mobility.person,
            purpose=_("%(number)s: passport copy downloaded from the mobility's files")
            % {"number": mobility.number},
            ip=ip,
        )
    return record


def passport_reveal(*, mobility: Mobility, actor: Any, purpose: str, ip: str | None) -> str:
    """The full passport number of the mobility's student, for ``actor`` with a stated ``purpose``; the read
    is written to the people access log first.

    Raises ``PermissionDeniedError`` (``permissions.can_see_personal_data``), ``ValidationError`` (no purpose)
    and ``DomainError`` (no passport on record).
    """
    from meridian.core.text import clean_spaces
    from meridian.mobility.permissions import can_see_personal_data
    from meridian.mobility.services.incoming import current_passport
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record

    if not can_see_personal_data(actor, mobility):
        raise PermissionDeniedError(_("You may not see this student's passport."))
    purpose = clean_spaces(purpose or "")
    if not purpose:
        raise ValidationError({"purpose": [_("Say why you need to see this.")]})
    passport = current_passport(mobility)
    if passport is None:
        raise DomainError(_("The student has not entered a passport yet."))
    access_log_record(
        actor=actor,
        action=AccessAction.UNMASK,
        document=passport,
        purpose=f"{mobility.number}: {purpose}",
        ip=ip,
    )
    return passport.number
