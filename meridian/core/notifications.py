"""In-app notifications and their e-mail copies.

``notify`` writes one ``Notification`` per recipient inside the caller's transaction and, after commit,
enqueues
the background task that e-mails it (or leaves it for the daily digest when the recipient chose one).
Nothing is
mailed for a transaction that rolls back, and a slow mail server never slows a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from meridian.core.models import Notification, NotificationPreference

Text = Callable[[], str] | str


def _both(text: Text) -> tuple[str, str]:
    if callable(text):
        with translation.override("en"):
            english = str(text())
        with translation.override("zh-hans"):
            chinese = str(text())
        return english, chinese
    return text, text


def notify(
    *,
    recipients: Iterable,
    subject: Text,
    body: Text = "",
    url: str = "",
    verb: str = "",
    target: models.Model | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify each distinct active user in ``recipients`` in the app and (when ``email``) by e-mail.

    ``subject`` and ``body`` are given as callables that build translated text, so that each is stored in
    English
    and Chinese; ``url`` is a path in the app (made absolute with ``SITE_URL`` in e-mails). Returns the
    rows made.
    """
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", False)}
    if not users:
        return []
    subject_en, subject_zh = _both(subject)
    body_en, body_zh = _both(body)
    content_type = ContentType.objects.get_for_model(target) if target is not None else None
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                verb=verb,
                subject=subject_en[:300],
                subject_zh=subject_zh[:300],
                body=body_en,
                body_zh=body_zh,
                url=url,
                content_type=content_type,
                object_id=target.pk if target is not None else None,
                email_wanted=email and bool(users[pk].email),
            )
            for pk in users
        ]
    )
    if email:
        ids = [n.pk for n in rows if n.email_wanted]
        if ids:
            transaction.on_commit(lambda: notifications_email.enqueue(ids))
    return rows


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


@task()
def notifications_email(notification_ids: list[int]) -> int:
    """E-mail the given notifications that are still unsent, skipping recipients who chose the daily digest.

    Safe to run twice: a notification is marked ``emailed_at`` in the same transaction that sends it.
    Returns the number of e-mails sent.
    """
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True, email_wanted=True)
                .first()
            )
            if note is None:
                continue
            # One read of the recipient's preference answers both: digest or not, and in which language
            # (without one, the language the account prefers, as the preferences page proposes).
            pref = NotificationPreference.objects.filter(user_id=note.recipient_id).first()
            if pref is not None and pref.daily_digest:
                continue
            language = pref.language if pref else note.recipient.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                body = note.text_body
                if note.url:
                    body = f"{body}\n\n{_absolute(note.url)}".strip()
                EmailMessage(subject=note.text_subject, body=body, to=[note.recipient.email]).send()
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@task()
def notifications_digest(now_iso: str | None = None) -> int:
    """Send each digest user one e-mail with their unsent notifications; idempotent. Returns e-mails sent."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    sent = 0
    for pref in NotificationPreference.objects.filter(daily_digest=True).select_related("user"):
        user = pref.user
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, email_wanted=True, emailed_at__isnull=True, created_at__lte=now)
                .order_by("created_at")
            )
            if not pending or not user.email:
                continue
            with translation.override(pref.language):
                lines = [
                    f"- {n.text_subject}" + (f"\n  {_absolute(n.url)}" if n.url else "") for n in pending
                ]
                subject = _("Your Meridian digest: %(count)d notifications") % {"count": len(pending)}
                EmailMessage(subject=subject, body="\n".join(lines), to=[user.email]).send()
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
            sent += 1
    return sent


def unread_count(user) -> int:
    """Unread in-app notifications of ``user`` (0 for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
