"""Students' applications to calls: start, autosave, files, messages, and the student's own moves (submit,
withdraw, answer an offer), which go through the workflow engine (``casework.APPLICATION_TRANSITIONS``).

Grade averages are on the call's scale (``Call.grade_scale``: 4 for a GPA, 100 for marks); language levels are
CEFR (Council of Europe, 2001/2020); languages are ISO 639-1 codes (two letters). Dates of offers are local
calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.core.notifications import notify
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.mobility import numbering, permissions
from meridian.mobility.choices import (
    ApplicationState,
    CallState,
    CefrLevel,
    DocumentKind,
    QuestionKind,
    Semester,
)
from meridian.mobility.models import (
    Application,
    ApplicationFile,
    ApplicationMessage,
    ApplicationPreference,
    Call,
    CallDestination,
)
from meridian.mobility.selectors.conditions import iso_639_1_codes
from meridian.workflow.files import checked_file
from meridian.workflow.services import case_move

# What the student edits on the application form; the stale-edit message compares these.
EDITABLE_FIELDS = [
    "programme",
    "year_of_study",
    "grade_average",
    "language",
    "cefr_level",
    "language_certificate",
    "clean_record",
    "motivation",
]
YEARS_OF_STUDY = (1, 8)  # first year of a bachelor's up to the last year of a doctorate
MAX_TEXT_ANSWER = 500
MAX_LONG_ANSWER = 5000
MAX_MOTIVATION = 10000
MAX_MESSAGE = 5000
MAX_FILES_PER_KIND = 5
YES_NO = ("yes", "no")

# --- the to-do list --------------------------------------------------------------------------------------


def _needs_language(application: Application, destination_ids: Iterable[int]) -> bool:
    if application.call.language:
        return True
    return CallDestination.objects.filter(pk__in=list(destination_ids)).exclude(language="").exists()


def application_missing(application: Application) -> list[str]:
    """The student's to-do list: one sentence per thing the application still lacks before it can be
    submitted ([] when complete). Also the ``submit`` guard of ``casework.py``.

    Checks: at least one ranked destination; programme, year of study and grade average; the language and
    its CEFR level when the call or a ranked destination asks for a language; the disciplinary declaration
    answered; the motivation; one file of each of the call's ``required_documents`` (``DocumentKind``
    codes); an answer to each required question. Reads only.
    """
    call = application.call
    missing: list[str] = []
    destination_ids = list(application.preferences.values_list("destination_id", flat=True))
    if not destination_ids:
        missing.append(_("Rank at least one destination."))
    if not application.programme.strip():
        missing.append(_("Enter your programme of study."))
    if application.year_of_study is None:
        missing.append(_("Enter your year of study."))
    if application.grade_average is None:
        missing.append(_("Enter your grade average."))
    if _needs_language(application, destination_ids) and not (
        application.language and application.cefr_level
    ):
        missing.append(_("Enter the language of study and your level in it (CEFR)."))
    if application.clean_record is None:
        missing.append(_("Answer the disciplinary declaration."))
    if not application.motivation.strip():
        missing.append(_("Write your motivation."))
    uploaded = set(application.files.values_list("kind", flat=True))
    labels = dict(DocumentKind.choices)
    for kind in call.required_documents or []:
        if kind not in uploaded:
            missing.append(
                _("Upload the required document: %(document)s.") % {"document": labels.get(kind, kind)}
            )
    answers = application.answers or {}
    for question in call.questions.all():
        if question.required and not str(answers.get(str(question.pk), "")).strip():
            missing.append(_("Answer the question “%(question)s”.") % {"question": question.text})
    return missing


# --- messages ------------------------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _staff_to_tell(application: Application, author) -> list:
    """Staff who wrote in the thread before, and the users watching the case, minus the author."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.accounts.models import User
    from meridian.workflow.models import Watch

    authors = ApplicationMessage.objects.filter(application=application).exclude(
        author_id=application.student_id
    )
    watchers = Watch.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id=application.pk
    )
    ids = set(authors.values_list("author_id", flat=True)) | set(watchers.values_list("user_id", flat=True))
    ids.discard(None)
    ids.discard(getattr(author, "pk", None))
    ids.discard(application.student_id)
    return list(User.objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def message_post(
    *, application: Application, author, body: str, internal: bool = False
) -> ApplicationMessage:
    """Post a message about ``application`` (plain text, at most ``MAX_MESSAGE`` characters).

    Who: ``permissions.can_message`` (the student, the school, the call's managers). ``internal`` notes are
    for staff only: the student never posts nor sees them. A message from the student tells the staff who
    wrote in the thread and the case's watchers; one from staff (not internal) tells the student. Raises
    ``PermissionDeniedError`` and ``ValidationError`` (empty or too long); nothing is stored then.
    """
    if not permissions.can_message(author, application):
        raise PermissionDeniedError(_("You may not write messages about this application."))
    if internal and permissions.is_applicant(author, application):
        raise PermissionDeniedError(_("Internal notes are for staff only."))
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write a message first.")]})
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            {"body": [_("A message has at most %(count)s characters.") % {"count": MAX_MESSAGE}]}
        )
    message = ApplicationMessage.objects.create(
        application=application, author=author, body=text, internal=bool(internal)
    )
    number = application.number
    if internal:
        return message
    if permissions.is_applicant(author, application):
        notify(
            recipients=_staff_to_tell(application, author),
            subject=lambda: _("New message from the applicant of %(number)s") % {"number": number},
            body=lambda: text,
            url=_url("mobility:application_detail", application.pk),
            verb="mobility.application_message",
            target=application,
        )
    else:
        notify(
            recipients=[application.student],
            subject=lambda: _("New message about your exchange application %(number)s") % {"number": number},
            body=lambda: text,
            url=_url("mobility:student_application", application.pk),
            verb="mobility.application_message",
            target=application,
        )
    return message


def messages_mark_read(*, application: Application, reader) -> int:
    """Mark the messages ``reader`` can see and did not write as read (the student's side: messages from
    staff); returns how many were marked. Internal notes are left alone for the student."""
    if not getattr(reader, "is_authenticated", False):
        return 0
    rows = ApplicationMessage.objects.filter(application=application, read_at__isnull=True).exclude(
        author_id=reader.pk
    )
    if permissions.is_applicant(reader, application):
        rows = rows.filter(internal=False)
    else:
        rows = rows.filter(author_id=application.student_id)
    return rows.update(read_at=timezone.now())


# --- starting an application ---------------------------------------------------------------------------


def call_open_now(call: Call) -> bool:
    """Open for applications: the call is open and now lies between its opening and its deadline."""
    now = timezone.now()
    return call.state == CallState.OPEN and call.opens_at <= now <= call.closes_at


def student_unit(student):
    """The unit of the student's student membership (the first one), or None."""
    from meridian.accounts.choices import Role

    membership = student.memberships.filter(role=Role.STUDENT).select_related("unit").order_by("id").first()
    return membership.unit if membership is not None else None


def call_is_for(call: Call, unit) -> bool:
    """A school's (or department's) own call is for the students of that unit and its subunits; a call of
    the International Office or the university is for every student."""
    from meridian.accounts.choices import UnitKind

    if call.unit.kind not in (UnitKind.SCHOOL, UnitKind.DEPARTMENT):
        return True
    return unit is not None and unit.path.startswith(call.unit.path)


def _student_person(student, unit):
    """The student's Person record; made from the account when missing (kind student, data kept for the
    "exchange" purpose)."""
    from meridian.people.choices import PersonKind
    from meridian.people.models import Person, Purpose
    from meridian.people.services import person_create

    person = Person.objects.filter(user=student).first()
    if person is not None:
        if person.unit_id is None and unit is not None:
            person.unit = unit
            person.save(update_fields=["unit"])
        return person
    return person_create(
        actor=None,
        allow_duplicate=True,
        purposes=list(Purpose.objects.filter(code="exchange")),
        kind=PersonKind.STUDENT,
        family_name=student.last_name or student.display_name or student.username,
        given_name=student.first_name,
        email=student.email,
        unit=unit,
        user=student,
    )


def _previous_data(student) -> dict[str, Any]:
    """What carries over from the student's last application: programme and language data."""
    last = Application.objects.filter(student=student).order_by("-created_at", "-id").first()
    if last is None:
        return {}
    return {
        "programme": last.programme,
        "language": last.language,
        "cefr_level": last.cefr_level,
        "language_certificate": last.language_certificate,
    }


# Applications that hold a place: accepted, then nominated to the partner.
PLACE_STATES = (ApplicationState.ACCEPTED, ApplicationState.NOMINATED)


def place_held(*, student, call: Call) -> Application | None:
    """The student's application in another call that holds a place (``PLACE_STATES``) in the same academic
    year and an overlapping semester (the same one, or a full year against any), or None. A student takes one
    exchange place per period."""
    if not getattr(student, "is_authenticated", False):
        return None
    full_year = call.semester == Semester.FULL_YEAR
    overlapping = Q() if full_year else Q(call__semester__in=[call.semester, Semester.FULL_YEAR])
    return (
        Application.objects.filter(
            overlapping, student=student, call__academic_year=call.academic_year, state__in=PLACE_STATES
        )
        .exclude(call_id=call.pk)
        .select_related("call")
        .order_by("pk")
        .first()
    )


def place_held_reason(held: Application) -> str:
    """Why the student may not apply for (or accept) another place in the same period."""
    from meridian.mobility.models import academic_year_label

    return _(
        "You already hold a place for %(year)s, %(semester)s (application %(number)s to “%(call)s”). "
        "A student takes one exchange place per period; withdraw that application first to apply for "
        "another."
    ) % {
        "year": academic_year_label(held.call.academic_year),
        "semester": held.call.get_semester_display(),
        "number": held.number,
        "call": held.call.title,
    }


@transaction.atomic
def application_start(*, call: Call, student) -> Application:
    """The student's application to ``call``: the existing one, or a new draft (one per call and student).

    A new draft is numbered ``EXA-<academic year>-NNNNN`` and takes the programme and language data of the
    student's last application. The student's Person record is made from their account when missing (kind
    student, unit = the unit of their student membership). Raises ``PermissionDeniedError`` (not a student
    of ours, or a school's call for another school's students) and ``DomainError`` (the call is not open, or
    the student holds a place for the same period through another call: ``place_held``).
    """
    if not permissions.can_apply(student):
        raise PermissionDeniedError(_("Only students of the university apply to exchange calls."))
    existing = Application.objects.filter(call=call, student=student).first()
    if existing is not None:
        return existing
    if not call_open_now(call):
        raise DomainError(_("This call is not open for applications."), code="call_closed")
    held = place_held(student=student, call=call)
    if held is not None:
        raise DomainError(place_held_reason(held), code="place_held")
    unit = student_unit(student)
    if not call_is_for(call, unit):
        raise PermissionDeniedError(
            _("This call is for students of %(unit)s only.") % {"unit": call.unit.name}
        )
    person = _student_person(student, unit)
    school = person.unit or unit
    if school is None:
        raise DomainError(_("Your account has no school. Ask the International Office to set it."))
    application = Application(
        call=call, student=student, person=person, unit=school, **_previous_data(student)
    )
    application._history_user = student  # type: ignore[attr-defined]
    for attempt in range(5):
        application.number = numbering.number_next(
            Application, prefix=numbering.APPLICATION, year=call.academic_year
        )
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError:
            raced = Application.objects.filter(call=call, student=student).first()
            if raced is not None:  # the same student started it in another tab meanwhile
                return raced
            if attempt == 4:
                raise
            application.pk = None
    activity_record(
        target=application,
        verb="created",
        actor=student,
        message=lambda: _("Exchange application %(number)s started") % {"number": application.number},
    )
    return application


# --- saving the draft ----------------------------------------------------------------------------------


def _clean_fields(call: Call, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise and check the form's fields; returns ``(values, errors per field)``."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in fields.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(_("This is not a field of the application."))
            continue
        if name in ("programme", "language_certificate", "motivation"):
            text = str(raw or "").strip()
            limit = MAX_MOTIVATION if name == "motivation" else 200
            if len(text) > limit:
                errors[name] = [_("At most %(count)s characters.") % {"count": limit}]
            values[name] = text
        elif name == "year_of_study":
            if raw in (None, ""):
                values[name] = None
                continue
            try:
                year = int(str(raw).strip())  # "2.5" (or 2.5) is no year of study, never cut to 2
            except (TypeError, ValueError):
                year = 0
            low, high = YEARS_OF_STUDY
            if not low <= year <= high:
                errors[name] = [
                    _("Enter your year of study as a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                ]
            values[name] = year
        elif name == "grade_average":
            if raw in (None, ""):
                values[name] = None
                continue
            try:
                grade = Decimal(str(raw).strip().replace(",", "."))
                valid = grade.is_finite()
            except (InvalidOperation, ValueError):
                valid = False
            if not valid or not Decimal(0) <= grade <= call.grade_scale:
                errors[name] = [
                    _("Enter your grade average as a number from 0 to %(max)s (the call's scale).")
                    % {"max": call.grade_scale.normalize()}
                ]
                continue
            values[name] = grade.quantize(Decimal("0.01"))
        elif name == "language":
            code = str(raw or "").strip().lower()
            if code and code not in iso_639_1_codes():
                errors[name] = [
                    _("Choose the language from the list (a two-letter ISO 639-1 code such as en, de or fr).")
                ]
            values[name] = code
        elif name == "cefr_level":
            level = str(raw or "").strip().upper()
            if level and level not in CefrLevel.values:
                errors[name] = [_("Choose a CEFR level from A1 to C2.")]
            values[name] = level
        elif name == "clean_record":
            if raw in (None, ""):
                values[name] = None
            elif isinstance(raw, bool):
                values[name] = raw
            elif str(raw).lower() in ("yes", "true", "1"):
                values[name] = True
            elif str(raw).lower() in ("no", "false", "0"):
                values[name] = False
            else:
                errors[name] = [_("Answer yes or no.")]
    return values, errors


def _clean_preferences(call: Call, preferences: Iterable[Any]) -> tuple[list[int], list[str]]:
    """Destination ids in rank order (1 first); returns ``(ids, errors)``."""
    ids: list[int] = []
    errors: list[str] = []
    for item in preferences:
        pk = getattr(item, "pk", item)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            errors.append(_("Choose destinations from the list."))
            return [], errors
    if len(ids) > call.max_preferences:
        errors.append(
            _("This call lets you rank at most %(count)s destinations.") % {"count": call.max_preferences}
        )
    if len(set(ids)) != len(ids):
        errors.append(_("Each destination can be ranked only once."))
    offered = set(call.destinations.values_list("pk", flat=True))
    if any(pk not in offered for pk in ids):
        errors.append(_("Choose only destinations offered in this call."))
    return ids, errors


def _clean_answers(call: Call, answers: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Answers keyed by question id (as text); empty answers are left out. Required questions are checked
    on submission (the to-do list), not here."""
    questions = {str(q.pk): q for q in call.questions.all()}
    values: dict[str, str] = {}
    errors: list[str] = []
    for key, raw in answers.items():
        question = questions.get(str(key))
        if question is None:
            errors.append(_("An answer is given to a question this call does not ask."))
            continue
        text = str(raw or "").strip()
        if not text:
            continue
        if question.kind == QuestionKind.YES_NO and text not in YES_NO:
            errors.append(_("Answer “%(question)s” with yes or no.") % {"question": question.text})
            continue
        limit = MAX_LONG_ANSWER if question.kind == QuestionKind.LONG_TEXT else MAX_TEXT_ANSWER
        if len(text) > limit:
            errors.append(
                _("The answer to “%(question)s” has more than %(count)s characters.")
                % {"question": question.text, "count": limit}
            )
            continue
        values[str(question.pk)] = text
    return values, errors


def _stale(exc: StaleEditError) -> StaleEditError:
    exc.message = _(
        "This application was changed in another tab or window after you opened it. Nothing was "
        "overwritten: check what is stored now, then save again to keep your version."
    )
    exc.args = (exc.message,)
    return exc


@transaction.atomic
def application_save(
    *,
    application: Application,
    actor,
    expected_version: int | None,
    fields: Mapping[str, Any],
    preferences: Iterable[Any] | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Application:
    """Save the student's draft (the form's Save button and the autosave); returns the application saved.

    ``fields``: any of ``EDITABLE_FIELDS`` (grade average 0 … the call's ``grade_scale``; year of study
    1 … 8; CEFR level A1 … C2; language an ISO 639-1 code). ``preferences``: destinations (or their ids) of
    this call in rank order, at most ``call.max_preferences``, each once; None leaves them. ``answers``:
    ``{question id: text}`` for the call's questions (yes/no questions "yes" or "no"); None leaves them,
    required ones are enforced on submission only.
    Raises ``PermissionDeniedError`` (not the owner, or no longer a draft), ``StaleEditError`` (saved in
    another tab since ``expected_version``; nothing overwritten) and ``ValidationError`` (per field;
    ``preferences`` and ``answers`` for those parts); nothing is stored when it raises.
    """
    current = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if not permissions.can_edit_application(actor, current):
        raise PermissionDeniedError(_("Only a draft application can be changed, by the student who owns it."))
    try:
        ensure_fresh(instance=current, expected_version=expected_version, fields=EDITABLE_FIELDS)
    except StaleEditError as exc:
        raise _stale(exc) from None
    call = current.call
    values, errors = _clean_fields(call, fields)
    ranked: list[int] | None = None
    if preferences is not None:
        ranked, preference_errors = _clean_preferences(call, preferences)
        if preference_errors:
            errors["preferences"] = preference_errors
    if answers is not None:
        cleaned_answers, answer_errors = _clean_answers(call, answers)
        if answer_errors:
            errors["answers"] = answer_errors
        else:
            values["answers"] = cleaned_answers
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(current, name, value)
    try:
        current.full_clean(exclude=["number", "call", "student", "person", "unit", "offered"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    bump_version(current)
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    if ranked is not None:
        current.preferences.all().delete()
        ApplicationPreference.objects.bulk_create(
            [
                ApplicationPreference(application=current, destination_id=pk, rank=rank)
                for rank, pk in enumerate(ranked, start=1)
            ]
        )
    return current


# --- files --------------------------------------------------------------------------------------------


@transaction.atomic
def application_file_add(
    *, application: Application, actor, kind: str, uploaded: UploadedFile
) -> ApplicationFile:
    """Attach a document of ``kind`` (a ``DocumentKind`` code) to the student's draft.

    The type is read from the bytes (PDF, Word, Excel, PNG, JPEG; at most ``MAX_UPLOAD_MB`` MB): a renamed
    executable is refused. At most ``MAX_FILES_PER_KIND`` files of one kind. Raises ``ValidationError`` (an
    unknown kind, too many files), ``PermissionDeniedError`` (not the owner, or no longer a draft) and
    ``DomainError`` (a refused file); nothing is stored then.
    """
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": [_("Choose the kind of document from the list.")]})
    current = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit_application(actor, current):
        raise PermissionDeniedError(_("Files can be added to a draft application only, by its student."))
    if current.files.filter(kind=kind).count() >= MAX_FILES_PER_KIND:
        raise ValidationError(
            {
                "file": [
                    _("At most %(count)s files of one kind. Remove one first.")
                    % {"count": MAX_FILES_PER_KIND}
                ]
            }
        )
    content, name, content_type, size, digest = checked_file(uploaded)
    record = ApplicationFile(
        application=current,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=actor,
    )
    record.file.save(name, content, save=False)
    record.save()
    return record


@transaction.atomic
def application_file_delete(*, file: ApplicationFile, actor) -> None:
    """Remove a document from the student's draft (the stored file too). Raises ``PermissionDeniedError``
    (not the owner, or no longer a draft)."""
    application = Application.objects.select_for_update().get(pk=file.application_id)
    if not permissions.can_edit_application(actor, application):
        raise PermissionDeniedError(_("Files can be removed from a draft application only, by its student."))
    stored = file.file
    file.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


# --- the student's moves -------------------------------------------------------------------------------


def application_submit(*, application: Application, actor) -> Application:
    """Submit the draft (move ``submit``): the call must be open and the to-do list empty
    (``application_missing``); the automatic eligibility check runs. Raises ``TransitionError`` listing
    every reason, ``PermissionDeniedError`` (not the applicant)."""
    return case_move(case=application, actor=actor, move="submit")


def application_withdraw(*, application: Application, actor, comment: str = "") -> Application:
    """Withdraw the application (move ``withdraw``, until it is nominated); an offered or accepted place is
    released to the waiting list. Raises ``TransitionError``, ``PermissionDeniedError``."""
    return case_move(case=application, actor=actor, move="withdraw", comment=comment)


def offer_accept(*, application: Application, actor) -> Application:
    """Accept the offered place (move ``accept_offer``) once the results are published and until
    ``offer_expires_on`` (inclusive). Raises ``TransitionError`` (expired, not published),
    ``PermissionDeniedError``."""
    return case_move(case=application, actor=actor, move="accept_offer")


def offer_decline(*, application: Application, actor, comment: str = "") -> Application:
    """Decline the offered place (move ``decline_offer``); the place goes to the waiting list. Raises
    ``TransitionError``, ``PermissionDeniedError``."""
    return case_move(case=application, actor=actor, move="decline_offer", comment=comment)


STUDENT_MOVES = {
    "submit": application_submit,
    "withdraw": application_withdraw,
    "accept_offer": offer_accept,
    "decline_offer": offer_decline,
}


def application_file_opened(*, file: ApplicationFile, actor, ip: str | None = None) -> None:
    """Record in the personal-data access log that staff opened a student's passport copy (PIPL art. 28:
    identity documents are sensitive personal information). The student's own downloads are not logged."""
    from meridian.people.choices import AccessAction
    from meridian.people.services import access_log_record

    application = file.application
    if file.kind != DocumentKind.PASSPORT or permissions.is_applicant(actor, application):
        return
    access_log_record(
        actor=actor,
        action=AccessAction.DOWNLOAD,
        person=application.person,
        purpose=_("Exchange application %(number)s: passport copy") % {"number": application.number},
        ip=ip,
    )
