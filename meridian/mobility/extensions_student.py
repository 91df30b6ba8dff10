"""What the student portal registers: students land on their exchange page after signing in, and have a
"My exchange" entry in the main navigation (with a badge for offers to answer and unread messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meridian.core.registry import Landing, NavEntry, registry
from meridian.mobility import permissions


def _to_answer(user) -> int | None:
    """Offers waiting for the student's answer (results published) plus unread messages from staff."""
    from meridian.mobility.choices import ApplicationState, CallState
    from meridian.mobility.models import Application, ApplicationMessage

    offers = Application.objects.filter(
        student=user,
        state=ApplicationState.OFFERED,
        call__state__in=[CallState.PUBLISHED, CallState.FINISHED],
    ).count()
    unread = (
        ApplicationMessage.objects.filter(application__student=user, internal=False, read_at__isnull=True)
        .exclude(author=user)
        .count()
    )
    return (offers + unread) or None


registry.landings.add(
    Landing(
        key="mobility_student", url_name="mobility:student_home", applies=permissions.is_student, order=50
    )
)
registry.nav.add(
    NavEntry(
        key="my_exchange",
        label=_("My exchange"),
        url_name="mobility:student_home",
        visible=permissions.is_student,
        order=12,
        count=_to_answer,
    )
)
