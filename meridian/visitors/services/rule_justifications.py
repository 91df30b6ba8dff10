"""Written justifications of a visit's rules: a rule of severity "justify" that fails stops the visit until
someone who edits it explains why it should go ahead (``Visit.justifications``, by rule code)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.visitors.models import Visit

MAX_LENGTH = 2000


@transaction.atomic
def visit_justification_save(
    *, visit: Visit, actor: Any, code: str, text: str, expected_version: int | None = None
) -> Visit:
    """Store (or, with an empty ``text``, remove) the justification of rule ``code`` of the visitors rule
    pack on ``visit`` and return the visit (its ``version`` goes up by one).

    Raises ``PermissionDeniedError`` (``actor`` may not edit the visit: ``permissions.can_edit_visit``, so
    drafts only), ``DomainError`` (an unknown rule, a text longer than 2,000 characters, or the visit changed
    since ``expected_version`` was read: nothing is overwritten).
    """
    from meridian.visitors import rules
    from meridian.visitors.permissions import can_edit_visit

    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if not can_edit_visit(actor, locked):
        raise PermissionDeniedError(_("You may not change this visit."))
    if code not in rules.VISIT_RULES:
        raise DomainError(_("There is no rule “%(code)s”.") % {"code": code}, code="invalid")
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise DomainError(
            _("A justification has at most %(n)s characters.") % {"n": f"{MAX_LENGTH:,}"}, code="invalid"
        )
    if expected_version is not None and expected_version != locked.version:
        raise DomainError(
            _("Someone else changed the visit in the meantime; nothing was saved. Reload the page."),
            code="stale_edit",
        )
    justifications = dict(locked.justifications or {})
    if text:
        justifications[code] = text
    elif code in justifications:
        del justifications[code]
    else:
        return locked
    locked.justifications = justifications
    locked.version += 1
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=["justifications", "version", "updated_at"])
    label = rules.PACK.get(code).label
    activity_record(
        target=locked,
        verb="justified",
        actor=actor,
        message=lambda: (
            (_("Justification for “%(rule)s” written") if text else _("Justification for “%(rule)s” removed"))
            % {"rule": label}
        ),
        comment=text,
    )
    visit.justifications, visit.version = locked.justifications, locked.version
    return locked
