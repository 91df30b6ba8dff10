"""Fixes of the guest's self-service page after the tryout: a stale save from a second tab is refused with
what changed (and the guest's input kept), messages that name what they mean (rows, file types, plurals),
one language switch and no link into the staff site."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.visitors.models import VisitGuest
from meridian.visitors.services.guests import guest_data_fingerprint
from meridian.visitors.tests.factories_guests import PDF_BYTES, cv_rows, form_data, guest_visit, issue


@pytest.fixture
def guest(org, people):
    return guest_visit(org, people).guests.get()


def _fingerprint(html: str) -> str:
    found = re.search(r'name="fingerprint" value="([^"]*)"', html)
    assert found, "the form carries the fingerprint of the data it shows"
    return found[1]


def _tab(client, path) -> str:
    """Open the page as a browser tab does, and return the fingerprint it carries."""
    response = client.get(path)
    assert response.status_code == 200
    return _fingerprint(response.content.decode())


class TestStaleEdits:
    def test_a_second_tab_does_not_overwrite_the_first(self, client, people, guest):
        path = issue(guest, people.officer)
        tab_a, tab_b = _tab(client, path), _tab(client, path)
        assert tab_a == tab_b
        saved = client.post(
            path, form_data(guest, fingerprint=tab_a, dietary_needs="Halal", arrival_flight="CA 932")
        )
        assert saved.status_code == 302
        stored = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        other_cv = [{**cv_rows()[0], "organisation": "Tab B University"}, cv_rows()[1]]
        refused = client.post(path, form_data(stored, cv=other_cv, fingerprint=tab_b, dietary_needs="Vegan"))
        text = refused.content.decode()
        assert refused.status_code == 409 and 'id="stale-edit"' in text
        assert "Nothing was saved" in text
        # What changed is named with what is stored now; the guest's own input is still in the form.
        assert 'data-field="dietary_needs"' in text and "Halal" in text
        assert 'data-field="arrival_flight"' in text and "CA 932" in text
        assert 'name="dietary_needs" value="Vegan"' in text and 'value="Tab B University"' in text
        after = VisitGuest.objects.get(pk=guest.pk)
        assert after.dietary_needs == "Halal" and after.arrival_flight == "CA 932"
        assert all(row["organisation"] != "Tab B University" for row in after.cv)
        # Saving again from the page shown applies the guest's input over the current data.
        fresh = _fingerprint(text)
        assert fresh == guest_data_fingerprint(VisitGuest.objects.select_related("person").get(pk=guest.pk))
        again = client.post(path, form_data(stored, cv=other_cv, fingerprint=fresh, dietary_needs="Vegan"))
        assert again.status_code == 302
        final = VisitGuest.objects.get(pk=guest.pk)
        assert final.dietary_needs == "Vegan" and final.cv[0]["organisation"] == "Tab B University"

    def test_a_change_by_the_office_is_not_overwritten_either(self, client, people, guest):
        path = issue(guest, people.officer)
        opened = _tab(client, path)
        VisitGuest.objects.filter(pk=guest.pk).update(exit_port="Shanghai Pudong")
        response = client.post(path, form_data(guest, fingerprint=opened))
        text = response.content.decode()
        assert response.status_code == 409 and 'data-field="exit_port"' in text and "Shanghai Pudong" in text
        assert 'data-field="dietary_needs"' not in text  # unchanged parts are not listed
        stored = VisitGuest.objects.get(pk=guest.pk)
        assert stored.exit_port == "Shanghai Pudong" and stored.submitted_at is None

    def test_an_unchanged_record_saves_and_so_does_the_same_tab_after_its_save(self, client, people, guest):
        path = issue(guest, people.officer)
        assert client.post(path, form_data(guest, fingerprint=_tab(client, path))).status_code == 302
        stored = VisitGuest.objects.select_related("person").get(pk=guest.pk)
        reopened = _tab(client, path + "?saved=1")
        response = client.post(path, form_data(stored, fingerprint=reopened, dietary_needs="Kosher"))
        assert response.status_code == 302
        assert VisitGuest.objects.get(pk=guest.pk).dietary_needs == "Kosher"

    def test_the_stale_page_in_chinese(self, client, people, guest):
        path = issue(guest, people.officer)
        opened = _tab(client, path)
        VisitGuest.objects.filter(pk=guest.pk).update(dietary_needs="清真")
        client.cookies["django_language"] = "zh-hans"
        response = client.post(path, form_data(guest, fingerprint=opened))
        text = response.content.decode()
        assert response.status_code == 409 and '<html lang="zh-hans">' in text and "清真" in text


class TestMessages:
    def test_a_cv_row_ending_before_it_starts_is_named_by_its_row(self, client, people, guest):
        path = issue(guest, people.officer)
        rows = cv_rows()
        rows.append({"from": "2015-06", "to": "2014-01", "organisation": "Backwards", "position": "x"})
        text = client.post(path, form_data(guest, cv=rows)).content.decode()
        assert "CV, row 3: the end is before the start." in text and "CV rows 3" not in text
        assert "The end is before the start." in text  # on the row itself
        assert VisitGuest.objects.get(pk=guest.pk).submitted_at is None

    def test_the_photo_field_says_what_it_accepts(self, client, people, guest):
        path = issue(guest, people.officer)
        text = client.post(
            path, form_data(guest, photo=SimpleUploadedFile("me.pdf", PDF_BYTES))
        ).content.decode()
        photo = text.split('id="field-photo"', 1)[1].split("</div>\n</div>", 1)[0]
        assert "not a JPEG or PNG image" in photo and "Word" not in photo and "PDF" not in photo

    def test_the_photo_help_says_earlier_photos_stay(self, client, people, guest):
        text = client.get(issue(guest, people.officer)).content.decode()
        assert "earlier ones stay" in text and "replaces none" not in text

    def test_the_consent_heading_shows_a_month_not_the_code(self, client, people, guest):
        text = client.get(issue(guest, people.officer)).content.decode()
        heading = text.split('id="consent"', 1)[1].split("</h2>", 1)[0]
        assert "version of November 2026" in heading and "guest-2026-11" not in heading
        assert "同意声明" not in heading  # the heading is in the page's language only

    def test_one_month_is_one_month(self, client, people, guest):
        from meridian.workflow.rulepack import ruleset_publish

        ruleset_publish(
            context="visitors",
            actor=people.admin,
            settings={"passport_validity": {"parameters": {"months": 1}}},
            note="test",
        )
        path = issue(guest, people.officer)
        expiry = guest.visit.depart_on + datetime.timedelta(days=10)
        text = client.post(path, form_data(guest, expiry_date=expiry.isoformat())).content.decode()
        assert "more than 1 month after you leave China" in text and "1 months" not in text

    def test_the_link_page_says_one_day(self, client, settings, people, guest):
        settings.VISITORS_GUEST_LINK_DAYS = 1
        client.force_login(people.officer)
        response = client.post(
            reverse("visitors:guest_link", args=[guest.visit_id, guest.pk]), {"action": "issue"}
        )
        text = response.content.decode()
        assert "valid for 1 day" in text and "1 days" not in text


class TestPageFrame:
    def test_one_language_switch_that_keeps_the_token_and_no_staff_links(self, client, people, guest):
        path = issue(guest, people.officer)
        for response in (client.get(path), client.get(reverse("visitors:guest_form", args=["bad-token"]))):
            text = response.content.decode()
            assert text.count(reverse("set_language")) == 1
            assert reverse("accounts:login") not in text and reverse("workflow:landing") not in text
            brand = text.split('id="guest-brand"', 1)[1].split("</span>\n", 1)[0]
            assert "href" not in brand
        assert f'name="next" type="hidden" value="{path}"' in client.get(path + "?saved=1").content.decode()


TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "visitors"
# Half-width punctuation right after or before a translated string renders "搜索:" on Chinese pages.
LOOSE = re.compile(
    r'(\{% translate "[^"]*" %\}|\{% endblocktranslate %\})[:(),.]|[:(,]\s?(\{% (block)?translate)'
)


@pytest.mark.parametrize("folder", ["guest_portal", "guests", "rules"])
def test_no_half_width_punctuation_outside_translated_strings(folder):
    loose = [
        f"{path.name}: {match.group(0)}"
        for path in sorted((TEMPLATES / folder).glob("*.html"))
        for match in LOOSE.finditer(path.read_text())
    ]
    assert not loose
