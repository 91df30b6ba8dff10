"""Nominating allocated students to partners (提名): one action per partner and call.

After the internal publicity (公示) of a call's results has ended, the International Office nominates, in one
action, every student of the call who accepted a place at a partner (application state "accepted"). Each
becomes an outgoing ``Mobility`` in state "nominated" (numbered ``MOB-<year>-<sequence>``) and each
application moves to "nominated" by the system move ``nominate`` (``casework.py``), all in one transaction.
After commit the bilingual nomination letter listing the batch is generated (``documents_nominations``) and
e-mailed, with the letter attached, to every contact of the partner that has an e-mail address; contacts with
a portal account also get an in-app notification, and the partner decides in the partner portal.

Design note, "Student exchange": "... allocation by ranking and preference; internal publicity; nomination to
the partner; partner acceptance ...".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from meridian.core.activity import activity_record
from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.notifications import notify
from meridian.mobility import numbering, permissions
from meridian.mobility.casework import today
from meridian.mobility.choices import ApplicationState, CallState, Direction, MobilityState
from meridian.mobility.models import Application, Call, Mobility
from meridian.workflow.services import case_move

logger = logging.getLogger(__name__)

NUMBER_ATTEMPTS = 5


class NominationError(DomainError):
    code = "nomination"


# --- what can be nominated ------------------------------------------------------------------------------


def nominable_applications(*, call: Call, partner: Any = None) -> QuerySet[Application]:
    """The applications of ``call`` whose student accepted a place (state "accepted") at ``partner`` (every
    partner when None), with the destination, person and school, best rank first."""
    rows = Application.objects.filter(call=call, state=ApplicationState.ACCEPTED, offered__isnull=False)
    if partner is not None:
        rows = rows.filter(offered__partner=partner)
    return rows.select_related(
        "offered__partner", "offered__condition", "person", "unit", "student"
    ).order_by("rank", "pk")


def nomination_refusal(call: Call) -> str:
    """Why the students of ``call`` cannot be nominated now ("" when they can): the results must be published
    and their publicity period (公示, ``call.publicity_ends_on``, inclusive) over, compared with
    ``casework.today()``."""
    if call.state not in {CallState.PUBLISHED, CallState.FINISHED} or call.publicity_ends_on is None:
        return _("Publish the results first: students are nominated after the publicity period.")
    if call.publicity_ends_on >= today():
        return _("The results are in publicity until %(date)s: nominate from the day after.") % {
            "date": call.publicity_ends_on.isoformat()
        }
    return ""


# --- creating mobilities --------------------------------------------------------------------------------


def mobility_save_numbered(mobility: Mobility, *, prefix: str = numbering.MOBILITY) -> Mobility:
    """Give ``mobility`` the next free number of its academic year and save it; a number taken by a concurrent
    save is retried (``NUMBER_ATTEMPTS`` times). Raises ``ValidationError`` for invalid fields and
    ``NominationError`` when no number could be had."""
    for _attempt in range(NUMBER_ATTEMPTS):
        mobility.number = numbering.number_next(Mobility, prefix=prefix, year=mobility.academic_year)
        mobility.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                mobility.save()
        except IntegrityError:
            if not Mobility.objects.filter(number=mobility.number).exists():
                raise  # another constraint: not a race for the number
            mobility.pk = None
            continue
        return mobility
    raise NominationError(_("No free mobility number could be reserved; please try again."))


def _mobility_for(application: Application, *, actor: Any, now: Any) -> Mobility:
    destination = application.offered
    assert destination is not None  # nominable_applications filters on it
    condition = destination.condition
    call = application.call
    mobility = Mobility(
        direction=Direction.OUTGOING,
        partner_id=destination.partner_id,
        agreement_id=condition.agreement_id if condition is not None else None,
        condition=condition,
        application=application,
        person=application.person,
        student=application.student,
        home_unit=application.unit,
        mobility_type=destination.mobility_type,
        academic_year=call.academic_year,
        semester=call.semester,
        months=destination.months,
        student_email=application.person.email or getattr(application.student, "email", ""),
        home_programme=application.programme,
        language=application.language,
        cefr_level=application.cefr_level,
        state=MobilityState.NOMINATED,
        state_changed_at=now,
        nominated_at=now,
        nominated_by=actor,
        created_by=actor,
    )
    return mobility_save_numbered(mobility)


def _nominated_message(mobility: Mobility, partner: Any) -> Callable[[], str]:
    return lambda: _("%(number)s: nominated to %(partner)s") % {"number": mobility.number, "partner": partner}


def _application_nominated_message(mobility: Mobility, partner: Any) -> Callable[[], str]:
    return lambda: (
        _("Nominated to %(partner)s as %(number)s.") % {"partner": partner, "number": mobility.number}
    )


def _partner_users(partner: Any) -> list:
    from meridian.partners.models import PartnerContact

    contacts = PartnerContact.objects.filter(partner=partner, user__isnull=False).select_related("user")
    return [contact.user for contact in contacts]


def _portal_path() -> str:
    try:
        return reverse("mobility:partner_home")
    except NoReverseMatch:
        return ""


def nominate_for_partner(*, call: Call, partner: Any, actor: Any) -> list[Mobility]:
    """Nominate to ``partner`` every student of ``call`` who accepted a place there; returns the new outgoing
    mobilities (state "nominated"), best-ranked first.

    One transaction: the call row is locked (two officers clicking at once nominate each student once), each
    accepted application gets its ``Mobility`` — agreement and condition from the offered destination, the
    student's person, account and school (``application.unit``), mobility type and months from the
    destination, academic year and semester from the call — and moves to "nominated" (system move
    ``nominate``). The partner's contacts with a portal account are notified in the app; after commit the
    nomination letter is generated and e-mailed (``nomination_letter_send``).

    Raises ``PermissionDeniedError`` unless ``actor`` is the International Office
    (``permissions.can_nominate``), ``NominationError`` (a ``DomainError``) while the results are unpublished
    or in publicity (``nomination_refusal``) or when nobody is left to nominate to ``partner``. Nothing is
    stored when it raises.
    """
    if not permissions.can_nominate(actor):
        raise PermissionDeniedError(_("Only the International Office nominates students to partners."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        reason = nomination_refusal(locked)
        if reason:
            raise NominationError(reason)
        ids = list(
            Application.objects.select_for_update(of=("self",))
            .filter(call=locked, state=ApplicationState.ACCEPTED, offered__partner=partner)
            .values_list("pk", flat=True)
        )
        applications = list(nominable_applications(call=locked, partner=partner).filter(pk__in=ids))
        if not applications:
            raise NominationError(
                _("No student of this call has accepted a place at %(partner)s who is not nominated yet.")
                % {"partner": partner}
            )
        now = timezone.now()
        mobilities = []
        for application in applications:
            application.call = locked
            mobility = _mobility_for(application, actor=actor, now=now)
            # The move carries no comment (a stored comment has one language); the activity entries say
            # where to and under which number, in English and Chinese.
            case_move(case=application, actor=None, move="nominate")
            activity_record(
                target=application,
                verb="nominated",
                actor=actor,
                message=_application_nominated_message(mobility, partner),
            )
            activity_record(
                target=mobility, verb="nominated", actor=actor, message=_nominated_message(mobility, partner)
            )
            mobilities.append(mobility)
        count = len(mobilities)
        notify(
            recipients=_partner_users(partner),
            subject=lambda: (
                ngettext(
                    "%(university)s nominated %(count)s student to you",
                    "%(university)s nominated %(count)s students to you",
                    count,
                )
                % {"university": _university_name(), "count": count}
            ),
            body=lambda: _("Please accept them, reject them or request documents in the partner portal."),
            url=_portal_path(),
            verb="mobility.nominated",
            target=mobilities[0],
            email=False,  # the contacts get the e-mail with the letter attached
        )
        ids = [m.pk for m in mobilities]
        actor_id = actor.pk
        transaction.on_commit(lambda: nomination_letter_send.enqueue(ids, actor_id))
    return mobilities


def _university_name() -> str:
    from meridian.mobility.documents_nominations import university_names

    names = university_names()
    return names["name_zh"] if translation.get_language() in ("zh-hans", "zh") else names["name_en"]


# --- the letter and the e-mail --------------------------------------------------------------------------


def nomination_letter_issue(*, mobilities: list[Mobility], actor: Any) -> Any:
    """The nomination letter of the batch ``mobilities`` (one bilingual ``GeneratedDocument`` attached to the
    first, by id): the valid letter issued before, else a new one. Raises what
    ``documents.services.document_generate`` raises (``PermissionDeniedError``, ``DocumentError``)."""
    from meridian.documents.services import document_generate
    from meridian.mobility.documents_nominations import LETTER, nomination_letter_of

    first = min(mobilities, key=lambda m: m.pk)
    existing = nomination_letter_of(first)
    if existing is not None:
        return existing
    return document_generate(template_code=LETTER, subject=first, actor=actor, language="bilingual")


def _mail_text(partner: Any, count: int, *, attached: bool, language: str | None = None) -> tuple[str, str]:
    """The letter e-mail's subject and body in ``language`` (None: English and Chinese)."""
    from meridian.mobility.mail import in_language

    def build() -> tuple[str, str]:
        subject = ngettext(
            "Nomination of %(count)s exchange student",
            "Nomination of %(count)s exchange students",
            count,
        ) % {"count": count}
        text = _(
            "Dear colleagues at %(partner)s,\n\nwe have nominated students to you for exchange. Please "
            "accept them, reject them or request documents in the partner portal:\n%(url)s"
        ) % {"partner": partner, "url": _absolute(_portal_path())}
        if attached:
            text += "\n\n" + _("The nomination letter is attached.")
        return subject, text + "\n\n" + _("International Office")

    return in_language(language, build)


def _absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"


def _contact_addresses(partner: Any) -> dict[str, str | None]:
    """Each contact's address with the language of their e-mail (``mail.contact_language``; None: both)."""
    from meridian.mobility.mail import contact_language
    from meridian.partners.models import PartnerContact

    addresses: dict[str, str | None] = {}
    for contact in PartnerContact.objects.filter(partner=partner).select_related("user"):
        email = (contact.email or getattr(contact.user, "email", "") or "").strip()
        if email:
            addresses.setdefault(email.lower(), contact_language(contact))
    return addresses


@task()
def nomination_letter_send(mobility_ids: list[int], actor_id: int) -> int:
    """Generate (or reuse) the nomination letter of a batch and e-mail it to each contact of the partner with
    an e-mail address (one message each, in the contact's language or, not known, in English and Chinese;
    the letter attached). Returns the number
    of e-mails sent. When the letter cannot be generated the e-mails go without it and the actor is told;
    when no contact has an address the actor is told to send the letter themselves."""
    from meridian.accounts.models import User

    mobilities = list(Mobility.objects.filter(pk__in=mobility_ids).select_related("partner").order_by("pk"))
    actor = User.objects.filter(pk=actor_id).first()
    if not mobilities or actor is None:
        return 0
    partner = mobilities[0].partner
    document, data, problem = None, b"", ""
    try:
        document = nomination_letter_issue(mobilities=mobilities, actor=actor)
        with document.file.open("rb") as handle:
            data = handle.read()
    except DomainError as exc:
        problem = exc.message
        logger.warning("Nomination letter for %s not generated: %s", mobility_ids, problem)
    addresses = _contact_addresses(partner)
    for address, language in addresses.items():
        subject, body = _mail_text(partner, len(mobilities), attached=bool(data), language=language)
        message = EmailMessage(subject=subject, body=body, to=[address])
        if data and document is not None:
            message.attach(document.filename, data, "application/pdf")
        message.send()
    if problem or not addresses:
        notify(
            recipients=[actor],
            subject=lambda: _("Nomination letter to %(partner)s not sent") % {"partner": partner},
            body=lambda: (
                _("The letter could not be generated: %(reason)s") % {"reason": problem}
                if problem
                else _("No contact of the partner has an e-mail address: send the letter yourself.")
            ),
            url=mobilities[0].get_absolute_url() if _routable("mobility:mobility_detail") else "",
            verb="mobility.nomination_letter",
            target=mobilities[0],
        )
    return len(addresses)


def _routable(url_name: str) -> bool:
    try:
        reverse(url_name, args=[0])
    except NoReverseMatch:
        return False
    return True
