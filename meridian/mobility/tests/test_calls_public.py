"""The public pages of exchange calls in both languages: only opened calls (drafts and cancelled calls never
leak), recently closed calls marked closed, the deadline in the site's time zone, escaped text, the way to
apply, the block on the Exchange Programmes section page, and the cache watch of the public group."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from meridian.core.registry import registry
from meridian.mobility.choices import CallState
from meridian.mobility.models import Call, CallDestination
from meridian.mobility.tests.test_calls_services import draft, make_call

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def calls(org, people, world):
    now = timezone.now()
    return {
        "open": make_call(
            unit=org.intl_office,
            title_en="Semester in Germany",
            title_zh="德国学期交换",
            destinations=[(world.partner, 2, world.outgoing)],
        ),
        "soon": make_call(
            unit=org.engineering,
            title_en="Opening soon",
            title_zh="即将开放",
            opens_at=now + datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=40),
        ),
        "closed": make_call(
            unit=org.intl_office,
            state=CallState.CLOSED,
            title_en="Closed last week",
            title_zh="上周截止",
            opens_at=now - datetime.timedelta(days=40),
            closes_at=now - datetime.timedelta(days=7),
        ),
        "old": make_call(
            unit=org.intl_office,
            state=CallState.FINISHED,
            title_en="Long finished",
            title_zh="早已结束",
            opens_at=now - datetime.timedelta(days=400),
            closes_at=now - datetime.timedelta(days=300),
        ),
        "draft": make_call(
            unit=org.intl_office, state=CallState.DRAFT, title_en="Secret draft", title_zh="草稿"
        ),
        "cancelled": make_call(
            unit=org.intl_office, state=CallState.CANCELLED, title_en="Cancelled call", title_zh="已取消"
        ),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_shows_open_and_recently_closed_calls_only(calls, language):
    page = html(Client().get(url("mobility_public:calls", language=language)))
    chinese = language == "zh-hans"
    title = (lambda c: c.title_zh) if chinese else (lambda c: c.title_en)
    assert f'lang="{language}"' in page
    for key in ("open", "soon", "closed"):
        assert title(calls[key]) in page, key
    for key in ("old", "draft", "cancelled"):
        assert title(calls[key]) not in page and calls[key].title_en not in page, key
    open_part, closed_part = page.split('id="closed-heading"')
    assert title(calls["open"]) in open_part and title(calls["closed"]) in closed_part
    assert f'data-call="{calls["closed"].pk}"' in closed_part and "closed" in closed_part


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_call_s_page_shows_what_an_applicant_needs(calls, world, language):
    call = calls["open"]
    page = html(Client().get(url("mobility_public:call", call.pk, language=language)))
    assert (call.title_zh if language == "zh-hans" else call.title_en) in page
    assert str(world.partner) in page and f'data-destination="{call.destinations.get().pk}"' in page
    assert "B2" in page  # the language requirement
    assert 'id="apply-link"' in page and "login" in page
    assert 'id="call-closed"' not in page
    assert "Secret draft" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_drafts_and_cancelled_calls_are_not_found(calls, language):
    client = Client()
    for key in ("draft", "cancelled"):
        assert client.get(url("mobility_public:call", calls[key].pk, language=language)).status_code == 404
    assert client.get(url("mobility_public:call", 999999, language=language)).status_code == 404


def test_a_closed_call_s_page_says_so_and_offers_no_application(calls):
    page = html(Client().get(url("mobility_public:call", calls["closed"].pk)))
    assert 'id="call-closed"' in page and 'id="apply-link"' not in page


def test_the_deadline_is_shown_in_the_site_time_zone(org, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    closes = datetime.datetime(2099, 3, 31, 9, 0, tzinfo=datetime.UTC)
    call = make_call(unit=org.intl_office, closes_at=closes)
    page = html(Client().get(url("mobility_public:call", call.pk)))
    assert "2099-03-31 17:00" in page and "UTC+08:00" in page


def test_text_is_escaped(org, people, world):
    call = make_call(
        unit=org.intl_office,
        title_en='<script>alert("x")</script>',
        description_en="<img src=x onerror=alert(1)>",
        destinations=[(world.partner, 1, world.outgoing)],
    )
    CallDestination.objects.filter(call=call).update(note="<b>note</b>")
    for address in (url("mobility_public:calls"), url("mobility_public:call", call.pk)):
        page = html(Client().get(address))
        assert "<script>alert" not in page and "&lt;script&gt;" in page
    page = html(Client().get(url("mobility_public:call", call.pk)))
    assert "<img src=x" not in page and "<b>note</b>" not in page


def test_pages_are_cacheable_for_visitors_and_private_for_signed_in_users(calls, people):
    response = Client().get(url("mobility_public:calls"))
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    client = Client()
    client.force_login(people.student)
    response = client.get(url("mobility_public:call", calls["open"].pk))
    assert "private" in response["Cache-Control"]
    apply = reverse("mobility:student_call", args=[calls["open"].pk]) if _installed("student_call") else ""
    if apply:
        assert f'href="{apply}"' in response.content.decode()


def _installed(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(f"mobility:{name}", args=[1])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_exchange_programmes_section_lists_the_open_calls(calls, language):
    page = html(Client().get(url("portal:section", "exchange-programmes", language=language)))
    assert 'id="exchange-calls"' in page
    title = (lambda c: c.title_zh) if language == "zh-hans" else (lambda c: c.title_en)
    assert title(calls["open"]) in page and title(calls["soon"]) in page
    for key in ("closed", "draft", "cancelled", "old"):
        assert title(calls[key]) not in page, key
    assert url("mobility_public:calls", language=language) in page


def test_calls_and_destinations_renew_the_public_cache(org, people, world):
    public = {
        model for watch in registry.cache_watches if watch.group == "public" for model in watch.models()
    }
    assert {Call, CallDestination} <= public
    watch = registry.cache_watches.get("mobility-calls")
    assert watch.group == "public"
    block = registry.public_section_blocks.get("mobility-open-calls")
    assert block.section == "exchange-programmes"
    # a draft filed by the office never shows on the public list
    draft(org, people.officer, title_en="Filed today")
    assert "Filed today" not in html(Client().get(url("mobility_public:calls")))
