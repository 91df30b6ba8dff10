"""Every write of the workflow engine: case moves, step actions, watches and notification preferences.

A move is written once, here: ``case_move`` checks the declaration (state, who may act, guards, required
fields and documents), takes the row lock, saves the new state, writes the ``TransitionLog``, records the
activity, runs the declared side effects, starts or ends the approval chain, and notifies after commit.
Approval chains (configuration and runs) live in ``meridian.workflow.chains`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import PermissionDeniedError, TransitionError
from meridian.core.models import Notification, NotificationPreference, VersionedModel
from meridian.core.notifications import notify
from meridian.core.versioning import bump_version
from meridian.workflow import permissions
from meridian.workflow.declaration import (
    REQUIRED_DOCUMENT_REASON,
    REQUIRED_FIELD_REASON,
    CaseType,
    MoveContext,
    Transition,
)
from meridian.workflow.files import checked_file
from meridian.workflow.models import TransitionLog, TransitionLogFile, Watch
from meridian.workflow.registry import case_types


@dataclass
class MoveOption:
    """A move as a user sees it on the case page: offered (``available``) or explained (``reasons``)."""

    name: str
    label: str
    style: str
    available: bool
    reasons: list[str] = field(default_factory=list)
    inputs: tuple[str, ...] = ()
    comment_required: bool = False
    transition: Transition | None = None


def _is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, models.Manager):
        return not value.exists()
    return False


def _running_approval(case, case_type: CaseType):
    if case_type.approval is None or case.pk is None:
        return None
    from meridian.workflow.chains import approval_running

    return approval_running(case=case, case_type=case_type)


def _blockers(case, case_type: CaseType, t: Transition, *, approval=None) -> list[str]:
    """Why ``t`` cannot be taken now (empty list: it can); the state and the actor are checked elsewhere."""
    label = str(t.label)
    reasons: list[str] = []
    if t.by_engine and approval is not None:
        from meridian.workflow.chains import open_task_labels

        reasons.append(
            _("Waiting for the approval steps: %(steps)s.") % {"steps": ", ".join(open_task_labels(approval))}
        )
    for name in t.required_fields:
        if _is_empty(getattr(case, name, None)):
            reasons.append(REQUIRED_FIELD_REASON % {"move": label, "field": case_type.field_label(name)})
    for doc in t.required_documents:
        if not doc.present(case):
            reasons.append(REQUIRED_DOCUMENT_REASON % {"move": label, "document": str(doc.label)})
    for guard in t.guards:
        failure = guard.failure(case)
        if failure:
            reasons.append(failure)
    return reasons


def _allowed(t: Transition, user, case) -> bool:
    if t.system_only:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(t.allowed(user, case))


def can_move(*, case, user, move: str) -> bool:
    """May ``user`` take ``move`` on ``case`` right now (state, who may act, guards, approval)?

    Unknown moves answer False. This is what the installed ``case.can_<move>(user)`` methods call.
    """
    case_type = case_types.for_model(case)
    try:
        t = case_type.transition(move)
    except KeyError:
        return False
    if case_type.state_of(case) not in t.sources or not _allowed(t, user, case):
        return False
    return not _blockers(case, case_type, t, approval=_running_approval(case, case_type))


def moves_for(*, case, user) -> list[MoveOption]:
    """The moves from the case's current state that ``user`` may take, each available or with its reasons.

    Moves the user may never take in this state (another role's) are left out; system-only moves too.
    Returns a list in declaration order. Reads only.
    """
    case_type = case_types.for_model(case)
    approval = _running_approval(case, case_type)
    options = []
    for t in case_type.transitions_from(case_type.state_of(case)):
        if not _allowed(t, user, case):
            continue
        reasons = _blockers(case, case_type, t, approval=approval)
        options.append(
            MoveOption(
                name=t.name,
                label=str(t.label),
                style=t.style,
                available=not reasons,
                reasons=reasons,
                inputs=tuple(t.inputs),
                comment_required=t.comment_required,
                transition=t,
            )
        )
    return options


def _apply_inputs(case, case_type: CaseType, t: Transition, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(t.inputs)
    if unknown:
        raise ValidationError(
            {name: [_("This move does not take “%(field)s”.") % {"field": name}] for name in sorted(unknown)}
        )
    applied: dict[str, Any] = {}
    for name, value in data.items():
        try:
            model_field = case_type.model_class._meta.get_field(name)
        except FieldDoesNotExist as exc:
            raise ValidationError({name: [_("Unknown field.")]}) from exc
        if not isinstance(model_field, models.Field):
            raise ValidationError({name: [_("Unknown field.")]})
        if value in ("", None):
            continue
        try:
            value = model_field.to_python(value)
        except ValidationError as exc:
            raise ValidationError({name: exc.messages}) from exc
        setattr(case, name, value)
        applied[name] = value
    if applied:
        try:
            case.full_clean(exclude=[f.name for f in case._meta.fields if f.name not in applied])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
    return applied


def _attach(entry: TransitionLog, files: Sequence[UploadedFile]) -> None:
    for uploaded in files:
        content, name, content_type, size, digest = checked_file(uploaded)
        row = TransitionLogFile(
            entry=entry, original_name=name, content_type=content_type, size=size, sha256=digest
        )
        row.file.save(name, content, save=False)
        row.save()


def log_write(
    *,
    case,
    case_type: CaseType,
    action: str,
    from_state: str,
    to_state: str,
    actor=None,
    on_behalf_of=None,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
    step_task=None,
    files: Sequence[UploadedFile] = (),
) -> TransitionLog:
    """Write one log entry (with checked attachments) about ``case``; used by moves and step actions.

    Raises ``DomainError`` for a bad attachment (the caller's transaction rolls back, nothing is kept).
    """
    from django.contrib.contenttypes.models import ContentType

    entry = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        case_type=case_type.code,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        on_behalf_of=on_behalf_of,
        comment=comment,
        field_comments=field_comments or {},
        step_task=step_task,
    )
    _attach(entry, files)
    return entry


def _case_url(case) -> str:
    getter = getattr(case, "get_absolute_url", None)
    return getter() if getter else ""


def people_to_tell(*, case, case_type: CaseType, exclude=()) -> list:
    """The applicant, the declared watchers and the users watching the case, minus ``exclude``."""
    from django.contrib.contenttypes.models import ContentType

    from meridian.accounts.models import User

    people = [case_type.applicant_of(case)]
    if case_type.watchers is not None:
        people.extend(case_type.watchers(case))
    watcher_ids = Watch.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk
    ).values_list("user_id", flat=True)
    people.extend(User.objects.filter(pk__in=list(watcher_ids)))
    skip = {getattr(u, "pk", None) for u in exclude}
    seen: dict[int, Any] = {}
    for person in people:
        if person is not None and person.pk not in skip:
            seen.setdefault(person.pk, person)
    return list(seen.values())


def _locked(case):
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def _check_on_behalf(actor, on_behalf_of, case, case_type: CaseType) -> None:
    if on_behalf_of is None:
        return
    applicant = case_type.applicant_of(case)
    if applicant is None or applicant.pk != on_behalf_of.pk:
        raise PermissionDeniedError(_("You can act on behalf of this case's applicant only."))
    if not permissions.can_act_for_applicant(actor, unit=case_type.unit(case)):
        raise PermissionDeniedError(
            _("Only a coordinator or the foreign-affairs secretary of the applicant's unit may act for them.")
        )


@transaction.atomic
def case_move(
    *,
    case,
    actor,
    move: str,
    comment: str = "",
    on_behalf_of=None,
    data: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    field_comments: dict[str, str] | None = None,
    start_approval: bool = True,
    _engine: bool = False,
):
    """Take the declared move ``move`` on ``case``; returns the case as saved.

    ``actor`` None means the system (scheduled jobs): it skips "who may act" but never the guards.
    ``on_behalf_of`` (a user): the actor acts for the case's applicant, as their unit's coordinator or
    foreign-affairs secretary; the declaration's ``allowed`` is then asked about the applicant.
    ``data`` fills the move's declared ``inputs`` (e.g. a start date) before the checks; ``files`` are
    attached to the log entry (PDF, Word, Excel, PNG, JPEG up to MAX_UPLOAD_MB).
    ``start_approval`` False records a past decision (an import of historical records): a move that would
    start the approval chain does not, and the engine's own moves are not held back by a running chain.

    Raises ``TransitionError`` (unknown move, wrong state, guard or requirement failing — the message lists
    every reason), ``PermissionDeniedError`` (the actor may not), ``ValidationError`` (bad input),
    ``DomainError`` (bad file). Nothing is saved when it raises.
    """
    case_type = case_types.for_model(case)
    try:
        t = case_type.transition(move)
    except KeyError as exc:
        raise TransitionError(
            _("“%(move)s” is not a move of a %(type)s.") % {"move": move, "type": case_type.label}
        ) from exc
    current = _locked(case)
    from_state = case_type.state_of(current)
    title = case_type.title(current)
    if from_state not in t.sources:
        allowed = _("” or “").join(case_type.state_label(s) for s in sorted(t.sources))
        raise TransitionError(
            _("Cannot %(move)s: %(case)s is “%(state)s”; this is possible only when it is “%(allowed)s”.")
            % {
                "move": str(t.label).lower(),
                "case": title,
                "state": case_type.state_label(from_state),
                "allowed": allowed,
            }
        )
    if actor is not None and not _engine:
        _check_on_behalf(actor, on_behalf_of, current, case_type)
        acting_as = on_behalf_of or actor
        if not _allowed(t, acting_as, current):
            raise PermissionDeniedError(
                _("You may not %(move)s %(case)s.") % {"move": str(t.label).lower(), "case": title}
            )
    if comment.strip() == "" and t.comment_required and not _engine:
        raise ValidationError({"comment": [_("Say why: this move needs a comment.")]})
    applied = _apply_inputs(current, case_type, t, data or {})
    approval = _running_approval(current, case_type)
    reasons = _blockers(current, case_type, t, approval=None if (_engine or not start_approval) else approval)
    if reasons:
        raise TransitionError(" ".join(reasons), code="move_blocked")
    setattr(current, case_type.state_field, t.target)
    if case_type.state_changed_field:
        setattr(current, case_type.state_changed_field, timezone.now())
    if isinstance(current, VersionedModel):
        bump_version(current)
    if actor is not None and actor.is_authenticated:
        current._history_user = actor  # read by simple_history when the model keeps history
    current.save()
    entry = log_write(
        case=current,
        case_type=case_type,
        action=t.name,
        from_state=from_state,
        to_state=t.target,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=comment,
        field_comments=field_comments,
        files=files,
    )
    activity_record(
        target=current,
        verb=t.name,
        actor=actor,
        comment=comment,
        message=lambda: (
            _("%(case)s: %(before)s → %(after)s")
            % {
                "case": case_type.title(current),  # in the language the message is rendered in
                "before": case_type.state_label(from_state),
                "after": case_type.state_label(t.target),
            }
        ),
    )
    from meridian.workflow import chains

    hooks = case_type.approval
    if approval is not None and hooks is not None and t.target != hooks.review_state and not _engine:
        chains.approval_cancel(approval=approval, actor=actor)
    context = MoveContext(
        case=current,
        case_type=case_type,
        transition=t,
        actor=actor,
        on_behalf_of=on_behalf_of,
        from_state=from_state,
        to_state=t.target,
        comment=comment,
        data=applied,
        entry=entry,
    )
    for effect in t.effects:
        effect(context)
    if t.starts_approval and start_approval:
        chains.approval_start(case=current, case_type=case_type, actor=actor)
        # With every step skipped the run completes at once and the approved move has fired already.
        current.refresh_from_db()
    recipients = (
        people_to_tell(case=current, case_type=case_type, exclude=[actor] if actor else [])
        if t.notify
        else []
    )
    if recipients:
        notify(
            recipients=recipients,
            subject=lambda: (
                _("%(case)s is now “%(state)s”")
                % {"case": case_type.title(current), "state": case_type.state_label(t.target)}
            ),
            body=lambda: (
                _("%(actor)s: %(move)s.") % {"actor": actor or _("the system"), "move": t.label}
                + (f"\n\n{comment}" if comment else "")
            ),
            url=_case_url(current),
            verb=f"workflow.{t.name}",
            target=current,
        )
    return current


# --- watching, notifications, preferences -------------------------------------------------------------


def watch_set(*, case, user, watching: bool) -> bool:
    """Start or stop watching ``case`` (notified of every move). Returns whether the user now watches.

    Raises ``PermissionDeniedError`` when the user may not see the case.
    """
    from django.contrib.contenttypes.models import ContentType

    case_type = case_types.for_model(case)
    visible = case_type.visible(user, type(case)._default_manager.filter(pk=case.pk))
    if not visible.exists():
        raise PermissionDeniedError(_("You may not see this case."))
    content_type = ContentType.objects.get_for_model(case)
    if watching:
        Watch.objects.get_or_create(user=user, content_type=content_type, object_id=case.pk)
    else:
        Watch.objects.filter(user=user, content_type=content_type, object_id=case.pk).delete()
    return watching


def notifications_mark_read(*, user, ids: Sequence[int] | None = None, unread: bool = False) -> int:
    """Mark the user's notifications read (all when ``ids`` is None) or, with ``unread``, unread again.

    Only the user's own notifications change. Returns the number changed.
    """
    rows = Notification.objects.filter(recipient=user)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    if unread:
        return rows.exclude(read_at=None).update(read_at=None)
    return rows.filter(read_at=None).update(read_at=timezone.now())


LANGUAGES = ("en", "zh-hans")


def notification_preference_update(*, user, daily_digest: bool, language: str) -> NotificationPreference:
    """Set how the user gets e-mail: each notification at once, or one daily digest; and its language.

    Raises ``ValidationError`` for a language other than ``en`` or ``zh-hans``.
    """
    if language not in LANGUAGES:
        raise ValidationError({"language": [_("Choose English or Chinese.")]})
    pref, _created = NotificationPreference.objects.get_or_create(user=user, defaults={"language": language})
    pref.daily_digest = daily_digest
    pref.language = language
    pref.save()
    return pref


from meridian.workflow.chains import (  # noqa: E402  (re-exported: one services module for callers)
    approval_cancel,
    approval_start,
    chain_create,
    chain_ensure,
    chain_version_publish,
    deputy_create,
    deputy_delete,
    step_approve,
    step_delegate,
    step_reject,
    step_return,
    unit_function_set,
    unit_post_add,
    unit_post_remove,
)

__all__ = [
    "MoveOption",
    "approval_cancel",
    "approval_start",
    "can_move",
    "case_move",
    "chain_create",
    "chain_ensure",
    "chain_version_publish",
    "deputy_create",
    "deputy_delete",
    "log_write",
    "moves_for",
    "notification_preference_update",
    "notifications_mark_read",
    "people_to_tell",
    "step_approve",
    "step_delegate",
    "step_reject",
    "step_return",
    "unit_function_set",
    "unit_post_add",
    "unit_post_remove",
    "watch_set",
]
