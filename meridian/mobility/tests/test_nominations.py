"""Nominating allocated students to partners: one action per partner creates the outgoing mobilities and moves
the applications, only for the office and only after the publicity period; the bilingual nomination letter
lists the batch and goes to the partner's contacts by e-mail; the office's nomination page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.models import Notification
from meridian.documents.models import GeneratedDocument
from meridian.documents.services import document_generate
from meridian.documents.tests.helpers import pdf_text, read
from meridian.mobility import casework
from meridian.mobility.choices import ApplicationState, CallState, Direction, MobilityState, MobilityType
from meridian.mobility.documents_nominations import (
    LETTER,
    can_view_letter,
    nomination_batch,
    nomination_letter_context,
    nomination_letter_sample,
)
from meridian.mobility.models import Application, Mobility
from meridian.mobility.services.nominations import nominate_for_partner, nomination_letter_send
from meridian.mobility.tests.factories import (
    YEAR,
    make_application,
    make_call,
    make_mobility,
    student_user,
)
from meridian.mobility.tests.factories_partner import case_pages_installed  # noqa: F401
from meridian.partners.tests.factories import PartnerFactory
from meridian.reference.tests.factories import country
from meridian.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

A = ApplicationState


@pytest.fixture
def allocated(world, org):
    """A call whose results were published and whose publicity ended yesterday: two students accepted a
    place at the partner, one at the other partner, one still has an open offer at the partner."""
    call = make_call(
        unit=org.intl_office,
        state=CallState.PUBLISHED,
        destinations=[(world.partner, 2, world.outgoing), (world.other_partner, 1, world.other_outgoing)],
        publicity_ends_on=casework.today() - datetime.timedelta(days=1),
    )
    at_partner, at_other = list(call.destinations.order_by("pk"))
    china = country("CN", "China", "中国")
    students = [
        student_user(
            org.computing, "stu-a", family_name="Li", given_name="Ming", name_zh="李明", nationality=china
        ),
        student_user(org.engineering, "stu-b", family_name="Wang", given_name="Fang", name_zh="王芳"),
        student_user(org.humanities, "stu-c", family_name="Zhao", given_name="Lei", name_zh="赵磊"),
        student_user(org.computing, "stu-d", family_name="Sun", given_name="Yi", name_zh="孙怡"),
    ]
    apps = [
        make_application(call, students[0], state=A.ACCEPTED, offered=at_partner, rank=2),
        make_application(call, students[1], state=A.ACCEPTED, offered=at_partner, rank=1),
        make_application(call, students[2], state=A.ACCEPTED, offered=at_other, rank=3),
        make_application(call, students[3], state=A.OFFERED, offered=at_partner, rank=4),
    ]
    return call, apps


# --- the service -----------------------------------------------------------------------------------------


def test_office_nominates_every_accepted_student_of_the_partner(world, people, org, allocated):
    call, apps = allocated
    mobilities = nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    assert [m.application_id for m in mobilities] == [apps[1].pk, apps[0].pk]  # best rank first
    for mobility, application in zip(mobilities, [apps[1], apps[0]], strict=True):
        mobility.refresh_from_db()
        assert mobility.direction == Direction.OUTGOING and mobility.state == MobilityState.NOMINATED
        assert (mobility.partner, mobility.agreement, mobility.condition) == (
            world.partner,
            world.agreement,
            world.outgoing,
        )
        assert (mobility.person, mobility.student, mobility.home_unit) == (
            application.person,
            application.student,
            application.unit,
        )
        assert (mobility.mobility_type, mobility.academic_year, mobility.semester) == (
            MobilityType.SEMESTER,
            YEAR,
            call.semester,
        )
        assert mobility.months == Decimal(5)
        assert mobility.nominated_by == people.officer and mobility.nominated_at is not None
        assert mobility.number.startswith(f"MOB-{YEAR}-")
        application.refresh_from_db()
        assert application.state == A.NOMINATED
        entry = TransitionLog.objects.filter(object_id=application.pk, action="nominate").get()
        assert entry.actor is None and entry.to_state == A.NOMINATED
    assert len({m.number for m in mobilities}) == 2
    assert len({m.nominated_at for m in mobilities}) == 1  # one batch
    # The other partner's student and the open offer are untouched.
    assert Application.objects.get(pk=apps[2].pk).state == A.ACCEPTED
    assert Application.objects.get(pk=apps[3].pk).state == A.OFFERED


def test_numbers_follow_the_highest_of_the_year(world, people, org, allocated):
    call, _apps = allocated
    student = student_user(org.computing, "stu-x")
    make_mobility(
        partner=world.other_partner,
        home_unit=org.computing,
        person=student.person,
        number=f"MOB-{YEAR}-00041",
    )
    numbers = sorted(
        m.number for m in nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    )
    assert numbers == [f"MOB-{YEAR}-00042", f"MOB-{YEAR}-00043"]


@pytest.mark.parametrize(
    "who", ["coordinator", "staff", "leadership", "student", "outsider", "contact", "viewer"]
)
def test_only_the_office_nominates(world, people, allocated, who):
    call, _apps = allocated
    user = getattr(world, who, None) or getattr(people, who)
    with pytest.raises(PermissionDeniedError):
        nominate_for_partner(call=call, partner=world.partner, actor=user)
    assert not Mobility.objects.exists()
    assert not Application.objects.filter(state=A.NOMINATED).exists()


@pytest.mark.parametrize(
    ("state", "ends"),
    [
        (CallState.PUBLISHED, 0),  # the last day of the publicity
        (CallState.PUBLISHED, 3),
        (CallState.PUBLISHED, None),
        (CallState.ALLOCATED, -1),  # re-allocated after the publication
        (CallState.CLOSED, None),
    ],
)
def test_refused_until_the_publicity_is_over(world, people, allocated, state, ends):
    call, _apps = allocated
    call.state = state
    call.publicity_ends_on = None if ends is None else casework.today() + datetime.timedelta(days=ends)
    call.save()
    with pytest.raises(DomainError) as refused:
        nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    assert "publicity" in refused.value.message
    assert not Mobility.objects.exists()
    assert not Application.objects.filter(state=A.NOMINATED).exists()


def test_publicity_is_judged_on_the_evaluation_date(world, people, allocated):
    call, _apps = allocated
    with casework.evaluation_date(call.publicity_ends_on), pytest.raises(DomainError):
        nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    with casework.evaluation_date(call.publicity_ends_on + datetime.timedelta(days=1)):
        assert len(nominate_for_partner(call=call, partner=world.partner, actor=people.officer)) == 2


def test_refused_when_nobody_is_left_to_nominate(world, people, allocated, org):
    call, _apps = allocated
    nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    with pytest.raises(DomainError) as refused:
        nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    assert "not nominated yet" in refused.value.message
    assert Mobility.objects.count() == 2
    stranger = make_call(
        unit=org.intl_office, state=CallState.PUBLISHED, publicity_ends_on=call.publicity_ends_on
    )
    with pytest.raises(DomainError):
        nominate_for_partner(call=stranger, partner=world.partner, actor=people.officer)


def test_the_student_hears_of_the_nomination(world, people, allocated):
    call, apps = allocated
    nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    assert Notification.objects.filter(recipient=apps[0].student, verb="workflow.nominate").exists()


# --- the letter and the e-mail -------------------------------------------------------------------------


def test_letter_is_generated_and_mailed_after_commit(
    world, people, allocated, django_capture_on_commit_callbacks
):
    call, apps = allocated
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mobilities = nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    assert mail.outbox == [] and not GeneratedDocument.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    document = GeneratedDocument.objects.get()
    assert document.source == "mobility_nomination" and document.template.code == LETTER
    assert document.object_id == min(m.pk for m in mobilities) and document.language == "bilingual"
    letters = [m for m in mail.outbox if m.attachments]
    contacts = world.partner.contacts.all()
    assert sorted(m.to[0] for m in letters) == sorted(c.email for c in contacts)
    others = {c.email for c in world.other_partner.contacts.all()}
    assert not others & {address for m in mail.outbox for address in m.to}
    message = letters[0]
    assert len(message.to) == 1  # one message per contact: addresses are not shared
    ((name, data, content_type),) = message.attachments
    assert content_type == "application/pdf" and name.endswith(".pdf")
    assert data == read(document)
    # The contacts' records say English: English only.
    assert "/exchange/partner/" in message.body and "----------" not in message.body
    assert "Dear colleagues" in message.body


def test_letter_mail_is_in_each_contacts_language(
    world, people, allocated, django_capture_on_commit_callbacks
):
    """A contact preferring Chinese reads Chinese, one preferring a language the site does not have reads
    English and Chinese."""
    from django.utils import translation

    call, apps = allocated
    contacts = list(world.partner.contacts.order_by("pk"))
    contacts[0].preferred_language = "zh"
    contacts[0].save()
    contacts[1].preferred_language = "de"
    contacts[1].save()
    with django_capture_on_commit_callbacks(execute=True):
        nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    bodies = {m.to[0]: m.body for m in mail.outbox if m.attachments}
    with translation.override("zh-hans"):
        attached = translation.gettext("The nomination letter is attached.")
    assert attached != "The nomination letter is attached."
    chinese, both = bodies[contacts[0].email], bodies[contacts[1].email]
    assert attached in chinese and "Dear colleagues" not in chinese and "----------" not in chinese
    assert attached in both and "Dear colleagues" in both and "----------" in both


def test_the_nomination_reads_in_each_readers_language(
    world, people, allocated, django_capture_on_commit_callbacks
):
    """What the nomination records is written for readers of both languages: an activity entry on the
    application and on the mobility in English and Chinese, no one-language comment on the move."""
    from django.utils import translation

    from meridian.core.models import Activity

    call, apps = allocated
    with django_capture_on_commit_callbacks(execute=True):
        mobilities = nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    application = Application.objects.get(pk=mobilities[0].application_id)
    log = TransitionLog.objects.filter(
        object_id=application.pk, action="nominate", content_type__model="application"
    )
    assert log.exists() and set(log.values_list("comment", flat=True)) == {""}
    entry = Activity.objects.get(
        object_id=application.pk, content_type__model="application", verb="nominated"
    )
    assert mobilities[0].number in entry.message and mobilities[0].number in entry.message_zh
    assert entry.message != entry.message_zh
    with translation.override("zh-hans"):
        assert entry.text == entry.message_zh


def test_letter_lists_the_batch_in_both_languages(
    world, people, allocated, django_capture_on_commit_callbacks
):
    call, apps = allocated
    with django_capture_on_commit_callbacks(execute=True):
        nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    text = pdf_text(read(GeneratedDocument.objects.get()))
    assert "Nomination of Exchange Students" in text and "学生交换提名函" in text
    assert "LI Ming" in text and "李明" in text and "WANG Fang" in text and "王芳" in text
    assert "Zhao" not in text and "Sun" not in text  # the other partner's student, the open offer
    assert "Dear colleagues" in text and "现提名" in text
    assert "China" in text and "中国" in text and "2099/2100" in text
    assert "Example University of Technology" in text


def test_letter_context_has_the_shape_of_its_sample(world, people, allocated):
    call, _apps = allocated
    mobilities = nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    context, sample = nomination_letter_context(mobilities[1]), nomination_letter_sample()
    assert context.keys() == sample.keys()
    assert context["students"][0].keys() == sample["students"][0].keys()
    assert context["student_count"] == 2
    assert [s["number"] for s in context["students"]] == sorted(m.number for m in mobilities)
    assert set(nomination_batch(mobilities[0])) == set(mobilities)


def test_contacts_with_accounts_are_told_in_the_app(world, people, allocated):
    call, _apps = allocated
    nominate_for_partner(call=call, partner=world.partner, actor=people.officer)
    told = set(Notification.objects.filter(verb="mobility.nominated").values_list("recipient_id", flat=True))
    assert told == {world.contact.pk, world.viewer.pk}
    assert Notification.objects.filter(verb="mobility.nominated", email_wanted=False).count() == 2


def test_sending_twice_reuses_the_letter(world, people, allocated):
    call, _apps = allocated
    ids = [m.pk for m in nominate_for_partner(call=call, partner=world.partner, actor=people.officer)]
    nomination_letter_send.call(ids, people.officer.pk)
    nomination_letter_send.call(ids, people.officer.pk)
    assert GeneratedDocument.objects.count() == 1


def test_no_contact_address_tells_the_office(world, people, allocated):
    call, _apps = allocated
    world.partner.contacts.update(email="")
    for contact in world.partner.contacts.select_related("user"):
        contact.user.email = ""
        contact.user.save()
    ids = [m.pk for m in nominate_for_partner(call=call, partner=world.partner, actor=people.officer)]
    assert nomination_letter_send.call(ids, people.officer.pk) == 0
    assert Notification.objects.filter(recipient=people.officer, verb="mobility.nomination_letter").exists()


def test_who_reads_and_who_issues_the_letter(world, people, allocated):
    call, _apps = allocated
    first = nominate_for_partner(call=call, partner=world.partner, actor=people.officer)[0]
    assert can_view_letter(people.officer, first) and can_view_letter(people.leadership, first)
    assert can_view_letter(world.contact, first)
    for user in (world.viewer, world.other_contact, people.student, people.staff, first.student):
        assert not can_view_letter(user, first)
    with pytest.raises(PermissionDeniedError):
        document_generate(template_code=LETTER, subject=first, actor=people.coordinator, language="bilingual")


# --- the office's page -------------------------------------------------------------------------------


def test_nomination_page_lists_the_students_per_partner(client, world, people, allocated):
    call, _apps = allocated
    client.force_login(people.officer)
    response = client.get(reverse("mobility:nominate", args=[call.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Nominate all for {world.partner}" in html and f"Nominate all for {world.other_partner}" in html
    assert "LI Ming" in html and "ZHAO Lei" in html and "SUN Yi" not in html


def test_nomination_page_nominates_one_partner(
    client, world, people, allocated, django_capture_on_commit_callbacks
):
    call, _apps = allocated
    client.force_login(people.officer)
    url = reverse("mobility:nominate", args=[call.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"partner": world.partner.pk}, follow=True)
    assert response.status_code == 200
    assert "2 students nominated" in response.content.decode()
    assert set(Mobility.objects.values_list("partner_id", flat=True)) == {world.partner.pk}
    assert len([m for m in mail.outbox if m.attachments]) == world.partner.contacts.count()


def test_nomination_page_says_why_not_during_publicity(client, world, people, allocated):
    call, _apps = allocated
    call.publicity_ends_on = casework.today()
    call.save()
    client.force_login(people.officer)
    url = reverse("mobility:nominate", args=[call.pk])
    assert 'id="refusal"' in client.get(url).content.decode()
    response = client.post(url, {"partner": world.partner.pk}, follow=True)
    assert "publicity" in response.content.decode()
    assert not Mobility.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "staff", "leadership", "student", "contact", "viewer"])
def test_nomination_page_is_the_office_s(client, world, people, allocated, who):
    call, _apps = allocated
    client.force_login(getattr(world, who, None) or getattr(people, who))
    url = reverse("mobility:nominate", args=[call.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"partner": world.partner.pk}).status_code == 403
    assert not Mobility.objects.exists()


def test_nomination_page_needs_sign_in_and_a_real_call(client, people, allocated):
    call, _apps = allocated
    url = reverse("mobility:nominate", args=[call.pk])
    assert client.get(url).status_code == 302
    client.force_login(people.officer)
    assert client.get(reverse("mobility:nominate", args=[call.pk + 1000])).status_code == 404
    assert client.post(url, {"partner": 999999}).status_code == 404


def test_nomination_page_takes_only_a_partner_of_the_call(client, people, allocated):
    call, _apps = allocated
    stranger = PartnerFactory(name="Nowhere University")
    client.force_login(people.officer)
    url = reverse("mobility:nominate", args=[call.pk])
    for value in ("abc", "1.5", "1e3", "-1", "", "99999999999999999999999", str(stranger.pk)):
        assert client.post(url, {"partner": value}).status_code == 404, value
    assert not Mobility.objects.exists()
    assert Application.objects.filter(call=call, state=A.ACCEPTED).count() == 3


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_nomination_page_in_both_languages(client, people, allocated, language):
    call, _apps = allocated
    client.force_login(people.officer)
    response = client.get(reverse("mobility:nominate", args=[call.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
