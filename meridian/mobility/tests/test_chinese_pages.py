"""The student-exchange pages as a Chinese reader sees them: the punctuation between translated pieces is the
catalogue's full-width kind ("：", "，", "、", "（）"), never a half-width ", " or ": " next to Chinese text;
stored codes read as names (a language, an ISCED-F field, a "--MM-DD" deadline)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from meridian.mobility.choices import (
    ApplicationState,
    CallState,
    DocumentKind,
    LearningAgreementState,
    MobilityState,
)
from meridian.mobility.models import ApplicationFile, PartnerFactsheet, Review, ReviewConflict
from meridian.mobility.services.calls import calls_close_due
from meridian.mobility.tests.factories import (
    make_application,
    make_call,
    make_learning_agreement,
    make_mobility,
    student_user,
)
from meridian.mobility.tests.factories_conditions import make_isced
from meridian.mobility.tests.factories_mobilities import complete_application, incoming_mobility
from meridian.mobility.tests.factories_partner import case_pages_installed  # noqa: F401
from meridian.mobility.tests.factories_selection import committee_member, selection_world

pytestmark = pytest.mark.django_db

CJK = "\u3400-\u9fff\uf900-\ufaff"
# A half-width comma, colon or semicolon with the space English puts after it, touching Chinese text on
# either side; or a half-width bracket touching Chinese text.
HALF_WIDTH = re.compile(rf"[{CJK}][,:;] |[,:;] [{CJK}]|\([{CJK}]|[{CJK}]\)")
BLOCK_END = re.compile(
    r"<br\s*/?>|</(?:p|li|td|th|dt|dd|tr|div|h[1-6]|option|label|legend|summary|a|button|strong|small|span)>"
)


def visible_text(html: str) -> str:
    """The text a reader sees: no scripts, styles or attribute values; the end of an element as a line break
    (so that two cells never run together)."""
    html = re.sub(r"<(script|style|title)\b.*?</\1>", "", html, flags=re.S | re.I)
    html = BLOCK_END.sub("\n", html)
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"&nbsp;|&#160;", " ", text)
    return re.sub(r"[ \t]+", " ", text)


def half_width_faults(html: str) -> list[str]:
    text = visible_text(html)
    return [text[max(0, m.start() - 15) : m.end() + 15].replace("\n", "⏎") for m in HALF_WIDTH.finditer(text)]


def test_the_checker_finds_half_width_punctuation_between_chinese_words():
    assert half_width_faults("<p>已提交: 1</p>") and half_width_faults("<p>成绩单, 语言证书</p>")
    assert half_width_faults("<dd>LI Ming (李明)</dd>")
    assert not half_width_faults(
        "<p>已提交：1</p><p>成绩单、语言证书</p><p>LI Ming（李明）</p><p>A, B: C</p>"
    )


@pytest.fixture
def pages(world, org, people, case_pages_installed):  # noqa: F811
    """One of each record the section shows, and the pages showing them, per reader."""
    now = timezone.now()
    isced = make_isced()
    student = student_user(org.computing, "zh-student")
    call = make_call(unit=org.computing, destinations=[(world.partner, 2, world.outgoing)], language="de")
    application = make_application(call, student, state=ApplicationState.SUBMITTED, submitted_at=now)
    for kind in (DocumentKind.TRANSCRIPT, DocumentKind.LANGUAGE):
        stored = ApplicationFile(
            application=application,
            kind=kind,
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=9,
        )
        stored.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        stored.save()
    reviewer = committee_member(org.computing, "zh-reviewer", call=call)
    other_reviewer = committee_member(org.computing, "zh-reviewer-2", call=call)
    Review.objects.create(
        application=application, reviewer=reviewer, points={"motivation": 8, "grades": 7}, submitted_at=now
    )
    ReviewConflict.objects.create(
        application=application, reviewer=other_reviewer, reason="导师", declared_by=people.officer
    )
    closed = make_call(unit=org.computing, closes_at=now - datetime.timedelta(minutes=5))
    calls_close_due(now=now)
    ranked = selection_world(org, places=(1, 1), students=3, call_state=CallState.CLOSED)
    outgoing = make_mobility(
        partner=world.partner,
        home_unit=org.computing,
        person=student.person,
        student=student,
        agreement=world.agreement,
        condition=world.outgoing,
        state=MobilityState.ACCEPTED,
        language="de",
        cefr_level="B2",
        isced_code="0714",
    )
    la = make_learning_agreement(outgoing, state=LearningAgreementState.DRAFT)
    incoming = complete_application(
        incoming_mobility(world, org, state=MobilityState.APPLIED, language="zh", isced_code="0714")
    )
    PartnerFactsheet.objects.create(
        partner=world.partner,
        website="https://tu.example/incoming",
        autumn_nomination_deadline="--09-01",
        spring_nomination_deadline="--03-15",
    )
    world.outgoing.autumn_nomination_deadline = "--09-01"
    world.outgoing.save(update_fields=["autumn_nomination_deadline"])
    world.outgoing.subject_areas.set([isced["0714"]])
    staff = {
        "call_list": reverse("mobility:call_list"),
        "call_detail": reverse("mobility:call_detail", args=[call.pk]),
        "closed_call": reverse("mobility:call_detail", args=[closed.pk]),
        "call_edit": reverse("mobility:call_edit", args=[call.pk]),
        "application_list": reverse("mobility:application_list"),
        "application_detail": reverse("mobility:application_detail", args=[application.pk]),
        "school_queue": reverse("mobility:school_queue"),
        "ranking": reverse("mobility:ranking", args=[ranked.call.pk]),
        "allocation": reverse("mobility:allocation", args=[ranked.call.pk]),
        "mobility_list": reverse("mobility:mobility_list"),
        "outgoing": reverse("mobility:mobility_detail", args=[outgoing.pk]),
        "incoming": reverse("mobility:mobility_detail", args=[incoming.pk]),
        "conditions": reverse("mobility:condition_list"),
        "agreement": world.agreement.get_absolute_url(),
        "factsheet": reverse("mobility:factsheet_edit", args=[world.partner.pk]),
        "equivalences": reverse("mobility:equivalence_list"),
        "conversion": reverse("mobility:conversion_tables") + f"?partner={world.partner.pk}",
        "balance": reverse("mobility:balance"),
        "la": reverse("mobility:la_detail", args=[la.pk]),
        "la_courses": reverse("mobility:la_courses", args=[la.pk]),
        "recognition": reverse("mobility:recognition", args=[outgoing.pk]),
    }
    mine = {
        "student_home": reverse("mobility:student_home"),
        "student_call": reverse("mobility:student_call", args=[call.pk]),
        "student_application": reverse("mobility:student_application", args=[application.pk]),
        "own_mobility": reverse("mobility:mobility_detail", args=[outgoing.pk]),
        "own_la": reverse("mobility:la_detail", args=[la.pk]),
    }
    partner = {
        "partner_home": reverse("mobility:partner_home"),
        "partner_outgoing": reverse("mobility:partner_mobility", args=[outgoing.pk]),
        "partner_incoming": reverse("mobility:partner_mobility", args=[incoming.pk]),
        "partner_nominate": reverse("mobility:partner_nominate"),
        "partner_factsheet": reverse("mobility:partner_factsheet"),
    }
    with translation.override("zh-hans"):
        public = {
            "public_calls": reverse("mobility_public:calls"),
            "public_call": reverse("mobility_public:call", args=[call.pk]),
        }
    scorer = committee_member(org.computing, "zh-scorer", call=ranked.call)
    review = {"review": reverse("mobility:review", args=[ranked.applications[0].pk])}
    return [
        (people.officer, staff),
        (scorer, review),
        (student, mine),
        (world.contact, partner),
        (None, public),
    ]


def _chinese_pages(client, pages):
    for user, urls in pages:
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        for name, url in urls.items():
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, (name, response.status_code)
            yield name, response.content.decode()


def test_chinese_pages_use_full_width_punctuation(client, pages):
    faults = {
        name: found for name, html in _chinese_pages(client, pages) if (found := half_width_faults(html))
    }
    assert faults == {}


def test_chinese_pages_show_names_not_codes(client, pages):
    shown = dict(_chinese_pages(client, pages))
    for name in ("partner_home", "partner_factsheet", "factsheet", "agreement", "partner_nominate"):
        assert "--09-01" not in visible_text(shown[name]) and "--05-15" not in visible_text(shown[name]), name
    assert "9月1日" in visible_text(shown["partner_home"])
    assert "9月1日" in visible_text(shown["agreement"])
    assert "德语" in visible_text(shown["partner_outgoing"])
    assert "中文" in visible_text(shown["incoming"]) and "中文" in visible_text(shown["partner_incoming"])
    for name in ("incoming", "partner_outgoing", "partner_incoming", "agreement"):
        text = visible_text(shown[name])
        assert "0714" in text and "工程、制造和建筑" in text, name  # with its broad field's Chinese name
    assert "德语" in visible_text(shown["call_detail"]) and "德语" in visible_text(shown["student_call"])
    assert "子午线大学" in shown["public_calls"]  # the university's Chinese name in the page's description
    # The system closed the call at its deadline: the history says so in Chinese.
    with translation.override("zh-hans"):
        reason = translation.gettext("The application deadline has passed.")
    assert reason in visible_text(shown["closed_call"])
