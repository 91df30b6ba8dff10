"""The partner portal as partner contacts use it: each partner sees only its own agreements, places,
nominations and learning agreements (another partner's contact gets 404 on every record of the first);
coordinators decide on our nominations and nominate their students within places and deadlines, viewers only
read (403 on every action); partner contacts land on the portal; pages in both languages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.core.models import Notification
from meridian.mobility import casework
from meridian.mobility.choices import (
    CefrLevel,
    Direction,
    LearningAgreementState,
    MobilityState,
    MobilityType,
    Semester,
)
from meridian.mobility.models import Mobility, PartnerFactsheet
from meridian.mobility.services.partner_portal import (
    nomination_deadline,
    partner_decide,
    partner_nomination_create,
    places_used,
)
from meridian.mobility.tests.factories import (
    YEAR,
    make_condition,
    make_learning_agreement,
    make_mobility,
    student_user,
)
from meridian.mobility.tests.factories_partner import case_pages_installed  # noqa: F401
from meridian.people.choices import PersonKind
from meridian.reference.models import IscedField
from meridian.reference.tests.factories import country

pytestmark = pytest.mark.django_db

M = MobilityState


@pytest.fixture
def records(world, org):
    """Our nomination to the partner (waiting), one to the other partner, the partner's nomination to us, and
    a learning agreement waiting for the partner's signature."""
    student = student_user(
        org.computing, "stu1", family_name="Li", given_name="Ming", nationality=country("CN", "China", "中国")
    )
    other_student = student_user(org.computing, "stu2", family_name="Wang", given_name="Fang")
    ours = make_mobility(
        partner=world.partner,
        home_unit=org.computing,
        person=student.person,
        student=student,
        agreement=world.agreement,
        condition=world.outgoing,
        home_programme="Electrical Engineering",
        student_email="li.ming@stu.example",
    )
    theirs_guest = student_user(org.engineering, "guest1", family_name="Schmidt", given_name="Anna")
    theirs = make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=theirs_guest.person,
        direction=Direction.INCOMING,
        agreement=world.agreement,
        condition=world.incoming,
    )
    elsewhere = make_mobility(
        partner=world.other_partner,
        home_unit=org.computing,
        person=other_student.person,
        student=other_student,
        agreement=world.other_agreement,
        condition=world.other_outgoing,
    )
    accepted = make_mobility(
        partner=world.partner,
        home_unit=org.computing,
        person=student.person,
        state=M.ACCEPTED,
        semester="spring",
    )
    la = make_learning_agreement(
        accepted, state=LearningAgreementState.SUBMITTED, student_signed_at=timezone.now()
    )
    other_la = make_learning_agreement(
        elsewhere, state=LearningAgreementState.SUBMITTED, student_signed_at=timezone.now()
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "elsewhere": elsewhere,
        "accepted": accepted,
        "la": la,
        "other_la": other_la,
    }


def _home(client, user):
    client.force_login(user)
    return client.get(reverse("mobility:partner_home"))


# --- home -------------------------------------------------------------------------------------------------


def test_home_shows_the_partner_its_own_records_only(client, world, records):
    response = _home(client, world.contact)
    assert response.status_code == 200
    html = response.content.decode()
    assert records["ours"].number in html and "LI Ming" in html
    assert records["theirs"].number in html and "SCHMIDT Anna" in html
    assert records["elsewhere"].number not in html and "WANG Fang" not in html
    assert f'id="la-{records["la"].pk}"' in html and f'id="la-{records["other_la"].pk}"' not in html
    assert world.agreement.title_en in html and world.other_agreement.title_en not in html
    assert f'id="condition-{world.outgoing.pk}-{YEAR}"' in html
    assert f'id="condition-{world.incoming.pk}-{YEAR}"' in html
    assert f'id="condition-{world.other_outgoing.pk}-' not in html
    assert "Tub-Coordinator" in html and "Tub-Viewer" in html and "Ue-Coordinator" not in html
    assert reverse("mobility:partner_nominate") in html


def test_home_counts_places_used_and_left_in_both_directions(client, world, records, org):
    guest = student_user(org.engineering, "guest2", family_name="Meier")
    make_mobility(
        partner=world.partner,
        home_unit=org.engineering,
        person=guest.person,
        direction=Direction.INCOMING,
        condition=world.incoming,
        state=M.REJECTED,  # a rejected nomination holds no place
    )
    home = _home(client, world.contact).context["home"]
    rows = {(r.condition.pk, r.year): r for r in home.conditions}
    outgoing, incoming = rows[(world.outgoing.pk, YEAR)], rows[(world.incoming.pk, YEAR)]
    assert (outgoing.used, outgoing.left) == (1, 1)
    assert (incoming.used, incoming.left) == (1, 1)
    assert all(r.condition.partner_id == world.partner.pk for r in home.conditions)


def test_viewer_reads_the_home_page_without_actions(client, world, records):
    response = _home(client, world.viewer)
    assert response.status_code == 200
    html = response.content.decode()
    assert records["ours"].number in html
    assert reverse("mobility:partner_nominate") not in html


@pytest.mark.parametrize("who", ["officer", "coordinator", "staff", "student", "leadership", "outsider"])
def test_the_portal_is_for_partner_contacts(client, people, records, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("mobility:partner_home")).status_code == 403
    assert client.get(reverse("mobility:partner_mobility", args=[records["ours"].pk])).status_code == 404
    assert client.get(reverse("mobility:partner_nominate")).status_code == 403


def test_anonymous_visitors_sign_in_first(client, records):
    for url in (
        reverse("mobility:partner_home"),
        reverse("mobility:partner_mobility", args=[records["ours"].pk]),
        reverse("mobility:partner_nominate"),
        reverse("mobility:partner_factsheet"),
    ):
        assert client.get(url).status_code == 302


# --- one mobility: the role x action matrix ---------------------------------------------------------------

ACTIONS = ("accept", "reject", "request_documents")


def _move(client, mobility, action, comment="We need the transcript."):
    url = reverse("mobility:partner_mobility_move", args=[mobility.pk, action])
    return client.post(url, {"comment": comment})


@pytest.mark.parametrize("record", ["ours", "theirs", "accepted"])
def test_another_partner_gets_404_on_every_record(client, world, records, record):
    mobility = records[record]
    client.force_login(world.other_contact)
    assert client.get(reverse("mobility:partner_mobility", args=[mobility.pk])).status_code == 404
    for action in ACTIONS:
        assert _move(client, mobility, action).status_code == 404
    mobility.refresh_from_db()
    assert mobility.state == (M.ACCEPTED if record == "accepted" else M.NOMINATED)


def test_the_other_partner_sees_its_own_records(client, world, records):
    client.force_login(world.other_contact)
    assert client.get(reverse("mobility:partner_mobility", args=[records["elsewhere"].pk])).status_code == 200
    html = client.get(reverse("mobility:partner_home")).content.decode()
    assert records["elsewhere"].number in html and records["ours"].number not in html


@pytest.mark.parametrize("action", ACTIONS)
def test_a_viewer_cannot_act(client, world, records, action):
    client.force_login(world.viewer)
    assert client.get(reverse("mobility:partner_mobility", args=[records["ours"].pk])).status_code == 200
    assert _move(client, records["ours"], action).status_code == 403
    records["ours"].refresh_from_db()
    assert records["ours"].state == M.NOMINATED


def test_unknown_decision_is_refused_with_a_message(client, world, records):
    client.force_login(world.contact)
    for decision in ("complete", "maybe"):
        response = _move(client, records["ours"], decision)
        assert response.status_code == 400
        assert f"“{decision}” is not a decision on a nomination" in response.content.decode()
    records["ours"].refresh_from_db()
    assert records["ours"].state == M.NOMINATED
    client.force_login(world.other_contact)  # another partner's record stays "not found"
    assert _move(client, records["ours"], "maybe").status_code == 404
    client.force_login(world.viewer)  # a reader may not decide at all
    assert _move(client, records["ours"], "maybe").status_code == 403
    client.force_login(world.contact)
    assert (
        client.get(reverse("mobility:partner_mobility_move", args=[records["ours"].pk, "accept"])).status_code
        == 405
    )


def test_coordinator_accepts(client, world, records, people):
    client.force_login(world.contact)
    response = _move(client, records["ours"], "accept", comment="")
    assert response.status_code == 302
    mobility = Mobility.objects.get(pk=records["ours"].pk)
    assert mobility.state == M.ACCEPTED and mobility.decided_by == world.contact
    assert Notification.objects.filter(recipient=people.officer, verb="mobility.partner_accept").exists()


def test_rejecting_needs_a_reason(client, world, records):
    client.force_login(world.contact)
    response = _move(client, records["ours"], "reject", comment="  ")
    assert response.status_code == 302
    assert Mobility.objects.get(pk=records["ours"].pk).state == M.NOMINATED
    page = client.get(response["Location"]).content.decode()
    assert "needs a comment" in page
    _move(client, records["ours"], "reject", comment="No place in electrical engineering this year.")
    mobility = Mobility.objects.get(pk=records["ours"].pk)
    assert mobility.state == M.REJECTED
    assert mobility.decision_reason == "No place in electrical engineering this year."


def test_requesting_documents_says_which(client, world, records):
    client.force_login(world.contact)
    _move(client, records["ours"], "request_documents", comment="A language certificate (B2).")
    mobility = Mobility.objects.get(pk=records["ours"].pk)
    assert (
        mobility.state == M.DOCUMENTS_REQUESTED
        and mobility.documents_requested == "A language certificate (B2)."
    )
    _move(client, mobility, "accept", comment="")
    assert Mobility.objects.get(pk=mobility.pk).state == M.DOCUMENTS_REQUESTED  # not from this state


def test_the_partner_does_not_decide_on_its_own_nominations(client, world, records):
    client.force_login(world.contact)
    assert _move(client, records["theirs"], "accept", comment="").status_code == 403
    assert _move(client, records["theirs"], "reject").status_code == 403
    with pytest.raises(PermissionDeniedError):
        partner_decide(mobility=records["theirs"], actor=world.contact, move="reject", comment="x")
    assert Mobility.objects.get(pk=records["theirs"].pk).state == M.NOMINATED


@pytest.mark.parametrize("who", ["viewer", "other_contact"])
def test_the_service_refuses_others_too(world, records, who):
    with pytest.raises(PermissionDeniedError):
        partner_decide(mobility=records["ours"], actor=getattr(world, who), move="accept")


def test_mobility_page_shows_what_the_partner_needs(client, world, records):
    client.force_login(world.contact)
    html = client.get(reverse("mobility:partner_mobility", args=[records["ours"].pk])).content.decode()
    for text in (
        "LI Ming",
        "China",
        "li.ming@stu.example",
        "Electrical Engineering",
        "Accept the student",
        "Reject",
    ):
        assert text in html
    client.force_login(world.viewer)
    html = client.get(reverse("mobility:partner_mobility", args=[records["ours"].pk])).content.decode()
    assert "LI Ming" in html and 'id="move-accept"' not in html


# --- their nominations to us --------------------------------------------------------------------------------


@pytest.fixture
def nominee():
    # The ISCED-F fields arrive with the migrations; these names are the tests' own.
    IscedField.objects.update_or_create(code="07", defaults={"level": "broad", "name_en": "Engineering"})
    IscedField.objects.update_or_create(
        code="0713", defaults={"level": "narrow", "name_en": "Electricity and energy"}
    )
    return {
        "semester": Semester.AUTUMN,
        "mobility_type": MobilityType.SEMESTER,
        "family_name": "Schneider",
        "given_name": "Jonas",
        "email": "Jonas.Schneider@tub.example",
        "birth_date": datetime.date(2003, 2, 1),
        "nationality": country("DE"),
        "home_programme": "Elektrotechnik",
        "eqf_level": 6,
        "isced_code": "0713",
        "language": "en",
        "cefr_level": CefrLevel.C1,
    }


BEFORE_AUTUMN = datetime.date(YEAR, 5, 15)  # the autumn deadline day itself


def _nominate(world, nominee, **changes):
    fields = {
        "actor": world.contact,
        "condition": world.incoming,
        "academic_year": None,
        **nominee,
        **changes,
    }
    with casework.evaluation_date(changes.pop("day", None) or BEFORE_AUTUMN):
        fields.pop("day", None)
        return partner_nomination_create(**fields)


def test_coordinator_nominates_a_student(world, nominee, people, org):
    mobility = _nominate(world, nominee)
    assert mobility.direction == Direction.INCOMING and mobility.state == M.NOMINATED
    assert (mobility.partner, mobility.agreement, mobility.condition) == (
        world.partner,
        world.agreement,
        world.incoming,
    )
    assert mobility.home_unit == world.agreement.responsible_unit  # the condition names no unit
    assert (mobility.academic_year, mobility.semester, mobility.eqf_level) == (YEAR, Semester.AUTUMN, 6)
    assert mobility.student is None and mobility.student_email == "jonas.schneider@tub.example"
    assert mobility.nominated_by == world.contact and mobility.number.startswith(f"MOB-{YEAR}-")
    person = mobility.person
    assert person.kind == PersonKind.INTERNATIONAL_STUDENT and person.latin_name == "SCHNEIDER Jonas"
    assert person.purposes.filter(purpose__code="exchange").exists()
    assert Notification.objects.filter(recipient=people.officer, verb="mobility.partner_nominated").exists()
    world.incoming.home_unit = org.computing
    world.incoming.save()
    second = _nominate(world, nominee, family_name="Weber", email="weber@tub.example")
    assert second.home_unit == org.computing


def test_places_are_enforced(world, nominee, org):
    _nominate(world, nominee)
    _nominate(world, nominee, family_name="Weber", email="weber@tub.example")
    assert places_used(condition=world.incoming, academic_year=YEAR) == 2
    with pytest.raises(DomainError) as full:
        _nominate(world, nominee, family_name="Fischer", email="fischer@tub.example")
    assert "places" in full.value.message
    assert Mobility.objects.filter(direction=Direction.INCOMING).count() == 2
    # A rejected or cancelled nomination gives its place back.
    Mobility.objects.filter(person__family_name="Weber").update(state=M.CANCELLED)
    fischer = _nominate(world, nominee, family_name="Fischer", email="fischer@tub.example")
    assert fischer.person.family_name == "Fischer"


def test_places_of_every_year_count_per_year(world, nominee):
    world.incoming.academic_year = None
    world.incoming.places = 1
    world.incoming.save()
    world.agreement.end_date = None  # open-ended: every year from its start
    world.agreement.save()
    with pytest.raises(ValidationError) as no_year:
        _nominate(world, nominee)
    assert "academic_year" in no_year.value.message_dict
    _nominate(world, nominee, academic_year=YEAR)
    with pytest.raises(DomainError):
        _nominate(world, nominee, academic_year=YEAR, family_name="Weber", email="weber@tub.example")
    later = _nominate(
        world, nominee, academic_year=YEAR + 1, family_name="Weber", day=datetime.date(YEAR + 1, 1, 1)
    )
    assert later.academic_year == YEAR + 1


@pytest.mark.parametrize(
    ("semester", "day", "allowed"),
    [
        (Semester.AUTUMN, datetime.date(YEAR, 5, 15), True),
        (Semester.AUTUMN, datetime.date(YEAR, 5, 16), False),
        (Semester.FULL_YEAR, datetime.date(YEAR, 5, 16), False),
        (Semester.SPRING, datetime.date(YEAR, 5, 16), True),
        (Semester.SPRING, datetime.date(YEAR, 10, 15), True),
        (Semester.SPRING, datetime.date(YEAR, 10, 16), False),
        (Semester.SUMMER, datetime.date(YEAR, 10, 16), False),
    ],
)
def test_deadlines_are_enforced(world, nominee, semester, day, allowed):
    if allowed:
        assert _nominate(world, nominee, semester=semester, day=day).semester == semester
    else:
        with pytest.raises(DomainError) as late:
            _nominate(world, nominee, semester=semester, day=day)
        assert "deadline" in late.value.message
        assert not Mobility.objects.exists()


def test_deadlines_fall_in_the_year_the_academic_year_starts(world):
    condition = make_condition(
        world.agreement,
        world.partner,
        direction=Direction.INCOMING,
        mobility_type=MobilityType.SHORT_PROGRAMME,
        autumn_nomination_deadline="--02-29",
        spring_nomination_deadline="",
    )
    assert nomination_deadline(condition=condition, academic_year=2027, semester="autumn") == datetime.date(
        2027, 2, 28
    )
    assert nomination_deadline(condition=condition, academic_year=2028, semester="autumn") == datetime.date(
        2028, 2, 29
    )
    assert nomination_deadline(condition=condition, academic_year=2028, semester="spring") is None
    assert nomination_deadline(
        condition=world.incoming, academic_year=2030, semester="spring"
    ) == datetime.date(2030, 10, 15)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mobility_type": MobilityType.FULL_YEAR}, "mobility_type"),
        ({"eqf_level": 5}, "eqf_level"),
        ({"cefr_level": CefrLevel.B1}, "cefr_level"),
        ({"language": "de"}, "cefr_level"),
        ({"cefr_level": ""}, "cefr_level"),
    ],
)
def test_the_student_must_fit_the_places(world, nominee, changes, field):
    with pytest.raises(ValidationError) as refused:
        _nominate(world, nominee, **changes)
    assert field in refused.value.message_dict
    assert not Mobility.objects.exists()


def test_subject_areas_include_narrower_fields(world, nominee):
    world.incoming.subject_areas.add(IscedField.objects.get(code="07"))
    assert _nominate(world, nominee).isced_code == "0713"
    with pytest.raises(ValidationError) as refused:
        _nominate(world, nominee, isced_code="", family_name="Weber")
    assert "isced_code" in refused.value.message_dict


def test_the_same_student_is_not_nominated_twice(world, nominee):
    first = _nominate(world, nominee)
    with pytest.raises(DomainError) as twice:
        _nominate(world, nominee)
    assert "already" in twice.value.message
    assert Mobility.objects.filter(person=first.person).count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"family_name": "Schneider-Weber"},  # another spelling: another person record, the same address
        {"semester": Semester.FULL_YEAR, "mobility_type": MobilityType.SEMESTER},
    ],
)
def test_the_same_e_mail_is_not_nominated_twice_for_the_period(world, nominee, changes):
    first = _nominate(world, nominee)
    with pytest.raises(DomainError) as twice:
        _nominate(world, nominee, email="  JONAS.schneider@tub.example ", **changes)
    assert "jonas.schneider@tub.example" in twice.value.message and "already" in twice.value.message
    assert list(Mobility.objects.all()) == [first]
    # Another semester is another period; a cancelled nomination frees the address.
    spring = _nominate(world, nominee, semester=Semester.SPRING, family_name="Schneider-Weber")
    Mobility.objects.filter(pk=first.pk).update(state=M.CANCELLED)
    assert _nominate(world, nominee).pk not in (first.pk, spring.pk)


def _period(world, start, end):
    world.incoming.academic_year = None
    world.incoming.save()
    world.agreement.start_date, world.agreement.end_date = start, end
    world.agreement.save()


@pytest.mark.parametrize("year", [YEAR - 3, YEAR + 2, 2200])
def test_only_years_of_the_agreement_s_period(world, nominee, year):
    _period(world, datetime.date(YEAR - 1, 9, 1), datetime.date(YEAR + 1, 8, 31))
    with pytest.raises(ValidationError) as refused:
        _nominate(world, nominee, academic_year=year, day=datetime.date(YEAR - 4, 1, 1))
    assert "does not cover" in " ".join(refused.value.message_dict["academic_year"])
    assert not Mobility.objects.exists()
    for allowed in (YEAR - 1, YEAR):
        day = datetime.date(allowed, 1, 1)
        mobility = _nominate(world, nominee, academic_year=allowed, email=f"s{allowed}@tub.example", day=day)
        assert mobility.academic_year == allowed


def test_a_year_that_is_over_is_refused(world, nominee):
    world.incoming.autumn_nomination_deadline = ""
    world.incoming.save()
    with pytest.raises(ValidationError) as refused:
        _nominate(world, nominee, day=datetime.date(YEAR + 1, 9, 1))
    assert "is over" in " ".join(refused.value.message_dict["academic_year"])


def test_the_nomination_page_names_the_year_that_is_not_covered(client, world, nominee):
    _period(world, datetime.date(YEAR, 9, 1), datetime.date(YEAR + 1, 8, 31))
    client.force_login(world.contact)
    with casework.evaluation_date(BEFORE_AUTUMN):
        response = client.post(
            reverse("mobility:partner_nominate"), _form(nominee, world.incoming, academic_year=YEAR + 1)
        )
    assert response.status_code == 400
    assert "does not cover" in " ".join(response.context["form"].errors["academic_year"])
    assert not Mobility.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "other_contact"])
def test_only_the_partner_s_coordinators_nominate(world, nominee, who):
    with pytest.raises(PermissionDeniedError):
        _nominate(world, nominee, actor=getattr(world, who))
    assert not Mobility.objects.exists()


def test_outgoing_places_and_agreements_not_in_force_are_refused(world, nominee):
    with pytest.raises(DomainError):
        _nominate(world, nominee, condition=world.outgoing)
    world.agreement.state = "expired"
    world.agreement.save()
    with pytest.raises(DomainError):
        _nominate(world, nominee)
    assert not Mobility.objects.exists()


def _form(nominee, condition, **changes):
    data = {**nominee, **changes}
    data["nationality"] = data["nationality"].pk
    data["birth_date"] = data["birth_date"].isoformat()
    data["isced_field"] = data.pop("isced_code")
    data["condition"] = condition.pk
    return data


def test_the_nomination_form_knows_the_languages(client, world, nominee):
    client.force_login(world.contact)
    url = reverse("mobility:partner_nominate")
    for language, level, message in (
        ("xx", "C1", "is not an ISO 639-1 language code"),
        ("", "C1", "Say which language the level is for."),
    ):
        with casework.evaluation_date(BEFORE_AUTUMN):
            response = client.post(url, _form(nominee, world.incoming, language=language, cefr_level=level))
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors["language"])
    assert not Mobility.objects.exists()


def test_the_nomination_page(client, world, nominee):
    client.force_login(world.contact)
    url = reverse("mobility:partner_nominate")
    assert client.get(url).status_code == 200
    with casework.evaluation_date(BEFORE_AUTUMN):
        response = client.post(url, _form(nominee, world.incoming))
    mobility = Mobility.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "mobility:partner_mobility", args=[mobility.pk]
    )
    with casework.evaluation_date(BEFORE_AUTUMN):
        response = client.post(url, _form(nominee, world.incoming, eqf_level=5, family_name="Weber"))
    assert response.status_code == 400 and "study levels (EQF) 6, 7" in response.content.decode()
    with casework.evaluation_date(datetime.date(YEAR, 6, 1)):
        response = client.post(url, _form(nominee, world.incoming, family_name="Weber"))
    assert response.status_code == 400 and "deadline" in response.content.decode()
    assert Mobility.objects.count() == 1


def test_the_nomination_page_offers_only_own_incoming_places(client, world, nominee, org):
    other_incoming = make_condition(world.other_agreement, world.other_partner, direction=Direction.INCOMING)
    client.force_login(world.contact)
    form = client.get(reverse("mobility:partner_nominate")).context["form"]
    assert list(form.fields["condition"].queryset) == [world.incoming]
    with casework.evaluation_date(BEFORE_AUTUMN):
        for condition in (other_incoming, world.outgoing):
            response = client.post(reverse("mobility:partner_nominate"), _form(nominee, condition))
            assert response.status_code == 400
    assert not Mobility.objects.exists()


@pytest.mark.parametrize("who", ["viewer"])
def test_viewers_do_not_nominate(client, world, nominee, who):
    client.force_login(getattr(world, who))
    url = reverse("mobility:partner_nominate")
    assert client.get(url).status_code == 403
    assert client.post(url, _form(nominee, world.incoming)).status_code == 403
    assert not Mobility.objects.exists()


# --- factsheet --------------------------------------------------------------------------------------------


def test_factsheet_deadlines_are_a_month_and_a_day(client, world):
    """The yearly deadlines read and are chosen as a month (by its name) and a day, never as "--MM-DD"; a
    month without a day, or a day the month lacks, is refused on the field and nothing is stored."""
    from django.utils import translation

    url = reverse("mobility:partner_factsheet")
    client.force_login(world.contact)
    base = {"version": 0, "contact_email": "exchange@tub.example"}
    data = {**base, "autumn_nomination_deadline_0": "9", "autumn_nomination_deadline_1": "1"}
    assert client.post(url, data).status_code == 302
    sheet = PartnerFactsheet.objects.get(partner=world.partner)
    assert sheet.autumn_nomination_deadline == "--09-01"
    for parts, message in ((("9", ""), "Choose both the month and the day."), (("2", "30"), "no such day")):
        data = {**base, "version": sheet.version, "spring_nomination_deadline_0": parts[0]}
        data["spring_nomination_deadline_1"] = parts[1]
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors["spring_nomination_deadline"])
    assert PartnerFactsheet.objects.get(partner=world.partner).spring_nomination_deadline == ""
    client.force_login(world.viewer)
    text = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "--09-01" not in text and '<option value="9" selected>September</option>' in text
    home = client.get(reverse("mobility:partner_home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "--05-15" not in home
    with translation.override("zh-hans"):
        assert "5月15日" in home  # the incoming places' autumn deadline


def test_factsheet_coordinator_edits_viewer_reads(client, world):
    from meridian.mobility.views.partner import _factsheet_tools

    url = reverse("mobility:partner_factsheet")
    client.force_login(world.contact)
    if _factsheet_tools() is None:
        assert client.get(url).status_code == 404
        return
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, object] = dict.fromkeys(response.context["form"].fields, "")
    data.update(
        {
            "version": 0,
            "contact_email": "exchange@tub.example",
            "accommodation": "Rooms in the student village.",
            "autumn_nomination_deadline": "--05-15",
        }
    )
    assert client.post(url, data).status_code == 302
    sheet = PartnerFactsheet.objects.get(partner=world.partner)
    assert sheet.contact_email == "exchange@tub.example"
    client.force_login(world.viewer)
    response = client.get(url)
    assert response.status_code == 200 and "exchange@tub.example" in response.content.decode()
    assert all(field.disabled for field in response.context["form"].fields.values())
    data["contact_email"] = "viewer@tub.example"
    assert client.post(url, data).status_code == 403
    assert PartnerFactsheet.objects.get(partner=world.partner).contact_email == "exchange@tub.example"
    client.force_login(world.other_contact)
    assert "exchange@tub.example" not in client.get(url).content.decode()


# --- landing, navigation, languages -----------------------------------------------------------------------


def test_partner_contacts_land_on_the_portal(client, world, people):
    from meridian.core.registry import registry

    entry = registry.landings.get("mobility_partner_portal")
    assert entry.url_name == "mobility:partner_home"
    for user in (world.contact, world.viewer, world.other_contact):
        assert entry.applies(user)
        client.force_login(user)
        response = client.get(reverse("workflow:landing"))
        assert response.status_code == 302 and response["Location"] == reverse("mobility:partner_home")
    for user in (people.officer, people.coordinator, people.staff, people.student, people.outsider):
        assert not entry.applies(user)
    client.force_login(people.officer)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_the_navigation_entry_is_for_partner_contacts(world, people):
    from meridian.core.registry import registry

    entry = registry.nav.get("mobility_partner_portal")
    assert entry.visible(world.contact) and entry.visible(world.viewer)
    for user in (people.officer, people.coordinator, people.student, people.outsider):
        assert not entry.visible(user)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_portal_pages_in_both_languages(client, world, records, language):
    client.force_login(world.contact)
    for url in (
        reverse("mobility:partner_home"),
        reverse("mobility:partner_mobility", args=[records["ours"].pk]),
        reverse("mobility:partner_nominate"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()
